"""Work another department owns: a drafted objective or KR that repeats their lines.

The drafting prompt shows company passages, and the current OKRs among them list every
department's objectives ("## People objective: Show everyone a path to grow"). The 1.5B model
copied those into other departments' sets: Marketing's 2027-Q1 draft came back with People's
career ladder and Sales' equipment-support promise (`benchmarks/results-okrs-marketing-*`),
cited to weak Marketing passages, so a citation check does not see it. A label check did not
help either (asked to name the parent pillar its department owns, the model relabelled every
objective "Marketing Pillar 1" and kept the topics).

So the check reads content: the passages are cut into blocks, one per heading, and a block
belongs to a department when its heading starts with the department's name ("Sales
objective: …") or it comes from that department's own page. A drafted objective title or KR
statement is another department's work when at least `OWNED_SHARE` of its content-word stems
(at least `MIN_STEMS` of them) are in one of that department's blocks, and clearly fewer
(`OWN_MARGIN`) in any block of the drafting department or of the company's shared passages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assistant.core.text import content_stems
from assistant.knowledge.base import SearchHit

__all__ = ["MIN_STEMS", "OWNED_SHARE", "OWN_MARGIN", "Block", "blocks_of", "owner_of"]

OWNED_SHARE = 0.6
OWN_MARGIN = 0.2
MIN_STEMS = 4
_HEADING = re.compile(r"^\s*#+\s*(.+?)\s*$")


@dataclass(frozen=True)
class Block:
    department: str | None  # None: the company's, shared by every department
    heading: str
    source: str  # the passage id, e.g. "S12"
    stems: frozenset[str]


def _department(heading: str, departments: Iterable[str]) -> str | None:
    for name in sorted(departments, key=len, reverse=True):
        if heading.lower().startswith(name.lower()):
            return name
    return None


def blocks_of(passages: Mapping[str, SearchHit], departments: Iterable[str]) -> list[Block]:
    """Every passage cut at its headings, each piece labelled with the department it names."""
    names = list(departments)
    out = []
    for source, hit in passages.items():
        page = hit.department if hit.kind == "department" else None
        heading, lines = hit.section.split(" > ")[-1], []
        for line in [*hit.text.splitlines(), "# end"]:
            if (match := _HEADING.match(line)) is None:
                lines.append(line)
                continue
            if stems := content_stems(" ".join([heading, *lines])):
                out.append(Block(page or _department(heading, names), heading, source,
                                 frozenset(stems)))
            heading, lines = match.group(1), []
    return out


def owner_of(text: str, own: str, blocks: list[Block]) -> Block | None:
    """The other department's block the text repeats, or None (see the module docstring)."""
    stems = content_stems(text)
    if len(stems) < MIN_STEMS:
        return None

    def share(block: Block) -> float:
        return len(stems & block.stems) / len(stems)

    foreign = [b for b in blocks if b.department and b.department.lower() != own.lower()]
    if not foreign:
        return None
    best = max(foreign, key=share)
    mine = max((share(b) for b in blocks if b not in foreign), default=0.0)
    return best if share(best) >= OWNED_SHARE and share(best) - mine >= OWN_MARGIN else None
