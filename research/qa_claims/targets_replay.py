"""Replay the target rule (`knowledge/targets.py`) on recorded answers of the spent QA sets.

    python -m research.qa_claims.targets_replay

Spent blind sets only (`spent.REPORTS`: the recorded reports of the sets run once; an
unrun set must never be added). Each recorded answer that was given is checked as `settle`
now checks it: the passages it cites (its [S n] markers over the question's top five passages,
or all five) and `target_only`. Prints each row the rule would decline, with its kind: a
decline of an absent row is a true "not covered" gained, of an answerable or yes/no row a
false one. No model.
"""

from __future__ import annotations

import re
from collections import Counter

from assistant.knowledge.targets import asks_current, target_only
from research.qa_claims.spent import spent_cases


def main() -> None:
    tally: Counter[tuple[str, str]] = Counter()
    for kb, case, row in spent_cases():
        q = row["input"]["question"]
        if case.get("declined", 1.0) or not asks_current(q):
            continue
        hits = kb.search(q, k=5)
        cited = [hits[int(n) - 1] for n in re.findall(r"\[S(\d+)", case["answer"])
                 if int(n) <= len(hits)]
        found = target_only(q, case["answer"], cited or hits)
        tally[(case["kind"], "declined" if found else "kept")] += 1
        if found:
            print(f"{case['id']} [{case['kind']}, correct {case.get('correct')}] {q}\n"
                  f"    {case['answer'][:120]}\n    target: {found[:120]}")
    for key, n in sorted(tally.items()):
        print(key, n)


if __name__ == "__main__":
    main()
