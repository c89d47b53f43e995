"""Issue 29: war-game response flags on the labelled responses, run once.

    python -m research.scenarios.wargame_flags [--verbose]

`evals/datasets/wargame/responses.yaml` (30 sample-company responses, pinned before the
change) against the sample's confirmed map (`evals.task_scenario.confirmed_map`), real MiniLM,
no model: `checks.response_flags` with the alignment check's kinds and duties (`rules=True`,
shipped) and without them (as before), in the same run. A response counts as flagged when it
gets any flag. Prints precision, recall and accuracy with Wilson intervals.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.scenarios.checks import response_flags
from evals.cases import CORPORA, load_cases
from evals.metrics import wilson
from evals.task_scenario import confirmed_map

DATA = Path(__file__).parents[2] / "evals" / "datasets" / "wargame" / "responses.yaml"


def main() -> None:
    rows = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    maps = {c.corpus: c.reference for c in load_cases() if c.task == "strategy_map"}
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), llm_provider="fake")
    with KnowledgeBase(settings.with_workspace("wargame")) as kb:
        kb.index([CORPORA["sample"]])
        strategy = confirmed_map(kb, maps["sample"] or [])
        for rules in (False, True):
            tp = fp = fn = tn = 0
            for row in rows:
                flags = response_flags(row["response"], strategy, kb.embedder, rules=rules)
                hit = bool(flags)
                tp, fp = tp + (hit and row["breaks"]), fp + (hit and not row["breaks"])
                fn, tn = fn + (not hit and row["breaks"]), tn + (not hit and not row["breaks"])
                if "--verbose" in sys.argv and hit != row["breaks"]:
                    print(f"  {'missed' if row['breaks'] else 'false flag'}: {row['response']}"
                          f" | {flags[:1]}")
            name = "with the kinds and duties" if rules else "words and bounds only (before)"
            print(f"{name}: precision {tp}/{tp + fp} {wilson(tp, tp + fp)}, recall "
                  f"{tp}/{tp + fn} {wilson(tp, tp + fn)}, accuracy {tp + tn}/{len(rows)}")


if __name__ == "__main__":
    main()
