"""Shared, thread-safe resources of the UI: one model, one knowledge base per workspace.

Never a user's conversation: that lives in each browser session's `gr.State`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from assistant.core.config import Settings
from assistant.core.errors import InputError, KeelError
from assistant.db.engine import Database, shared_database
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM
from assistant.review.checkins import seed_sample_checkins
from assistant.strategy.build import build_map
from assistant.strategy.model import MapElement
from assistant.strategy.store import StrategyMap, map_for_drafting

__all__ = ["Services"]


class Services:
    """The model (started once, in the background) and the open workspaces."""

    def __init__(self, settings: Settings, llm: LLM | None = None) -> None:
        self.settings = settings
        self.llm = llm or LLM(settings, progress=self._model_progress)
        self._model_state = "not started"
        self.index_state = ""
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

    def strategy_for(self, workspace: str | None) -> list[MapElement]:
        """The workspace's strategy map as drafting reads it ([] with draft_from=passages)."""
        return map_for_drafting(self.settings_for(workspace))

    def map_for(self, workspace: str | None) -> list[MapElement]:
        """The workspace's strategy map (every element not rejected)."""
        settings = self.settings_for(workspace)
        return StrategyMap(shared_database(settings), settings.workspace).elements()

    def uploads_for(self, workspace: str | None) -> Path:
        return self.settings_for(workspace).workspace_dir / "uploads"

    def departments(self, workspace: str | None = None) -> list[str]:
        return sorted({d.department for d in self.kb_for(workspace).documents()
                       if d.department})

    def workspaces(self) -> list[str]:
        """Workspaces with a folder in the data directory, plus the default one."""
        root = self.settings.data_dir / "workspaces"
        found = {p.name for p in root.iterdir() if p.is_dir()} if root.is_dir() else set()
        return sorted(found | {self.settings.workspace} | set(self._kbs))

    @property
    def model_state(self) -> str:
        """The model's own state once it has started (ready, restarting, stopped: why…),
        else the warm-up's progress ("assembling the local model (40%)…")."""
        state = self.llm.state
        if state in ("not started", "starting") and self._model_state != "not started":
            return self._model_state
        return state

    def _model_progress(self, done: int, total: int, label: str) -> None:
        self._model_state = f"{label} ({done * 100 // total if total else 0}%)…"

    def warm_up(self, index: list[Path] | None = None) -> None:
        """In the background: index `index` (first start), then start the model; the status
        line shows both as they progress, so the page is usable at once."""

        def run() -> None:
            for path in index or []:
                def tick(done: int, total: int, label: str, name: str = path.name) -> None:
                    self.index_state = f"indexing {name}: {done}/{total}"

                try:
                    report = self.kb.index([path], progress=tick)
                    self.index_state = (f"indexed {path.name} ({len(report.added)} new, "
                                        f"{len(report.unchanged)} unchanged)")
                    self._build_map()
                except KeelError as exc:
                    self.index_state = f"indexing {path.name} failed: {exc}"
            self._model_state = "starting…"
            try:
                _ = self.llm.chat
            except KeelError as exc:
                self._model_state = f"failed: {exc}"

        threading.Thread(target=run, daemon=True, name="keel-warm-up").start()

    def _build_map(self) -> None:
        """The strategy map of the default workspace, read by rules after its first indexing
        (a second of work); a person confirms it later. Kept when it exists."""
        db = Database(self.settings)
        try:
            smap = StrategyMap(db, self.settings.workspace)
            if not smap.elements(include_rejected=True):
                report = smap.save_build(build_map(self.kb))
                self.index_state += f"; strategy map: {len(report.added)} elements to confirm"
            if seeded := seed_sample_checkins(self.settings):
                self.index_state += f"; {seeded} sample check-ins"
        finally:
            db.close()

    def close(self) -> None:
        with self._lock:
            for kb in self._kbs.values():
                kb.close()
            self._kbs.clear()
        self.llm.close()
