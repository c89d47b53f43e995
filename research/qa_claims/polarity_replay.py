"""Replay the counted-otherwise polarity rule and the decided quote on the spent QA sets.

    python -m research.qa_claims.polarity_replay

Spent blind sets only (`spent.REPORTS`; never an unrun one). For each yes/no row:
* recorded as declined: what `qa._decided` now makes of it (the question's passages as
  `_prepare` retrieves them; a quote is right when code's polarity is the reference's);
* recorded as overturned ("The model answered “Yes”, which this sentence … contradicts"):
  whether the three closest sentences (≥ EXTRACT_AT) that are about the question
  (`qa._about`) still overturn it, or the model's word would stand;
* recorded as answered with "Yes"/"No": whether `_counted_otherwise` now reads one of the three
  closest sentences (≥ EXTRACT_AT) the other way, which `_polarity_checked` would quote.
No model.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from assistant.knowledge.answer_checks import (
    EXTRACT_AT,
    NEAR_AT,
    Sentence,
    best_sentences,
    held,
    naming_stems,
)
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.polarity import _counted_otherwise, evidence_polarity, stated_polarity
from assistant.knowledge.qa import _about, _decided, _prepare
from research.qa_claims.spent import spent_cases


def _warnings(case: dict[str, Any]) -> list[str]:
    raw = case.get("warnings") or []
    return json.loads(raw) if isinstance(raw, str) else list(raw)


def _says(q: str, sentences: list[Sentence], hits: list[SearchHit], kb: KnowledgeBase,
          at: float) -> set[str]:
    about = _about(q, kb)
    return {p for t in sentences[:3] if t.similarity >= at
            and about(t.text, hits[t.passage].section)
            and (p := evidence_polarity(q, t.text, hits[t.passage].section))}


def _declined(q: str, want: str, sentences: list[Sentence], hits: list[SearchHit],
              kb: KnowledgeBase) -> str:
    got = _decided(q, sentences, hits, kb)
    if got is None:
        return "declined, still declined"
    says = _says(q, sentences, hits, kb, NEAR_AT)
    print(f"want {want}: {q}\n    {got.answer[:140]}")
    return f"declined, now quoted, polarity {'right' if says == {want} else 'WRONG'}"


def _overturned(q: str, want: str, warned: str, sentences: list[Sentence],
                hits: list[SearchHit], kb: KnowledgeBase) -> str:
    was = "no" if "“No”" in warned else "yes"
    says = _says(q, sentences, hits, kb, EXTRACT_AT)
    now = "overturned" if len(says) == 1 and was not in says else "model's word stands"
    right = (want != was) if now == "overturned" else (want == was)
    print(f"want {want}, model {was}: {q} -> {now}")
    return (f"overturned before ({'right' if want != was else 'WRONG'}), now {now} "
            f"({'right' if right else 'WRONG'})")


def main() -> None:
    tally: Counter[str] = Counter()
    for kb, case, row in spent_cases():
        if case["kind"] != "yes_no":
            continue
        q, want = row["input"]["question"], row["reference"]["polarity"]
        hits, _ = _prepare(q, kb, None)
        sentences = best_sentences(q, hits, kb)
        warned = next((w for w in _warnings(case) if "which this sentence" in w), "")
        if case.get("declined"):
            tally[_declined(q, want, sentences, hits, kb)] += 1
        elif warned:
            tally[_overturned(q, want, warned, sentences, hits, kb)] += 1
        elif stated_polarity(case["answer"]) == "yes" and [
                t for t in sentences[:3] if t.similarity >= EXTRACT_AT
                and held(naming_stems(q), t.text) >= 2 and _counted_otherwise(q, t.text)]:
            tally[f"answered yes, counted-otherwise reads no: "
                  f"{'right' if want == 'no' else 'WRONG'}"] += 1
    for key, n in sorted(tally.items()):
        print(key, n)


if __name__ == "__main__":
    main()
