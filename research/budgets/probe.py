"""A sum drawn from a department's budget beyond it, found in code? (no model; issue 23)

Replays `alignment.budgets.stated_draw` and `over_budget` over the labelled alignment rows of
the dev and spent splits (never an unrun blind set) against the rules' strategy map of each
corpus, every element confirmed as the eval confirms it, and prints every row whose proposal
names a department's budget, with its label and whether the rule decides "over".

    python -m research.budgets.probe [--splits dev,test,blind,blind2,blind3,blind4,blind5]
"""

from __future__ import annotations

import argparse
from collections import Counter

from assistant.alignment.budgets import over_budget, stated_draw
from assistant.strategy.build import build_map
from research.alignment_rows import alignment_rows, probe_workspace

SPENT = "dev,test,blind,blind2,blind3,blind4,blind5"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--splits", default=SPENT)
    splits = tuple(parser.parse_args().splits.split(","))
    assert "blind6" not in splits, "blind6 is unrun"
    for corpus in ("sample", "18f"):
        fired: Counter[str] = Counter()
        total: Counter[str] = Counter()
        with probe_workspace(corpus) as (kb, _llm):
            strategy = [e.model_copy(update={"status": "confirmed"}) for e in build_map(kb)]
            for row in alignment_rows(splits, corpus):
                label = row["reference"]
                total[label] += 1
                draw = stated_draw(row["input"]["proposal"], strategy)
                if draw is None:
                    continue
                over = over_budget(strategy, draw.amount, draw.department)
                fired[label] += bool(over)
                print(f"{row['id']:<20} [{label} / {row['metadata'].get('kind', '')}] "
                      f"${draw.amount:,.0f} from {draw.department}: "
                      f"{'OVER' if over else 'within'}")
        for label in sorted(total):
            print(f"{corpus} {label:<18} over {fired[label]:>2} of {total[label]:>2}")


if __name__ == "__main__":
    main()
