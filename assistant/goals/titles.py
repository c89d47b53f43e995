"""An objective titled with its key result's number is a key result: code takes the number out.

Objectives are qualitative; numbers belong in key results (lint O1, okr-quality-rules.md). The
local model titles objectives with targets anyway ("Increase partner satisfaction by 10% in
Q1"; 6 of the 8 drafts of the drafting eval on 2026-12-02) and then often writes the same line
again as KR 1, which lint A4 rejects as a repeat. Asked to repair it, the model gave both
lines back (both 18F drafts ended with "KR 1: Repeats objective 1").

When a key result of the same objective commits to the title's number, the title keeps its
words up to the measured clause — from the first "from / to / by / in / at … <number, the end,
a quarter or a fiscal year>" on — so "Increase partner satisfaction by 10% in Q1" becomes
"Increase partner satisfaction" and the number stays in the KR that measures it. Each change is
noted in the set. A title whose number no KR of its own carries is left as written, for lint
O1's warning and the person: removing it would lose a commitment.
"""

from __future__ import annotations

import re

from assistant.goals.draft_model import DraftObjective, DraftOKRs
from assistant.goals.okr_numbers import Target, target_of

__all__ = ["measured_titles", "without_measure"]

_MEASURED = re.compile(
    r"[\s,]+(?:from|to|by|at|in|within|of|over|under|above|below)\s+"
    r"(?:(?:the\s+)?end\b|Q[1-4]\b|FY\s?\d|[£$€]?\d)", re.IGNORECASE)
_TRAILING = re.compile(r"(?:[\s,;:–-]+|\s+(?:and|or|with)\b)+$", re.IGNORECASE)


def without_measure(title: str) -> str | None:
    """The title up to its measured clause, or None when nothing qualitative is left (fewer
    than two words, or a digit still in it)."""
    match = _MEASURED.search(title)
    if match is None:
        return None
    head = _TRAILING.sub("", title[:match.start()]).strip()
    if len(head.split()) < 2 or any(ch.isdigit() for ch in head):
        return None
    return head


def _same(a: Target, b: Target) -> bool:
    return a.value == b.value and (a.unit == b.unit or not a.unit or not b.unit)


def _carried(objective: DraftObjective) -> bool:
    """A KR of the objective commits to the number its title states."""
    title = target_of(objective.title)
    if title is None:
        return False
    return any((kr_target := target_of(kr.statement)) is not None and _same(title, kr_target)
               for kr in objective.key_results)


def measured_titles(draft: DraftOKRs) -> tuple[DraftOKRs, list[str]]:
    """The draft with each title whose number a KR of its own carries cut before that number,
    and a note for each."""
    objectives: list[DraftObjective] = []
    notes: list[str] = []
    for n, objective in enumerate(draft.objectives, 1):
        head = without_measure(objective.title) if _carried(objective) else None
        if head is None:
            objectives.append(objective)
            continue
        notes.append(f"Objective {n} (“{objective.title[:80]}”) stated a key result's number; "
                     f"the title is now “{head}” and the number stays in the key result.")
        objectives.append(objective.model_copy(update={"title": head}))
    if not notes:
        return draft, []
    return type(draft).model_validate({"objectives": [o.model_dump() for o in objectives]}), notes
