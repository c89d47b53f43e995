"""Replay the count rule (`knowledge/counts.py`) on recorded answers of the spent QA sets: a
"how many" question answered with a number of something else.

    python -m research.qa_claims.counts_replay [--verbose]

Spent blind sets only (`spent.REPORTS`). Each recorded model answer (not an extractive quote,
which `settle` does not pass through this check) to a "how many" question is checked with
`counts_otherwise`; prints each answer the rule would decline, by kind: a decline of an absent
row is a true "not covered" gained, of an answerable row a false one. No model.
"""

from __future__ import annotations

import sys
from collections import Counter

from assistant.knowledge.counts import asked_counts, counts_otherwise
from research.qa_claims.spent import spent_cases

QUOTED = "Your documents say"


def main() -> None:
    verbose = "--verbose" in sys.argv
    tally: Counter[tuple[str, str]] = Counter()
    for _kb, case, row in spent_cases():
        q = row["input"]["question"]
        asked = asked_counts(q)
        if case.get("declined", 1.0) or not asked or case["answer"].startswith(QUOTED):
            continue
        ok = not counts_otherwise(q, case["answer"])
        tally[(case["kind"], "kept" if ok else "declined")] += 1
        if not ok or verbose:
            print(f"{'kept' if ok else 'DECLINE'} {case['id']} [{case['kind']}, correct "
                  f"{case.get('correct')}] {q} (counts: {', '.join(sorted(asked))})\n"
                  f"    {case['answer'][:160]}")
    for key, n in sorted(tally.items()):
        print(key, n)


if __name__ == "__main__":
    main()


def money() -> None:
    """The money rule (`counts.money_otherwise`), replayed the same way:
    `python -c "from research.qa_claims.counts_replay import money; money()"`."""
    from assistant.knowledge.counts import asks_money, money_otherwise
    tally: Counter[tuple[str, str]] = Counter()
    for _kb, case, row in spent_cases():
        q = row["input"]["question"]
        if case.get("declined", 1.0) or not asks_money(q) or case["answer"].startswith(QUOTED):
            continue
        ok = not money_otherwise(q, case["answer"])
        tally[(case["kind"], "kept" if ok else "declined")] += 1
        print(f"{'kept' if ok else 'DECLINE'} {case['id']} [{case['kind']}] {q}\n"
              f"    {case['answer'][:160]}")
    for key, n in sorted(tally.items()):
        print(key, n)
