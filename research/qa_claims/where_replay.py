"""Replay: a passage's document title and file name as part of where its sentences stand.

    python -m research.qa_claims.where_replay

Spent blind sets only (`spent.REPORTS`). Each recorded answer that was given is
put through `replay.outcome` (the number, time, year and claim checks as `settle` runs them)
twice — with `answer_checks.where` as shipped (section, title, file name) and as before
(section only) — and every row whose outcome changes is printed with its kind: a decline
turned into a kept answer is good for answerable rows, bad for absent ones. Declined rows
stay declined (no model). The second year check (`qa._document_text`) is not replayed.
"""

from __future__ import annotations

from collections import Counter

from assistant.knowledge import answer_checks, claims
from assistant.knowledge.base import SearchHit
from research.qa_claims.replay import outcome
from research.qa_claims.spent import spent_cases


def _section_only(hit: SearchHit) -> str:
    return hit.section


def main() -> None:
    shipped = answer_checks.where
    tally: Counter[str] = Counter()
    for kb, case, row in spent_cases():
        if str(case.get("declined")) == "1.0":
            continue
        q = row["input"]["question"]
        tally["rows replayed"] += 1
        answer_checks.where = claims.where = _section_only
        before = outcome(q, case["answer"], kb)[0]
        answer_checks.where = claims.where = shipped
        after = outcome(q, case["answer"], kb)[0]
        if before != after:
            tally[f"{case['kind']}: {before} -> {after} "
                  f"(was {'right' if case.get('correct') else 'wrong'})"] += 1
            print(f"{case['id']} [{case['kind']}] {before} -> {after}: {q}")
    for key, n in sorted(tally.items()):
        print(key, n)


if __name__ == "__main__":
    main()
