"""The workspace's alignment index: how much of its work traces to a strategy pillar.

alignment index = (KRs and initiatives tracing to a pillar) / (all of them), counting the
strategy map's key results and initiatives, saved OKR sets' KRs and saved checks' initiatives.

A map element traces when its links (`serves`: initiative → KR → objective → pillar) reach a
pillar; a saved KR traces when its objective's parent, or a passage it or its objective cites,
names a pillar; a checked initiative traces when a goal or initiative it supports does (and the
check did not find it misaligned). Pillars are the map's pillars; a workspace without a map
falls back to the sections of its strategy documents (headings such as "Pillar 2: Partner, not
supplier"), then to its mission and plan sections.
"""

from __future__ import annotations

import re
from collections import Counter

from pydantic import BaseModel

from assistant.alignment.store import CheckStore
from assistant.core.config import Settings
from assistant.db.engine import shared_database
from assistant.goals.store import GoalStore
from assistant.knowledge.base import KnowledgeBase
from assistant.strategy.model import MapElement
from assistant.strategy.store import StrategyMap

__all__ = ["INDEX_FORMULA", "AlignmentIndex", "alignment_index"]

INDEX_FORMULA = ("alignment index = (map KRs and initiatives + saved KRs + checked initiatives "
                 "that trace to a pillar) / (map KRs and initiatives + saved KRs + checked "
                 "initiatives)")
_WORD = re.compile(r"[a-z0-9]+")
_SMALL = {"the", "and", "for", "our", "not", "a", "to", "of", "in", "at", "on", "with"}


class AlignmentIndex(BaseModel):
    index: float | None
    formula: str = INDEX_FORMULA
    pillars: list[str]
    traced: int
    total: int
    per_pillar: dict[str, int]
    unmapped: list[str]
    perspectives: dict[str, int]
    missing_perspectives: list[str]


def _pillars(kb: KnowledgeBase) -> list[str]:
    docs = kb.documents()
    for kinds in (("strategy",), ("mission", "vision", "plan")):
        ids = [d.doc_id for d in docs if d.kind in kinds]
        sections = []
        for doc_id in ids:
            sections += [h.section.split(" > ")[-1] for h in kb.chunks_of(doc_id)]
        named = [s for s in sections if re.search(r"pillar|priority|goal|theme", s, re.I)]
        if named or sections:
            return list(dict.fromkeys(named or sections))
    return []


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _SMALL and len(w) > 2}


def _match(text: str, pillars: list[str]) -> str | None:
    """The pillar a text names: 'Pillar 2' by number, or most of the pillar's words."""
    low = text.lower()
    for pillar in pillars:
        number = re.match(r"((?:pillar|priority|goal|theme)\s+\d+)", pillar.lower())
        if number and re.search(rf"\b{re.escape(number.group(1))}\b", low):
            return pillar
    have = _words(text)
    best = max(pillars, key=lambda p: len(_words(p) & have), default=None)
    if best and _words(best) and len(_words(best) & have) / len(_words(best)) >= 0.6:
        return best
    return None


def _map_links(elements: list[MapElement]) -> tuple[list[tuple[MapElement, str | None]],
                                                      list[str]]:
    """([(map KR or initiative, the pillar its links reach or None)], the map's pillars)."""
    by_key = {e.key: e for e in elements}

    def pillar_of(e: MapElement, seen: frozenset[str]) -> str | None:
        for key in e.serves:
            up = by_key.get(key)
            if up is None or key in seen:
                continue
            if up.kind == "pillar":
                return up.title
            if (found := pillar_of(up, seen | {key})) is not None:
                return found
        return None

    work = [e for e in elements if e.kind in ("key_result", "initiative")]
    return ([(e, pillar_of(e, frozenset({e.key}))) for e in work],
            [e.title for e in elements if e.kind == "pillar"])


def alignment_index(settings: Settings, kb: KnowledgeBase) -> AlignmentIndex:
    links, map_pillars = _map_links(StrategyMap(shared_database(settings),
                                                settings.workspace).elements())
    pillars = map_pillars or _pillars(kb)
    per_pillar: Counter[str] = Counter()
    perspectives: Counter[str] = Counter()
    unmapped: list[str] = []
    total = len(links)
    for element, pillar in links:
        if pillar in pillars:
            per_pillar[pillar] += 1
        else:
            unmapped.append(f"map {element.kind.replace('_', ' ')}: {element.title}")
    for okrs in GoalStore(settings).list():
        for obj in okrs.objectives:
            if obj.perspective:
                perspectives[obj.perspective] += len(obj.key_results) or 1
            for kr in obj.key_results:
                total += 1
                texts = [obj.parent, *(c.section + " " + c.quote for c in
                                       [*obj.citations, *kr.citations])]
                hit = next((p for t in texts if (p := _match(t, pillars))), None)
                if hit:
                    per_pillar[hit] += 1
                else:
                    unmapped.append(f"KR ({okrs.department} {okrs.period}): {kr.statement}")
    for check_id, report in CheckStore(settings).list():
        total += 1
        perspectives.update(report.perspectives)
        texts = [f.element + " " + f.statement for f in report.findings
                 if f.stance == "supports" and f.kind in ("goal", "initiative")]
        hit = next((p for t in texts if (p := _match(t, pillars))), None)
        if hit and report.verdict != "misaligned":
            per_pillar[hit] += 1
        else:
            unmapped.append(f"initiative ({check_id}): {report.proposal_title}")
    traced = sum(per_pillar.values())
    all_perspectives = ["Financial", "Customer", "Internal process", "Learning & growth"]
    return AlignmentIndex(
        index=round(traced / total, 3) if total else None, pillars=pillars, traced=traced,
        total=total, per_pillar={p: per_pillar.get(p, 0) for p in pillars}, unmapped=unmapped,
        perspectives={p: perspectives.get(p, 0) for p in all_perspectives},
        missing_perspectives=[p for p in all_perspectives if not perspectives.get(p)])

