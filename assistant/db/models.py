"""The tables. Changes to them go through an Alembic migration in `migrations/versions/`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "CheckInRow", "CheckReportRow", "MapChangeRow", "MapElementRow", "OKRSetRow",
           "StressTestRow"]


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class MapElementRow(Base):
    """One element of a workspace's strategy map (see `assistant.strategy.model.MapElement`)."""

    __tablename__ = "map_elements"
    __table_args__ = (UniqueConstraint("workspace", "key", name="uq_map_elements_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(40), index=True)
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(12))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the element as it stands
    # what the rules last read from the documents ({} once they no longer say it; None for a
    # person's own element): a rebuild compares with this, not with a person's edits
    built: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now,
                                                 onupdate=_now)
    # a write based on a stale read raises StaleDataError instead of overwriting
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class MapChangeRow(Base):
    """A change a rebuild found for an element a person confirmed or edited: to accept or reject."""

    __tablename__ = "map_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(40), index=True)
    key: Mapped[str] = mapped_column(String(200))
    change: Mapped[str] = mapped_column(String(10))  # added | changed | removed
    proposed: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="open")  # open|accepted|rejected
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class OKRSetRow(Base):
    """A saved OKR set (`assistant.core.schemas.OKRSet` as JSON)."""

    __tablename__ = "okr_sets"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(40), index=True)
    department: Mapped[str] = mapped_column(String(120))
    period: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now,
                                                 onupdate=_now)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CheckReportRow(Base):
    """A saved alignment check (`assistant.alignment.report.AlignmentReport` as JSON)."""

    __tablename__ = "check_reports"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300))
    verdict: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class StressTestRow(Base):
    """A saved scenario or war game (`assistant.scenarios.model` reports as JSON)."""

    __tablename__ = "stress_tests"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # scenario | wargame
    title: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class CheckInRow(Base):
    """One check-in on a key result: its value, the owner's confidence, a note. Rows are only
    ever added (the history is the record), so two people checking in at once are both kept."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(40), index=True)
    kr_id: Mapped[str] = mapped_column(String(300), index=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    confidence: Mapped[str] = mapped_column(String(12))  # on_track | at_risk | off_track
    note: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(120), default="")
    at: Mapped[date] = mapped_column(Date)  # the day the value was measured
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
