"""The focus region: a proposal that takes the business outside where the strategy says it
focuses, found in code.

A strategy often draws its map in one sentence ("We focus on Maine, New Hampshire and
Massachusetts"), and the labelling rubric reads a proposal that serves a goal somewhere else
as *partially* aligned: the idea may be right, the place is not what was decided. The 1.5B
model reads "sign 20 cafés in New York" as supporting "Partner, not supplier, to New England
cafés" (dev split), so code compares the places:

1. **Places** are US states (and "New England" as its six states), matched by name with
   capitals; a city named after its state ("New York City") counts as the state. Other
   countries and cities are not read: this is a small-business gazetteer, not geocoding.
2. **Focus sentences** in the strategy, plan, vision and mission passages retrieved for each
   proposal sentence that names a place: "focus on", "only in", "limited to", "stay(s)
   within", with at least one place.
3. **Outside** when the proposal's sentence names a place the focus leaves out *and* shares a
   content word with the focus passage (its heading and sentence, place names aside): the
   focus of a wholesale pillar ("New England cafés") does not bind a subscription shipped to
   Ohio unless the proposal is about cafés too.

An outside finding caps the score in the partially-aligned band, like a plan's cap
(`alignment_report.score_findings`).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.core.places import FOCUS, GROUPS, US_STATES, focus_in, places_in
from assistant.core.text import content_stems, split_sentences
from assistant.knowledge.base import KnowledgeBase, SearchHit

__all__ = ["Outside", "find_outside", "focus_in", "places_in"]

_PLACE_STEMS = frozenset(s for name in [*US_STATES, *GROUPS] for s in content_stems(name))


@dataclass(frozen=True)
class Outside:
    places: tuple[str, ...]  # the proposal's places the focus leaves out, as written
    focus: tuple[str, ...]  # the states the focus sentence names
    sentence: str  # the focus sentence, verbatim
    hit: SearchHit


def _outside(sentence: str, hit: SearchHit) -> Outside | None:
    named = places_in(sentence)
    topic = content_stems(sentence) - _PLACE_STEMS
    for states, focus in focus_in(hit.text):
        left_out = tuple(p for p, covers in named.items() if not set(covers) & states)
        heading = hit.section.split(" > ")[-1]  # the focus phrase itself is no topic
        about = content_stems(f"{heading} {FOCUS.sub(' ', focus)}") - _PLACE_STEMS
        if left_out and topic & about:
            return Outside(left_out, tuple(sorted(states)), focus, hit)
    return None


def find_outside(text: str, kb: KnowledgeBase) -> list[Outside]:
    """The focus regions the proposal leaves, one per focus sentence, from the strategy, plan,
    vision and mission passages retrieved for each of its sentences that names a place."""
    found: dict[str, Outside] = {}
    for sentence in split_sentences(text, semicolons=True):
        if not places_in(sentence):
            continue
        for hit in kb.search(sentence, k=4, kinds=["strategy", "plan", "vision", "mission"]):
            if (out := _outside(sentence, hit)) is not None and out.sentence not in found:
                found[out.sentence] = out
    return list(found.values())
