"""The kinds table alone (no model): which sample rows does it call a non-goal break?

Runs `check.kind_findings` — the production path — over every alignment row of the named
splits (dev and spent blind sets only; never an unrun blind set: blind5 is refused) and
prints, per label, how many rows it fires on, with the member and the non-goal for each
fire. A fire on a row not labelled misaligned is a wrong break (the costly error is the
other way, but a rule that fires on aligned work is worse than none).

    python -m research.nongoal_kinds.probe [--splits dev,blind,blind2,blind3] [--corpus sample]
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from assistant.alignment.check import kind_findings
from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from evals.cases import CORPORA
from research.alignment_rows import alignment_rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--splits", default="dev,blind,blind2,blind3")
    parser.add_argument("--corpus", default="sample")
    args = parser.parse_args()
    splits = tuple(args.splits.split(","))
    assert "blind5" not in splits, "blind5 is unrun: it is judged once, by the eval"
    rows = alignment_rows(splits, args.corpus)
    fired: Counter[str] = Counter()
    total: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp)).with_workspace(f"kinds-{args.corpus}")
        with KnowledgeBase(settings) as kb:
            kb.index([CORPORA[args.corpus]])
            for row in rows:
                label, kind = row["reference"], row["metadata"].get("kind", "")
                total[label] += 1
                found = kind_findings(row["input"]["proposal"], kb)
                if found:
                    fired[label] += 1
                    for f in found:
                        print(f"{row['id']:<22} [{label} / {kind}] {f.element}: {f.reason}")
    print()
    for label in sorted(total):
        print(f"{label:<18} fired {fired[label]:>2} of {total[label]:>2}")


if __name__ == "__main__":
    main()
