"""Drafting from the strategy map: the department's slice of the map as compact, cited sources.

Instead of ~20 retrieved passages (strategy, values, non-goals, the plan, every department's
current OKRs), the drafting prompt gets the map's elements, one line each, grouped under the
passage they cite:

- company part (the same for every department, so llama.cpp reuses the prompt prefix): mission
  and vision, pillars with their perspective, values with their rules, non-goals, company-wide
  limits, company objectives and key results;
- department part: the department's own objectives, key results, initiatives and limits, then
  its own retrieved passages ("current metrics"), which hold the baselines.

Only a `substantive` map is used (a pillar and an objective or KR at least); otherwise drafting
reads passages.

Each group is a source `S<n>` whose passage is the cited chunk itself, so the drafting checks
(a baseline must be written in the cited passage, the quote is that passage's sentence) work
exactly as with retrieved passages. Elements whose cited chunk is gone (stale after
re-indexing) and rejected elements are left out. Another department's objectives never reach
the prompt, which is what kept pulling People's career-ladder goals into Marketing drafts.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.core.text import format_amount, numbers_in
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.strategy.model import MapElement

__all__ = ["MapSource", "company_slice", "department_slice", "element_line", "map_sources",
           "substantive"]

_COMPANY = ("statement", "pillar", "value", "non_goal", "limit", "objective", "key_result")
_OWN = ("objective", "key_result", "initiative", "limit")
_LABEL = {"statement": "Statement", "pillar": "Strategy pillar", "value": "Value",
          "non_goal": "We will not", "limit": "Limit", "objective": "Objective",
          "key_result": "Key result", "initiative": "Initiative"}


@dataclass
class MapSource:
    """One source of the prompt: a cited passage and the map lines that rest on it."""

    hit: SearchHit
    lines: list[str]


def element_line(e: MapElement) -> str:
    """One element as one line of the prompt: its label, title and numbers, in the documents'
    words where the title is a heading."""
    label = _LABEL[e.kind] + (f" ({e.perspective})" if e.perspective else "")
    if e.kind == "key_result":  # the numbers only where the title does not state them
        stated = numbers_in(e.title)
        extra = [f"baseline {format_amount(e.baseline, e.unit, 'unknown', True)}" for _ in [0]
                 if e.baseline is None or e.baseline not in stated]
        extra += [f"target {format_amount(e.target, e.unit, 'unknown', True)}" for _ in [0]
                  if e.target is not None and e.target not in stated]
        extra += [f"by {e.deadline}" for _ in [0] if e.deadline and e.deadline not in e.title]
        extra += [f"owner {e.owner}" for _ in [0] if e.owner and e.owner not in e.title]
        return f"{label}: {e.title}" + (f" ({', '.join(extra)})" if extra else "")
    if e.kind == "limit":
        scope = f" ({e.scope})" if e.scope else ""
        return f"{label}{scope}: {e.text or e.title}"
    if e.kind == "value" and e.rules:
        return f"{label}: {e.title} — " + " ".join(e.rules)
    if e.kind in ("non_goal", "pillar", "statement"):
        return f"{label}: {e.title} — {e.text}" if e.text and e.text != e.title else \
            f"{label}: {e.title}"
    return f"{label}: {e.title}"


def substantive(elements: list[MapElement]) -> bool:
    """Enough map to draft from: at least one pillar and one objective or key result. A map
    the rules barely read (the 18F handbook's holds one statement) starves the prompt:
    measured, drafting from it passed 50% of KRs with half the citations valid, against 75%
    and all valid from passages (docs/measurements.md), so such a map falls back."""
    live = [e for e in elements if e.status != "rejected"]
    return (any(e.kind == "pillar" for e in live)
            and any(e.kind in ("objective", "key_result") for e in live))


def company_slice(elements: list[MapElement]) -> list[MapElement]:
    return [e for e in elements if e.status != "rejected" and e.kind in _COMPANY
            and not e.department]


def department_slice(elements: list[MapElement], department: str) -> list[MapElement]:
    want = department.strip().lower()
    return [e for e in elements if e.status != "rejected" and e.kind in _OWN
            and e.department.lower() == want]


def _group(kb: KnowledgeBase, elements: list[MapElement]) -> list[MapSource]:
    """Elements grouped by the chunk they cite (first citation), in map order. A department
    element citing a chunk the company part also cites gets its own source (the same chunk
    under another id), so the company part stays the same for every department."""
    chunks = kb.get_chunks([e.citations[0].chunk_id for e in elements])
    groups: dict[str, MapSource] = {}
    for e in elements:
        hit = chunks.get(e.citations[0].chunk_id)
        if hit is None:  # the cited passage is gone: a stale element cannot ground a draft
            continue
        source = groups.setdefault(hit.chunk_id, MapSource(hit, []))
        line = element_line(e)
        if line not in source.lines:
            source.lines.append(line)
    return list(groups.values())


def map_sources(kb: KnowledgeBase, elements: list[MapElement], department: str
                ) -> tuple[list[MapSource], list[MapSource]]:
    """(company sources, department sources) from the map; empty when the map is."""
    return (_group(kb, company_slice(elements)),
            _group(kb, department_slice(elements, department)))
