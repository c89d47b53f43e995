"""Check-ins on key results, kept in the database, and each KR's status computed from them.

A check-in is (KR id, value, confidence, note, who, the day it was measured). Rows are only
added, never updated: the history is the record, and two people checking in on the same KR at
the same moment are both kept. A batch (a CSV import) is one transaction: every row is checked
first, and one bad row saves nothing, with a per-row error for each bad row.

Status per KR: the latest check-in (by measured day, then by when it was entered), progress
and grade from `progress.py` (a "projected" grade until the KR's deadline, then met or missed),
and "stale" when the latest check-in is older than
`checkin_stale_days` (default 14) or there is none.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from assistant.core.config import PACKAGE_DATA, Settings
from assistant.core.errors import InputError
from assistant.db.engine import shared_database
from assistant.db.models import CheckInRow
from assistant.review.progress import grade, progress
from assistant.review.tracked import TrackedKR, tracked_krs

__all__ = ["CONFIDENCES", "CheckIn", "CheckInStore", "KRStatus", "read_checkins_csv",
           "seed_sample_checkins", "statuses"]

Confidence = Literal["on_track", "at_risk", "off_track"]
CONFIDENCES: tuple[str, ...] = ("on_track", "at_risk", "off_track")
MAX_IMPORT_ROWS = 5000
_ALIASES = {"on track": "on_track", "at risk": "at_risk", "off track": "off_track",
            "green": "on_track", "amber": "at_risk", "yellow": "at_risk", "red": "off_track"}


class CheckIn(BaseModel):
    kr_id: str = Field(min_length=1, max_length=300)
    value: float | None = None
    confidence: Confidence
    note: str = Field("", max_length=2000)
    author: str = Field("", max_length=120)
    at: date


class KRStatus(BaseModel):
    kr: TrackedKR
    latest: CheckIn | None
    checkins: int
    progress: float | None
    grade: float | None
    success: float
    grade_verdict: str
    stale: bool
    days_since: int | None


class CheckInStore:
    """The workspace's check-ins."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = shared_database(settings)
        self.workspace = settings.workspace

    def add(self, checkin: CheckIn, today: date | None = None) -> CheckIn:
        return self.add_many([checkin], today)[0]

    def add_many(self, checkins: list[CheckIn], today: date | None = None) -> list[CheckIn]:
        """Check every row against the tracked KRs, then save all in one transaction."""
        known = {k.id for k in tracked_krs(self.settings)}
        problems = [f"row {n}: {problem}" for n, c in enumerate(checkins, 1)
                    if (problem := _problem(c, known, today or date.today()))]
        if problems:
            raise InputError(f"Nothing was saved: {len(problems)} of {len(checkins)} check-in(s) "
                             "have a problem.\n" + "\n".join(problems[:50]))
        with self.db.session() as session:
            session.add_all([CheckInRow(workspace=self.workspace, kr_id=c.kr_id, value=c.value,
                                        confidence=c.confidence, note=c.note,
                                        author=c.author, at=c.at) for c in checkins])
        return checkins

    def history(self, kr_id: str | None = None) -> list[CheckIn]:
        """Oldest first (by measured day, then entry)."""
        query = select(CheckInRow).where(CheckInRow.workspace == self.workspace)
        if kr_id is not None:
            query = query.where(CheckInRow.kr_id == kr_id)
        with self.db.session() as session:
            rows = session.scalars(query.order_by(CheckInRow.at, CheckInRow.id)).all()
            return [CheckIn(kr_id=r.kr_id, value=r.value, confidence=r.confidence,
                            note=r.note, author=r.author, at=r.at) for r in rows]

    def count(self) -> int:
        return len(self.history())


def _problem(c: CheckIn, known: set[str], today: date) -> str:
    if c.kr_id not in known:
        return f"no tracked key result '{c.kr_id}' (see `keel checkins` for the ids)"
    if c.value is not None and not math.isfinite(c.value):
        return f"value {c.value} is not a number"
    if c.at > today:
        return f"the date {c.at.isoformat()} is in the future"
    return ""


def statuses(settings: Settings, period: str | None = None, department: str | None = None,
             today: date | None = None) -> list[KRStatus]:
    """The status of every tracked KR (of a period and department, if given)."""
    today = today or date.today()
    by_kr: dict[str, list[CheckIn]] = {}
    for c in CheckInStore(settings).history():
        by_kr.setdefault(c.kr_id, []).append(c)
    out = []
    for kr in tracked_krs(settings, period, department):
        history = by_kr.get(kr.id, [])
        latest = history[-1] if history else None
        value = progress(kr.baseline, kr.target, latest.value if latest else None, kr.direction)
        graded = grade(value, kr.ambition)
        days = (today - latest.at).days if latest else None
        running = kr.deadline is not None and today <= kr.deadline
        out.append(KRStatus(kr=kr, latest=latest, checkins=len(history), progress=value,
                            grade=graded.value, success=graded.success,
                            grade_verdict="projected" if running and graded.value is not None
                            else graded.verdict,
                            stale=days is None or days > settings.checkin_stale_days,
                            days_since=days))
    return out


_COLUMNS = {"kr_id": ("kr_id", "kr", "key result id", "id"), "value": ("value", "current",
            "current value"), "confidence": ("confidence", "status"), "note": ("note", "notes",
            "comment"), "author": ("by", "author", "owner", "who"), "at": ("date", "at", "day",
            "measured")}


def read_checkins_csv(data: bytes, name: str = "checkins.csv") -> list[CheckIn]:
    """Check-ins from a CSV or an Excel workbook (.xlsx, its first sheet): columns kr_id,
    value, confidence, and optionally note, by, date (ISO, default today). Every bad row is
    named; none is kept."""
    if name.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _read_rows(*_xlsx_rows(data, name), name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name} is not UTF-8 text (save the spreadsheet as CSV UTF-8, "
                         "or upload the .xlsx itself).") from exc
    try:
        reader = csv.DictReader(io.StringIO(text))
        fields = [f or "" for f in reader.fieldnames or []]
        rows = [{k or "": v or "" for k, v in r.items()} for r in reader]
    except csv.Error as exc:
        raise InputError(f"{name} is not a readable CSV: {exc}") from exc
    return _read_rows(fields, rows, name)


def _xlsx_rows(data: bytes, name: str) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows as text) of the workbook's first sheet; dates become ISO dates."""
    from openpyxl import load_workbook

    def text(value: object, number_format: str) -> str:
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, int | float) and "%" in number_format:
            return f"{value * 100:g}"  # a cell shown as 6.6% holds 0.066
        return "" if value is None else str(value)

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        table = [[text(c.value, getattr(c, "number_format", "") or "") for c in r]
                 for r in sheet.iter_rows()]
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"{name} is not a readable .xlsx workbook: {type(exc).__name__}"
                         ) from None
    if not table:
        return [], []
    header = [c.strip() for c in table[0]]
    rows = [dict(zip(header, r, strict=False)) for r in table[1:] if any(c.strip() for c in r)]
    return header, rows


def _read_rows(fields: list[str], rows: list[dict[str, str]], name: str) -> list[CheckIn]:
    header = {f.strip().lower(): f for f in fields}
    column = {key: next((header[a] for a in names if a in header), None)
              for key, names in _COLUMNS.items()}
    missing = [k for k in ("kr_id", "value", "confidence") if column[k] is None]
    if missing:
        raise InputError(f"{name} needs the columns kr_id, value and confidence; missing "
                         f"{', '.join(missing)} (found: {', '.join(header) or 'no header'}).")
    if not rows:
        raise InputError(f"{name} has no check-ins.")
    if len(rows) > MAX_IMPORT_ROWS:
        raise InputError(f"{name} has {len(rows)} rows; the limit is {MAX_IMPORT_ROWS}.")
    out, problems = [], []
    for n, row in enumerate(rows, 2):  # row 1 is the header
        cell = {k: (row.get(c) or "").strip() if c else "" for k, c in column.items()}
        try:
            out.append(_checkin(cell))
        except (InputError, ValueError) as exc:
            problems.append(f"line {n}: {str(exc).splitlines()[0][:160]}")
    if problems:
        raise InputError(f"Nothing was imported from {name}: {len(problems)} of {len(rows)} "
                         "row(s) have a problem.\n" + "\n".join(problems[:50]))
    return out


def _checkin(cell: dict[str, str]) -> CheckIn:
    confidence = cell["confidence"].lower().replace("-", "_")
    confidence = _ALIASES.get(confidence.replace("_", " "), confidence)
    if confidence not in CONFIDENCES:
        raise InputError(f"confidence '{cell['confidence']}' is not one of on_track, at_risk, "
                         "off_track")
    raw = cell["value"].replace(",", "").replace("$", "").rstrip("%").strip()
    try:
        value = float(raw) if raw else None
    except ValueError:
        raise InputError(f"value '{cell['value']}' is not a number") from None
    try:
        at = date.fromisoformat(cell["at"]) if cell["at"] else date.today()
    except ValueError:
        raise InputError(f"date '{cell['at']}' is not a date like 2027-02-14") from None
    if not cell["kr_id"]:
        raise InputError("kr_id is empty")
    return CheckIn(kr_id=cell["kr_id"], value=value, confidence=confidence,
                   note=cell["note"][:2000], author=cell["author"][:120], at=at)


def seed_sample_checkins(settings: Settings) -> int:
    """A quarter of check-ins for the bundled sample company (marked SAMPLE DATA in every
    note), added once to a workspace that has none and whose map holds the sample's KRs.
    Returns how many were added (0 when skipped)."""
    store = CheckInStore(settings)
    if store.count():
        return 0
    rows = read_checkins_csv((PACKAGE_DATA / "sample_checkins.csv").read_bytes(),
                             "sample_checkins.csv")
    known = {k.id for k in tracked_krs(settings)}
    if not all(c.kr_id in known for c in rows):
        return 0
    store.add_many(rows, today=max(c.at for c in rows))
    return len(rows)
