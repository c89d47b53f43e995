"""Replay the target rule (`knowledge/targets.py`) on recorded answers of the spent QA sets.

    python -m research.qa_claims.targets_replay

Spent blind sets only (`evals/reports/qa-blind*/report.json`, the first to the eleventh; an
unrun set must never be added). Each recorded answer that was given is checked as `settle`
now checks it: the passages it cites (its [S n] markers over the question's top five passages,
or all five) and `target_only`. Prints each row the rule would decline, with its kind: a
decline of an absent row is a true "not covered" gained, of an answerable or yes/no row a
false one. No model.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.targets import asks_current, target_only
from evals.cases import corpus_paths

REPORTS = [f"evals/reports/qa-blind{n}/report.json" for n in ("", *range(2, 13))]


def main() -> None:
    questions = {}
    for path in Path("evals/datasets").glob("*qa_kinds*.yaml"):
        for row in yaml.safe_load(path.read_text()) or []:
            questions[row["id"]] = row["input"]["question"]
    tally: Counter[tuple[str, str]] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), llm_provider="fake")
        for corpus in ("sample", "18f", "real-okrs"):
            with KnowledgeBase(settings.with_workspace(f"eval-{corpus}")) as kb:
                kb.index(corpus_paths(corpus))
                for path in REPORTS:
                    for case in json.loads(Path(path).read_text())["cases"]:
                        if case["corpus"] != corpus or case.get("declined", 1.0) or \
                                case["id"] not in questions:
                            continue
                        q = questions[case["id"]]
                        if not asks_current(q):
                            continue
                        hits = kb.search(q, k=5)
                        cited = [hits[int(n) - 1] for n in re.findall(r"\[S(\d+)", case["answer"])
                                 if int(n) <= len(hits)]
                        found = target_only(q, case["answer"], cited or hits)
                        tally[(case["kind"], "declined" if found else "kept")] += 1
                        if found:
                            print(f"{case['id']} [{case['kind']}, correct {case.get('correct')}]"
                                  f" {q}\n    {case['answer'][:120]}\n    target: {found[:120]}")
    for key, n in sorted(tally.items()):
        print(key, n)


if __name__ == "__main__":
    main()
