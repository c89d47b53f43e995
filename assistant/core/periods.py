"""Goal periods: '2027-Q1', '2027-H2', '2027' or '2027-03' to start and end dates."""

from __future__ import annotations

import calendar
import re
from datetime import date

from assistant.core.errors import InputError

__all__ = ["next_quarter", "parse_period"]

_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|\d{2}))?$", re.IGNORECASE)


def parse_period(period: str) -> tuple[str, date, date]:
    """(normalised label, first day, last day); raises InputError on anything else."""
    match = _PERIOD.match(period.strip())
    if not match:
        raise InputError(f"Period '{period}' is not understood; use e.g. 2027-Q1, 2027-H2, 2027 "
                         "or 2027-03.")
    year, part = int(match.group(1)), (match.group(2) or "").upper()
    if part.startswith("Q"):
        q = int(part[1])
        first, last = 3 * q - 2, 3 * q
    elif part.startswith("H"):
        first, last = (1, 6) if part == "H1" else (7, 12)
    elif part:
        first = last = int(part)
        if not 1 <= first <= 12:
            raise InputError(f"Period '{period}' has no month {first}.")
    else:
        first, last = 1, 12
    label = f"{year}-{part}" if part else str(year)
    return label, date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def next_quarter(today: date) -> str:
    q = (today.month - 1) // 3 + 1
    return f"{today.year + 1}-Q1" if q == 4 else f"{today.year}-Q{q + 1}"
