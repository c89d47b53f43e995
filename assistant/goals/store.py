"""Accepted OKR sets, saved per workspace in the database (one transaction per change).

They become context for next quarter's drafts and for alignment checks. Until the database,
they were JSON files in `<workspace>/goals/`: on first use such files are imported (a damaged
one is left where it is and named in `import_errors`), and the folder is renamed
`goals-imported/`, so nothing is lost and nothing is imported twice.
"""

from __future__ import annotations

import re
import uuid

from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from assistant.core.config import Settings
from assistant.core.errors import InputError
from assistant.core.files import write_atomic
from assistant.core.schemas import OKRSet
from assistant.db.engine import shared_database
from assistant.db.models import OKRSetRow
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.staleness import text_now_if_stale

__all__ = ["GoalStore", "StaleCitation", "stale_citations", "write_atomic"]


class StaleCitation(BaseModel):
    """A saved OKR set's citation whose quote is no longer in the cited chunk."""

    okr_set: str
    where: str  # "Objective 1" or "Objective 1, KR 2"
    quote: str
    now: str  # the cited section's text now, or "" when it is gone


class GoalStore:
    """List, save, load and delete the workspace's OKR sets."""

    def __init__(self, settings: Settings) -> None:
        self.db = shared_database(settings)
        self.workspace = settings.workspace
        self.folder = settings.workspace_dir / "goals"  # the JSON files of earlier versions
        self.import_errors: dict[str, str] = {}
        if self.folder.is_dir():
            self._import_files()

    def save(self, okrs: OKRSet) -> OKRSet:
        if not okrs.id:
            slug = re.sub(r"[^a-z0-9]+", "-", okrs.department.lower()).strip("-") or "team"
            okrs.id = f"{slug}-{okrs.period.lower() or 'undated'}-{uuid.uuid4().hex[:6]}"
        _check_id(okrs.id)
        okrs.workspace = self.workspace
        data = okrs.model_dump(mode="json")
        with self.db.session() as session:
            row = session.get(OKRSetRow, okrs.id)
            if row is not None and row.workspace != self.workspace:
                raise InputError(f"OKR set id '{okrs.id}' belongs to another workspace.")
            if row is None:
                session.add(OKRSetRow(id=okrs.id, workspace=self.workspace,
                                      department=okrs.department, period=okrs.period,
                                      data=data))
            else:
                row.department, row.period, row.data = okrs.department, okrs.period, data
        return okrs

    def list(self) -> list[OKRSet]:
        with self.db.session() as session:
            rows = session.scalars(select(OKRSetRow).where(
                OKRSetRow.workspace == self.workspace).order_by(OKRSetRow.id)).all()
            return [OKRSet.model_validate(row.data) for row in rows]

    def get(self, okr_id: str) -> OKRSet:
        _check_id(okr_id)
        with self.db.session() as session:
            row = session.get(OKRSetRow, okr_id)
            if row is None or row.workspace != self.workspace:
                known = ", ".join(s.id for s in self.list()[:10]) or "none saved"
                raise InputError(f"No saved OKR set '{okr_id}'. Known: {known}")
            return OKRSet.model_validate(row.data)

    def delete(self, okr_id: str) -> None:
        self.get(okr_id)
        with self.db.session() as session:
            row = session.get(OKRSetRow, okr_id)
            if row is not None:
                session.delete(row)

    def _import_files(self) -> None:
        """Move the JSON files of earlier versions into the database (see the docstring)."""
        for path in sorted(self.folder.glob("*.json")):
            try:
                okrs = OKRSet.model_validate_json(path.read_text(encoding="utf-8"))
                okrs.id = okrs.id or path.stem
                _check_id(okrs.id)
            except (OSError, ValidationError, InputError) as exc:
                self.import_errors[path.name] = str(exc).splitlines()[0][:200]
                continue
            with self.db.session() as session:
                exists = session.get(OKRSetRow, okrs.id) is not None
            if not exists:
                self.save(okrs)
        if not self.import_errors:
            target = self.folder.with_name("goals-imported")
            if target.exists():
                target = self.folder.with_name(f"goals-imported-{uuid.uuid4().hex[:6]}")
            self.folder.rename(target)


def _check_id(okr_id: str) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,80}", okr_id):
        raise InputError(f"'{okr_id}' is not a valid OKR set id.")


def stale_citations(sets: list[OKRSet], kb: KnowledgeBase) -> list[StaleCitation]:
    """Where saved OKR sets cite passages that re-indexing changed or removed."""
    out = []
    for okrs in sets:
        for n, objective in enumerate(okrs.objectives, 1):
            places = [(f"Objective {n}", objective.citations)] + [
                (f"Objective {n}, KR {k}", kr.citations)
                for k, kr in enumerate(objective.key_results, 1)]
            for where, citations in places:
                for citation in citations:
                    now = text_now_if_stale(citation, kb)
                    if now is not None:
                        out.append(StaleCitation(okr_set=okrs.id, where=where,
                                                 quote=citation.quote, now=now))
    return out
