"""Saved alignment checks, per workspace, in the database (one transaction per change).

Until the database they were JSON files in `<workspace>/checks/`: on first use such files are
imported (a damaged one is left where it is and named in `import_errors`) and the folder is
renamed `checks-imported/`, so nothing is lost and nothing is imported twice — the same rule
as for saved OKR sets (`goals/store.py`).

`stale_checks` lists the saved checks whose cited passages re-indexing changed or removed: the
verdict was reached on text that no longer says the same, so the check should be run again.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from assistant.alignment.report import AlignmentReport
from assistant.core.config import Settings
from assistant.core.errors import InputError
from assistant.db.engine import shared_database
from assistant.db.models import CheckReportRow
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.staleness import text_now_if_stale

__all__ = ["CheckStore", "StaleCheck", "stale_checks"]

_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,80}")


class StaleCheck(BaseModel):
    check: str  # the saved check's id
    title: str
    element: str  # the finding whose citation changed
    quote: str
    now: str  # the cited passage's text now, or "" when it is gone


class CheckStore:
    """Alignment reports the workspace asked to keep."""

    def __init__(self, settings: Settings) -> None:
        self.db = shared_database(settings)
        self.workspace = settings.workspace
        self.folder = settings.workspace_dir / "checks"  # the JSON files of earlier versions
        self.import_errors: dict[str, str] = {}
        if self.folder.is_dir():
            self._import_files()

    def save(self, report: AlignmentReport, check_id: str | None = None) -> str:
        if check_id is None:
            slug = re.sub(r"[^a-z0-9]+", "-", report.proposal_title.lower()).strip("-")[:40]
            check_id = f"{slug or 'proposal'}-{uuid.uuid4().hex[:6]}"
        _check_id(check_id)
        with self.db.session() as session:
            if session.get(CheckReportRow, check_id) is not None:
                raise InputError(f"A saved check '{check_id}' exists already.")
            session.add(CheckReportRow(id=check_id, workspace=self.workspace,
                                       title=report.proposal_title[:300],
                                       verdict=report.verdict,
                                       data=report.model_dump(mode="json")))
        return check_id

    def dated(self) -> list[tuple[str, AlignmentReport, datetime]]:
        """(id, report, when it was saved), oldest first."""
        with self.db.session() as session:
            rows = session.scalars(select(CheckReportRow).where(
                CheckReportRow.workspace == self.workspace).order_by(
                CheckReportRow.created_at, CheckReportRow.id)).all()
            return [(row.id, AlignmentReport.model_validate(row.data), row.created_at)
                    for row in rows]

    def list(self) -> list[tuple[str, AlignmentReport]]:
        with self.db.session() as session:
            rows = session.scalars(select(CheckReportRow).where(
                CheckReportRow.workspace == self.workspace).order_by(
                CheckReportRow.created_at, CheckReportRow.id)).all()
            return [(row.id, AlignmentReport.model_validate(row.data)) for row in rows]

    def delete(self, check_id: str) -> None:
        with self.db.session() as session:
            row = session.get(CheckReportRow, check_id) if _ID.fullmatch(check_id) else None
            if row is None or row.workspace != self.workspace:
                raise InputError(f"No saved check '{check_id}'.")
            session.delete(row)

    def _import_files(self) -> None:
        for path in sorted(self.folder.glob("*.json")):
            try:
                report = AlignmentReport.model_validate_json(path.read_text(encoding="utf-8"))
                _check_id(path.stem)
            except (OSError, ValidationError, InputError) as exc:
                self.import_errors[path.name] = str(exc).splitlines()[0][:200]
                continue
            with self.db.session() as session:
                exists = session.get(CheckReportRow, path.stem) is not None
            if not exists:
                self.save(report, path.stem)
        if not self.import_errors:
            target = self.folder.with_name("checks-imported")
            if target.exists():
                target = self.folder.with_name(f"checks-imported-{uuid.uuid4().hex[:6]}")
            self.folder.rename(target)


def _check_id(check_id: str) -> None:
    if not _ID.fullmatch(check_id):
        raise InputError(f"'{check_id}' is not a valid check id.")


def stale_checks(checks: list[tuple[str, AlignmentReport]], kb: KnowledgeBase
                 ) -> list[StaleCheck]:
    """Saved checks citing a passage that re-indexing changed or removed (one row each)."""
    out = []
    for check_id, report in checks:
        for finding in report.findings:
            changed = [(c, now) for c in finding.citations
                       if (now := text_now_if_stale(c, kb)) is not None]
            if changed:
                citation, now = changed[0]
                out.append(StaleCheck(check=check_id, title=report.proposal_title,
                                      element=finding.element, quote=citation.quote, now=now))
    return out
