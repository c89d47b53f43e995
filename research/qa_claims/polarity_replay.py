"""Replay the counted-otherwise polarity rule and the decided quote on the spent QA sets.

    python -m research.qa_claims.polarity_replay

Spent blind sets only (the first to the eleventh; never an unrun one). For each yes/no row:
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
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from assistant.core.config import Settings
from assistant.knowledge.answer_checks import (
    EXTRACT_AT,
    NEAR_AT,
    _counted_otherwise,
    best_sentences,
    evidence_polarity,
    held,
    naming_stems,
    stated_polarity,
)
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.qa import _about, _decided, _prepare
from evals.cases import corpus_paths

REPORTS = [f"evals/reports/qa-blind{n}/report.json" for n in ("", *range(2, 13))]


def _warnings(case: dict[str, object]) -> list[str]:
    raw = case.get("warnings") or []
    return json.loads(raw) if isinstance(raw, str) else list(raw)  # type: ignore[arg-type]


def main() -> None:
    rows = {}
    for path in Path("evals/datasets").glob("*qa_kinds*.yaml"):
        for row in yaml.safe_load(path.read_text()) or []:
            rows[row["id"]] = row
    tally: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), llm_provider="fake")
        for corpus in ("sample", "18f", "real-okrs"):
            with KnowledgeBase(settings.with_workspace(f"eval-{corpus}")) as kb:
                kb.index(corpus_paths(corpus))
                for path in REPORTS:
                    for case in json.loads(Path(path).read_text())["cases"]:
                        row = rows.get(case["id"])
                        if case["corpus"] != corpus or row is None or case["kind"] != "yes_no":
                            continue
                        q, want = row["input"]["question"], row["reference"]["polarity"]
                        hits, _ = _prepare(q, kb, None)
                        sentences = best_sentences(q, hits, kb)
                        if case.get("declined"):
                            got = _decided(q, sentences, hits, kb)
                            if got is None:
                                tally["declined, still declined"] += 1
                                continue
                            says = next(p for t in sentences[:3] if t.similarity >= NEAR_AT
                                        and (p := evidence_polarity(
                                            q, t.text, hits[t.passage].section)))
                            verdict = "right" if says == want else "WRONG"
                            tally[f"declined, now quoted, polarity {verdict}"] += 1
                            print(f"{case['id']} want {want}: {q}\n    {got.answer[:140]}")
                            continue
                        warned = next((w for w in _warnings(case) if "which this sentence"
                                       in w), "")
                        if warned:
                            was = "no" if "“No”" in warned else "yes"
                            about = _about(q, kb)
                            says = {p for t in sentences[:3] if t.similarity >= EXTRACT_AT
                                    and about(t.text, hits[t.passage].section)
                                    and (p := evidence_polarity(q, t.text,
                                                                hits[t.passage].section))}
                            now = "overturned" if len(says) == 1 and was not in says else \
                                "model's word stands"
                            right = (want != was) if now == "overturned" else (want == was)
                            tally[f"overturned before ({'right' if want != was else 'WRONG'}),"
                                  f" now {now} ({'right' if right else 'WRONG'})"] += 1
                            print(f"{case['id']} want {want}, model {was}: {q} -> {now}")
                            continue
                        stated = stated_polarity(case["answer"])
                        flips = [s for s in sentences[:3] if s.similarity >= EXTRACT_AT
                                 and held(naming_stems(q), s.text) >= 2
                                 and _counted_otherwise(q, s.text)]
                        if stated == "yes" and flips:
                            verdict = "right" if want == "no" else "WRONG"
                            tally[f"answered yes, counted-otherwise reads no: {verdict}"] += 1
                            print(f"{case['id']} want {want}: {q}\n    {flips[0].text[:140]}")
    for key, n in sorted(tally.items()):
        print(key, n)


if __name__ == "__main__":
    main()
