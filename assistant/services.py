"""Shared, thread-safe resources of the UI: one model, one knowledge base per workspace.

Never a user's conversation: that lives in each browser session's `gr.State`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .config import Settings
from .errors import InputError, KeelError
from .knowledge import KnowledgeBase
from .llm import LLM

__all__ = ["Services"]


class Services:
    """The model (started once, in the background) and the open workspaces."""

    def __init__(self, settings: Settings, llm: LLM | None = None) -> None:
        self.settings = settings
        self.llm = llm or LLM(settings)
        self.model_state = "not started"
        self._kbs: dict[str, KnowledgeBase] = {}
        self._lock = threading.Lock()
        self.kb_for(settings.workspace)

    @property
    def kb(self) -> KnowledgeBase:
        """The default workspace's knowledge base."""
        return self.kb_for(None)

    def settings_for(self, workspace: str | None) -> Settings:
        try:
            return self.settings.with_workspace(workspace or self.settings.workspace)
        except ValueError as exc:
            raise InputError(f"Workspace '{workspace}': {exc}") from None

    def kb_for(self, workspace: str | None) -> KnowledgeBase:
        """The knowledge base of a workspace (validated name), opened once and shared."""
        settings = self.settings_for(workspace)
        with self._lock:
            if settings.workspace not in self._kbs:
                self._kbs[settings.workspace] = KnowledgeBase(settings)
            return self._kbs[settings.workspace]

    def uploads_for(self, workspace: str | None) -> Path:
        return self.settings_for(workspace).workspace_dir / "uploads"

    def workspaces(self) -> list[str]:
        """Workspaces with a folder in the data directory, plus the default one."""
        root = self.settings.data_dir / "workspaces"
        found = {p.name for p in root.iterdir() if p.is_dir()} if root.is_dir() else set()
        return sorted(found | {self.settings.workspace} | set(self._kbs))

    def warm_up(self) -> None:
        """Start the model in the background so the first chat does not wait for it."""

        def run() -> None:
            self.model_state = "starting…"
            try:
                _ = self.llm.chat
                self.model_state = "ready"
            except KeelError as exc:
                self.model_state = f"failed: {exc}"

        threading.Thread(target=run, daemon=True, name="keel-model-warmup").start()

    def close(self) -> None:
        with self._lock:
            for kb in self._kbs.values():
                kb.close()
            self._kbs.clear()
        self.llm.close()
