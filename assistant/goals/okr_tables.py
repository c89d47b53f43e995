"""OKR tables: a spreadsheet pasted as Markdown.

Two shapes. With an objective column (Objective | KR | Owner | Baseline | Target | Progress),
each row is a KR under the objective it names (a blank objective cell repeats the one above).
Without one (an exported sheet such as "Team | Priority | Owner | Mid-Q | End-Q"), a row whose
first cell is all bold and whose other cells are empty is an objective ("**1 Finish the base
use-case**"), an all-italic first cell is a note, a row with an empty or bold-only first cell
is a score line, and every other row is a key result. A table whose header names no OKR column
and that does not sit under an objective is not read (a schedule, a glossary).
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from assistant.goals.okr_lines import Line, clean_inline
from assistant.goals.okr_numbers import target_of

__all__ = ["TableSink", "read_table"]


class TableSink(Protocol):
    """Where a table's objectives and KRs go (the reader in `okr_read`)."""

    skipped: list[str]

    def add_objective(self, title: str, line: int, owners: list[str],
                      ambition: str | None) -> Any: ...

    def add_kr(self, objective: Any, raw: str, line: int, owner: str = "") -> Any: ...

_COLUMNS = {
    "objective": re.compile(r"^(?:objective|goal)s?$", re.IGNORECASE),
    "kr": re.compile(r"^(?:krs?|key results?|results?|measures?|metric)$", re.IGNORECASE),
    "owner": re.compile(r"^(?:owners?|dri|lead|responsible|who|assignee)$", re.IGNORECASE),
    "baseline": re.compile(r"^(?:baseline|start|current|from)$", re.IGNORECASE),
    "target": re.compile(r"^(?:target|goal value|to)$", re.IGNORECASE),
    "progress": re.compile(r"^(?:progress|score|status|end-?q|actual|grade)$", re.IGNORECASE),
}
_BOLD = re.compile(r"^\s*(\*\*|__)(?P<text>.+)\1\s*$")
_ITALIC = re.compile(r"^\s*[*_][^*_].*[*_]\s*$")
_LEADING_NUMBER = re.compile(r"^\s*\d+[.)]?\s+")


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = clean_inline(cell).text
        for key, pattern in _COLUMNS.items():
            if key not in found and pattern.match(name):
                found[key] = i
    return found


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _number(text: str) -> float | None:
    target = target_of(clean_inline(text).text)
    return target.value if target else None


def read_table(reader: TableSink, rows: list[Line], objective: Any) -> None:
    header, body = rows[0].cells, rows[1:]
    cols = _columns(header)
    if not ({"objective", "kr", "owner", "target"} & cols.keys()) and objective is None:
        reader.skipped.append(f"line {rows[0].no}: a table with no OKR columns "
                                  f"({' | '.join(clean_inline(c).text for c in header)})")
        return
    current = objective
    for row in body:
        cells = row.cells
        if "objective" in cols:
            title = clean_inline(_cell(cells, cols["objective"])).text
            if title and (current is None or title != current.title):
                current = reader.add_objective(title, row.no, [], None)
            text = _cell(cells, cols.get("kr", 1 if cols["objective"] == 0 else 0))
        else:
            first, rest = _cell(cells, 0), [c for c in cells[1:] if c.strip()]
            bold = _BOLD.match(first)
            if not re.search(r"\w", clean_inline(first).text) or (bold and rest):
                continue  # a score line ("**** | P0-P4 | | 0.3 | 0.6")
            if bold and not rest:
                title = _LEADING_NUMBER.sub("", clean_inline(bold.group("text")).text)
                current = reader.add_objective(title, row.no, [], None)
                continue
            if _ITALIC.match(first):
                reader.skipped.append(f"line {row.no}: note '{clean_inline(first).text}'")
                continue
            text = first
        if current is None or not clean_inline(text).text:
            continue
        kr = reader.add_kr(current, _LEADING_NUMBER.sub("", text), row.no,
                           owner=clean_inline(_cell(cells, cols.get("owner"))).text)
        if kr is None:
            continue
        if (target := _number(_cell(cells, cols.get("target")))) is not None:
            kr.target = target
        if (baseline := _number(_cell(cells, cols.get("baseline")))) is not None:
            kr.baseline = baseline
        if progress := clean_inline(_cell(cells, cols.get("progress"))).text:
            kr.progress = progress
