"""Saved stress tests (scenarios and war games), per workspace, in the database."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy import select

from assistant.core.config import Settings
from assistant.core.errors import InputError
from assistant.db.engine import shared_database
from assistant.db.models import StressTestRow
from assistant.scenarios.model import ScenarioReport, WarGameReport

__all__ = ["StressReport", "StressStore"]

StressReport = ScenarioReport | WarGameReport
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,80}")


def _title(report: StressReport) -> str:
    return report.scenario if isinstance(report, ScenarioReport) else report.competitor


def _load(row: StressTestRow) -> StressReport:
    if row.kind == "wargame":
        return WarGameReport.model_validate(row.data)
    return ScenarioReport.model_validate(row.data)


class StressStore:
    def __init__(self, settings: Settings) -> None:
        self.db = shared_database(settings)
        self.workspace = settings.workspace

    def save(self, report: StressReport) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", _title(report).lower()).strip("-")[:40]
        test_id = f"{slug or report.kind}-{uuid.uuid4().hex[:6]}"
        with self.db.session() as session:
            session.add(StressTestRow(id=test_id, workspace=self.workspace, kind=report.kind,
                                      title=_title(report)[:300],
                                      data=report.model_dump(mode="json")))
        return test_id

    def dated(self) -> list[tuple[str, StressReport, datetime]]:
        """(id, report, when it was saved), oldest first."""
        with self.db.session() as session:
            rows = session.scalars(select(StressTestRow).where(
                StressTestRow.workspace == self.workspace).order_by(
                StressTestRow.created_at, StressTestRow.id)).all()
            return [(row.id, _load(row), row.created_at) for row in rows]

    def get(self, test_id: str) -> StressReport:
        with self.db.session() as session:
            row = session.get(StressTestRow, test_id) if _ID.fullmatch(test_id) else None
            if row is None or row.workspace != self.workspace:
                raise InputError(f"No saved scenario or war game '{test_id}' (see "
                                 "`keel scenarios`).")
            return _load(row)

    def delete(self, test_id: str) -> None:
        with self.db.session() as session:
            row = session.get(StressTestRow, test_id) if _ID.fullmatch(test_id) else None
            if row is None or row.workspace != self.workspace:
                raise InputError(f"No saved scenario or war game '{test_id}'.")
            session.delete(row)
