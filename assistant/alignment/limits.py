"""Stated limits: numbers a proposal must not exceed, compared in code.

Non-goal and value pages often draw their line with a number: "no discount deeper than 15%
off list", "independent grocers of up to three stores", "small batches of at most 30 kg", "a
bank credit line of up to $250,000". The 1.5B model reads "40% off every bag" or "batches of
60 kg" as supporting the company (dev and test rows, measurements "Alignment check"). Comparing two
numbers is not a judgement, so code does it:

1. **Quantities in the proposal**: a number with its unit (percent, money, a measure such as kg,
   or the noun it counts, e.g. "stores") and the content words around it. "Half-price",
   "half price" and "half off" read as 50% off.
2. **Limits** in the statements retrieved for each quantity's sentence, from value, non-goal
   and plan passages: an upper bound ("up to", "at most", "no more than", "a maximum of",
   "capped at", "a cap of", "not exceed", or a comparative after a negation: "no discount
   deeper than") followed by a number and unit. Plans mostly state targets, which are no
   bound; the few caps they set ("paid social spend stays capped at $8,000 a month") count.
3. **A breach** when the units agree, the proposal's number is larger, and the two share a
   content word near their numbers ("off" and "sale" count as "discount"): without one a
   budget never meets a credit line, nor a 500-store supermarket chain a limit on grocers.

A breach is a conflict with the element that states the limit, cited to its chunk. A value's or
non-goal's limit caps the score like a broken non-goal; a plan's cap (kind "initiative") caps it
in the partially-aligned band, as the labelling rubric reads a budget cap: the idea may serve the
strategy, but not at that size without the owners changing the plan
(`alignment_report.score_findings`). Lower bounds ("at least") and limits written without
numbers are left to the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.alignment.elements import GUARD_KINDS, kind_of
from assistant.core.quantities import Limit, Quantity, limits_in, quantities_in
from assistant.knowledge.base import KnowledgeBase, SearchHit

__all__ = ["Breach", "Limit", "Quantity", "find_breaches", "limits_in", "quantities_in"]

_GUARDS = ("non-goal", "value", "initiative")  # initiative: a plan passage
_GUARD_DOCS = ["values", "non-goals"]


@dataclass(frozen=True)
class Breach:
    quantity: Quantity
    limit: Limit
    hit: SearchHit
    kind: str  # non-goal | value (a guard rail) | initiative (a plan's cap)


def _breaks(q: Quantity, limit: Limit) -> bool:
    bound = limit.quantity
    if q.unit != bound.unit or q.value <= bound.value:
        return False
    return bool((q.words & bound.words) - {q.unit})


def find_breaches(text: str, kb: KnowledgeBase) -> list[Breach]:
    """The stated limits the proposal's numbers exceed, one per limit sentence, from the value,
    non-goal and plan passages retrieved for each quantity's sentence."""
    breaches: dict[str, Breach] = {}
    for quantity, sentence in quantities_in(text):
        hits = {h.chunk_id: h for kinds in (_GUARD_DOCS, GUARD_KINDS)
                for h in kb.search(sentence, k=4, kinds=kinds)}  # plans crowd out the pages
        for hit in hits.values():  # of values and non-goals if searched together
            kind = kind_of(hit)
            if kind not in _GUARDS:
                continue
            for limit in limits_in(hit.text):
                if _breaks(quantity, limit) and limit.sentence not in breaches:
                    breaches[limit.sentence] = Breach(quantity, limit, hit, kind)
    return list(breaches.values())
