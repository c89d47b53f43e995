"""Which elements of the strategy map a scenario moves — decided in code, with reasons.

The model proposes (the scenario's consequences in plain words, "roasting costs rise"); code
disposes. Each phrase — the scenario itself and each consequence — is compared with what every
key result, limit, pillar and objective measures (`profile`):

* **words**: the share of the element's content stems, weighted by rarity in the map (a stem
  every KR has, such as "subscriber", counts little), found in the phrase (`WORDS_AT`);
* **meaning**: cosine similarity of the two embeddings (`SIMILAR_AT`).

An element is exposed when either reaches its threshold. A pillar is exposed through its links
when `PILLAR_LINKS` of the KRs under it are. Each exposure names the phrase, the shared words or
the similarity, and the passage the element cites. Thresholds are chosen on the dev scenarios
(`evals/datasets/scenarios_dev.yaml`) only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.core.text import content_stems
from assistant.knowledge.embeddings import Embedder, cosine
from assistant.scenarios.drivers import drivers_named
from assistant.scenarios.model import Exposed
from assistant.strategy.model import MapElement

__all__ = ["CHECK_FLOOR", "EXPOSABLE", "MODEL_SIMILAR_AT", "MODEL_WORDS_AT", "PILLAR_LINKS",
           "SIMILAR_AT", "TO_CHECK", "WORDS_AT", "Phrase", "closest", "expose", "profile"]

EXPOSABLE = ("key_result", "limit", "pillar", "objective")
# Chosen on the 14 dev scenarios (research/scenarios/dev_sweep.py; best F1 0.47, precision
# 0.48, recall 0.46, recall with the questions 0.68): no setting came near 0.8.
WORDS_AT = 0.3  # weighted share of an element's stems found in the scenario
SIMILAR_AT = 0.35  # cosine similarity of the scenario and an element
# the model's consequences are generic ("the company's revenue will decrease"): their own bars
MODEL_WORDS_AT = 0.7
MODEL_SIMILAR_AT = 0.5
CHECK_FLOOR = 0.25  # below this similarity an element is not even worth asking about
TO_CHECK = 3  # the closest undecided elements, put to the person as questions
PILLAR_LINKS = 2  # exposed KRs under a pillar that expose it
DRIVER_SCORE = 0.5  # the score shown for an exposure the drivers table found
DRIVER_BONUS = 0.3  # ranking: a named driver counts this much on top of words or meaning
ALONE_AT = 0.5  # with the drivers table: words or meaning alone must reach this
MAX_EXPOSED = 3  # exposed elements per scenario (before links); the others can be asked
_NOISE = content_stems("raise grow reduce increase decrease cut keep hold lift bring improve "
                       "from to by at least most below above share owner end month year "
                       "quarter each every new per pillar total number rate")
_VERB = {"key_result": "measures", "limit": "limits", "pillar": "is about",
         "objective": "aims at"}  # "It measures …" in a reason
_NUMBERS = re.compile(r"[$€£]?\d[\d,.]*\s*(%|[kKmM]\b)?")
_LABEL = re.compile(r"^\s*(pillar|objective|kr)\s*\d*\s*[:.]\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Phrase:
    text: str
    source: str  # "scenario" or "model"


def profile(e: MapElement) -> str:
    """What the element measures or is about, in words (no numbers, labels or owners)."""
    if e.kind == "key_result":
        text = e.metric or e.title.split(". Owner")[0]
    elif e.kind == "limit":
        text = f"{e.title} {e.scope} {e.text[:160]}"
    elif e.kind == "pillar":
        text = f"{e.title} {e.text.split('. ')[0]}"
    else:
        text = e.title
    return _NUMBERS.sub(" ", _LABEL.sub("", text)).strip()


def _weights(elements: Sequence[MapElement]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for e in elements:
        for s in content_stems(profile(e)) - _NOISE:
            counts[s] = counts.get(s, 0) + 1
    n = max(1, len(elements))
    return {s: math.log(1 + n / c) for s, c in counts.items()}


def _words(phrase: set[str], stems: set[str], weights: dict[str, float]) -> tuple[float, list[str]]:
    if not stems:
        return 0.0, []
    shared = sorted(phrase & stems)
    total = sum(weights.get(s, 1.0) for s in stems)
    return sum(weights.get(s, 1.0) for s in shared) / total, shared


def expose(phrases: list[Phrase], elements: list[MapElement], embedder: Embedder,
           drivers: bool = True) -> list[Exposed]:
    """The exposed elements, best first. `drivers`: also what the drivers table (or the
    element's own drivers) says the scenario's events move."""
    live = [e for e in elements if e.kind in EXPOSABLE and e.status != "rejected"]
    if not live or not phrases:
        return []
    weights = _weights(live)
    texts = [profile(e) for e in live]
    said_stems = content_stems(" ".join(p.text for p in phrases if p.source == "scenario"))
    named_departments = {d for d in {e.department for e in live if e.department}
                         if content_stems(d) <= said_stems}
    vectors = embedder.embed([p.text for p in phrases] + texts)
    said, held = vectors[:len(phrases)], vectors[len(phrases):]
    out: dict[str, Exposed] = {}
    rank: dict[str, float] = {}
    named: dict[str, int] = {}  # how many of its drivers the scenario names, per element
    driven: set[str] = set()
    for e, text, vec in zip(live, texts, held, strict=True):
        stems = content_stems(text) - _NOISE
        by_driver = (_driven(e, [p for p in phrases if p.source == "scenario"], named)
                     if drivers and _in_scope(e, named_departments) else None)
        best: Exposed | None = by_driver
        evidence = 0.0
        for p, pvec in zip(phrases, said, strict=True):
            share, shared = _words(content_stems(p.text), stems, weights)
            similar = cosine(pvec, vec)
            words_at, similar_at = ((WORDS_AT, SIMILAR_AT) if p.source == "scenario"
                                    else (MODEL_WORDS_AT, MODEL_SIMILAR_AT))
            if p.source == "scenario":
                evidence = max(evidence, share, similar)
            if share < words_at and similar < similar_at:
                continue
            score = round(max(share, similar), 3)
            if best is None or score > best.score:
                best = _exposed(e, p, score, shared if share >= WORDS_AT else [], similar)
        if best is not None:
            out[e.key] = best
            rank[e.key] = evidence + DRIVER_BONUS * named.get(e.key, 0)
            if by_driver is not None:
                driven.add(e.key)
    if drivers:  # the strongest evidence; the rest stays a question
        keep = [k for k in sorted(out, key=lambda k: -rank[k])
                if k in driven or rank[k] >= ALONE_AT][:MAX_EXPOSED]
        out = {k: out[k] for k in keep}
    _through_links(live, out)
    return sorted(out.values(), key=lambda x: (-x.score, x.kind, x.title))


def measured(e: MapElement) -> str:
    """What the element is named for, for the drivers table: a KR's measure, a limit's
    sentence and scope, a pillar's or objective's name (not its first paragraph, which
    mentions everything)."""
    if e.kind == "limit":
        return _NUMBERS.sub(" ", f"{e.scope} {e.text[:160]}")
    if e.kind == "key_result":
        return profile(e)
    return _LABEL.sub("", e.title)


def _in_scope(e: MapElement, departments: set[str]) -> bool:
    """A scenario naming a department ("our marketing manager's campaign") does not reach
    another department's elements through the drivers table."""
    return not departments or not e.department or e.department in departments


def _driven(e: MapElement, phrases: list[Phrase], named: dict[str, int]) -> Exposed | None:
    """Exposed when the scenario names a driver of what the element measures (`named` gets
    how many)."""
    for p in phrases:
        found = drivers_named(p.text, e, measured(e))
        if found:
            named[e.key] = len(found)
            events = "; ".join(f"“{d.phrase}” ({d.family})" for d in found[:2])
            what = _VERB.get(e.kind, "is about")
            return Exposed(key=e.key, kind=e.kind, title=e.title, department=e.department,
                           score=DRIVER_SCORE, via="code",
                           reason=f"It {what} “{_said(e)}”, which moves with {events}, named "
                                  "by the scenario (drivers table).",
                           citation=e.citations[0] if e.citations else None)
    return None


def closest(phrases: list[Phrase], elements: list[MapElement], embedder: Embedder,
            decided: set[str]) -> list[Exposed]:
    """The `TO_CHECK` elements closest in meaning that the evidence did not decide, as
    questions for a person ("does it move …?"), never counted as exposed."""
    live = [e for e in elements if e.kind in ("key_result", "limit", "pillar")
            and e.status != "rejected" and e.key not in decided]
    if not live or not phrases:
        return []
    vectors = embedder.embed([p.text for p in phrases] + [profile(e) for e in live])
    said, held = vectors[:len(phrases)], vectors[len(phrases):]
    scored = sorted(((max(cosine(v, pv) for pv in said), e) for e, v in
                     zip(live, held, strict=True)), key=lambda t: -t[0])
    return [Exposed(key=e.key, kind=e.kind, title=e.title, department=e.department,
                    score=round(sim, 3), via="code",
                    reason=f"Does the scenario move “{_said(e)}”? The evidence does not decide "
                           f"(closest in meaning, {sim:.2f}): the owner knows.",
                    citation=e.citations[0] if e.citations else None)
            for sim, e in scored[:TO_CHECK] if sim >= CHECK_FLOOR]


def _exposed(e: MapElement, p: Phrase, score: float, shared: list[str], similar: float
             ) -> Exposed:
    said = "the scenario" if p.source == "scenario" else f"“{p.text}” (the model's reading)"
    why = (f"shares {', '.join(shared)} with {said}" if shared
           else f"is close in meaning to {said} (similarity {similar:.2f})")
    what = _VERB.get(e.kind, "is about")
    return Exposed(key=e.key, kind=e.kind, title=e.title, department=e.department, score=score,
                   reason=f"It {what} “{_said(e)}”, which {why}.",
                   via="model+code" if p.source == "model" else "code",
                   citation=e.citations[0] if e.citations else None)


def _said(e: MapElement) -> str:
    """The element in its own words, short (reasons quote it)."""
    if e.kind == "key_result":
        return (e.metric or e.title.split(". Owner")[0])[:90]
    return _LABEL.sub("", e.title)[:90]


def _through_links(live: list[MapElement], out: dict[str, Exposed]) -> None:
    """Objectives and pillars above exposed KRs (`serves` links)."""
    by_key = {e.key: e for e in live}
    under: dict[str, list[str]] = {}
    for key in [k for k, x in out.items() if x.kind == "key_result"]:
        seen, todo = set(), list(by_key[key].serves)
        while todo:
            up = todo.pop()
            if up in seen or up not in by_key:
                continue
            seen.add(up)
            under.setdefault(up, []).append(by_key[key].title)
            todo += by_key[up].serves
    for up, krs in under.items():
        e = by_key[up]
        if up in out or (e.kind == "pillar" and len(krs) < min(PILLAR_LINKS,
                                                                _krs_under(up, live))):
            continue
        if e.kind in ("pillar", "objective"):
            out[up] = Exposed(key=up, kind=e.kind, title=e.title, department=e.department,
                              score=0.0, via="link",
                              reason=f"Its key results are exposed: {'; '.join(krs[:3])}.",
                              citation=e.citations[0] if e.citations else None)


def _krs_under(key: str, live: list[MapElement]) -> int:
    """How many KRs serve the element, directly or through an objective: a pillar with one
    KR is exposed with that KR (18F's "Financial stability" and its utilization rate)."""
    by_key = {e.key: e for e in live}

    def reaches(e: MapElement, seen: frozenset[str] = frozenset()) -> bool:
        return any(up == key or (up in by_key and up not in seen
                                 and reaches(by_key[up], seen | {up})) for up in e.serves)
    return sum(1 for e in live if e.kind == "key_result" and reaches(e))
