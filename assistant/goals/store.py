"""Accepted OKR sets, saved per workspace as JSON files (atomic writes, nothing half-written).

They become context for next quarter's drafts and for alignment checks.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from pydantic import ValidationError

from assistant.core.config import Settings
from assistant.core.errors import InputError
from assistant.core.files import write_atomic
from assistant.core.schemas import OKRSet

__all__ = ["GoalStore", "write_atomic"]


class GoalStore:
    """List, save, load and delete the workspace's OKR sets."""

    def __init__(self, settings: Settings) -> None:
        self.folder = settings.workspace_dir / "goals"
        self.workspace = settings.workspace

    def save(self, okrs: OKRSet) -> OKRSet:
        if not okrs.id:
            slug = re.sub(r"[^a-z0-9]+", "-", okrs.department.lower()).strip("-") or "team"
            okrs.id = f"{slug}-{okrs.period.lower() or 'undated'}-{uuid.uuid4().hex[:6]}"
        okrs.workspace = self.workspace
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(self._path(okrs.id), okrs.model_dump_json(indent=2))
        return okrs

    def list(self) -> list[OKRSet]:
        if not self.folder.is_dir():
            return []
        sets = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                sets.append(OKRSet.model_validate_json(path.read_text(encoding="utf-8")))
            except (OSError, ValidationError):
                continue  # a damaged file is skipped here and reported by `get`
        return sets

    def get(self, okr_id: str) -> OKRSet:
        path = self._path(okr_id)
        if not path.is_file():
            known = ", ".join(s.id for s in self.list()[:10]) or "none saved"
            raise InputError(f"No saved OKR set '{okr_id}'. Known: {known}")
        try:
            return OKRSet.model_validate_json(path.read_text(encoding="utf-8"))
        except ValidationError as exc:
            raise InputError(f"Saved OKR set {path} is damaged: {exc.errors()[0]['msg']}"
                             ) from exc

    def delete(self, okr_id: str) -> None:
        self.get(okr_id)
        self._path(okr_id).unlink()

    def _path(self, okr_id: str) -> Path:
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,80}", okr_id):
            raise InputError(f"'{okr_id}' is not a valid OKR set id.")
        return self.folder / f"{okr_id}.json"
