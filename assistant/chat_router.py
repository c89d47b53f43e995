"""Decide what a chat message asks for: an OKR draft or a question about the documents.

Deterministic (keywords and the workspace's department names); a model-based router with
this as its fallback is planned with the full chat UI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .periods import next_quarter

__all__ = ["Route", "route"]

_DRAFT = re.compile(r"\b(okrs?|objectives and key results|key results)\b", re.IGNORECASE)
_VERB = re.compile(r"\b(draft|write|create|propose|suggest|make|generate|set)\b", re.IGNORECASE)
_PERIOD = re.compile(r"\b(20\d\d)[-\s]?(Q[1-4])\b|\b(Q[1-4])[-\s]?(20\d\d)\b", re.IGNORECASE)
_BARE_QUARTER = re.compile(r"\bQ([1-4])\b", re.IGNORECASE)


@dataclass(frozen=True)
class Route:
    task: str  # "draft_okrs" | "qa"
    department: str = ""
    period: str = ""


def route(message: str, departments: list[str], today: date) -> Route:
    """`draft_okrs` when the message asks to draft OKRs for a known department, else `qa`."""
    if not (_DRAFT.search(message) and _VERB.search(message)):
        return Route("qa")
    lower = message.lower()
    department = next((d for d in sorted(departments, key=len, reverse=True)
                       if d.lower() in lower), "")
    if not department:
        return Route("qa")
    period = next_quarter(today)
    if match := _PERIOD.search(message):
        year, quarter = (match.group(1), match.group(2)) if match.group(1) else (
            match.group(4), match.group(3))
        period = f"{year}-{quarter.upper()}"
    elif match := _BARE_QUARTER.search(message):
        quarter = int(match.group(1))
        current = (today.month - 1) // 3 + 1
        period = f"{today.year + (1 if quarter <= current else 0)}-Q{quarter}"
    return Route("draft_okrs", department, period)
