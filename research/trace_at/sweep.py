"""Re-score the second design's KR-trace threshold on dev rows recorded by one eval run.

    python research/trace_at/sweep.py evals/reports/alignment-evidence-dev/report.json

Each row of a `KEEL_ALIGNMENT_VERDICTS=evidence` run records whether a confirmed rule decided it
and the closest KRs with their shares (evals/task_alignment.py), so TRACE_AT and
MIN_TRACE_WORDS can be chosen without asking the model again. Dev rows only: the blind set is
run once, with the values chosen here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from evals.metrics import wilson


def verdict(row: dict[str, Any], at: float, words: int) -> str:
    review = row.get("review")
    if review is None or row["predicted"] in ("error", "insufficient_information"):
        return str(row["predicted"])
    if review["rule_decided"]:
        return str(row["predicted"])
    best = review["closest"][0] if review["closest"] else None
    if best and best["share"] >= at and len(best["words"]) >= words:
        return "aligned"
    return "needs_review"


def score(rows: list[dict[str, Any]], at: float, words: int) -> dict[str, Any]:
    said = [(r["expected"], verdict(r, at, words)) for r in rows]
    decided = [(e, p) for e, p in said if p in ("aligned", "misaligned", "partially_aligned")]
    out: dict[str, Any] = {"coverage": round(len(decided) / len(said), 2)}
    for label in ("aligned", "misaligned"):
        mine = [(e, p) for e, p in decided if p == label]
        right = sum(e == label for e, _ in mine)
        low, high = wilson(right, len(mine)) if mine else (float("nan"),) * 2
        out[label] = f"{right}/{len(mine)} ({low:.2f}-{high:.2f})"
    out["misaligned_approved"] = sum(e == "misaligned" and p == "aligned" for e, p in said)
    return out


def main(path: str) -> None:
    report = json.loads(Path(path).read_text(encoding="utf-8"))
    rows = [c for c in report["cases"] if c.get("task") == "alignment_check"]
    print(f"{len(rows)} dev rows")
    for words in (1, 2, 3):
        for at in (0.34, 0.5, 0.6, 0.67, 0.75, 0.8, 1.0):
            print(f"TRACE_AT {at:4} MIN_TRACE_WORDS {words}: {score(rows, at, words)}")


if __name__ == "__main__":
    main(sys.argv[1])
