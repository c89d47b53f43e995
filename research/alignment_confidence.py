"""How often was each kind of verdict right? Read from recorded eval rows (no model).

    .venv/bin/python research/alignment_confidence.py RUN/report.json ...

A verdict is *rule-set* when a rule checked in code put the score where it is: capped at 15
by a non-goal break or a stated limit, or partially aligned through a plan's cap, the focus
region or a duplicate with no strain cap after it (the same reading as
`alignment_report._rule_basis`, here from each row's recorded score parts). Every other
verdict is *model-read*: the model's stances or its strain check. Rows recorded since
2026-11-28 carry their confidence too; older ones do not, hence this re-reading.

Run of 2026-11-28 on the 71 rows of the shipped pipeline's runs
(`research/reports/alignment-confidence/split.txt`): rule-set 15 of 16 right (dev 9 of 9),
model-read 28 of 55 (dev 13 of 26), and the model-read aligned verdicts at a score of 90 —
"high" under the old distance-from-a-boundary rule — 15 of 31. That chose the confidence rule.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

from alignment_rescore import case_rows


def basis(row: dict[str, Any]) -> str:
    parts = " | ".join(row.get("score_parts", []))
    strain = "strains" in parts
    if "capped at 15" in parts or (
            row["predicted"] == "partially_aligned" and not strain
            and ("capped at 60" in parts or "duplicates" in parts)):
        return "rule-set"
    return "model-read (strain)" if strain else "model-read (stances)"


def main(paths: list[Path]) -> None:
    rows = [r for r in case_rows(paths) if r["predicted"] != "error"]
    seen = Counter((r["split"], basis(r), r["predicted"], r["expected"] == r["predicted"])
                   for r in rows)
    print("split, basis, verdict: right / all")
    for split, kind, verdict in sorted({k[:3] for k in seen}):
        right, wrong = seen[(split, kind, verdict, True)], seen[(split, kind, verdict, False)]
        print(f"{split:4} {kind:21} {verdict:17} {right} / {right + wrong}")
    for kind in ("rule-set", "model-read"):
        mine = [r for r in rows if basis(r).startswith(kind)]
        print(f"all  {kind:21} {'any':17} {sum(r['expected'] == r['predicted'] for r in mine)}"
              f" / {len(mine)}")
    at90 = [r for r in rows if r["predicted"] == "aligned" and r["score"] == 90]
    print(f"aligned at 90 (old 'high'): {sum(r['expected'] == 'aligned' for r in at90)} / "
          f"{len(at90)}")


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]])
