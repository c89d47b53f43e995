"""Probe (session 22): can a value's prohibition be read like a non-goal?

For each sample row of the dev split and the two spent blind alignment sets (never the first
design's test rows, never blind3), the prohibition clauses of the map's confirmed values
(`research.value_rules.rules.prohibitions`) closest to the proposal are asked the non-goal question
(the model copies the ruled-out action and the proposal's action; code decides with
`non_goal_stance`). Prints, per row, the label, the kind and each clause's decision, and saves
the model's phrases so rule changes can be re-scored without the model:
`python -m research.value_rules.probe OUT.json` (local model; about 10 s a row here).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.knowledge.vocabulary import common_stems
from assistant.strategy.build import build_map
from research.alignment_rows import alignment_rows, probe_workspace
from research.value_rules.rules import closest_prohibitions, read_prohibition

_SPLITS = ("dev", "blind", "blind2")


def rows() -> list[dict]:
    return alignment_rows(_SPLITS)


def main(out_path: str) -> None:
    results = []
    with probe_workspace() as (kb, llm):
        strategy = build_map(kb)
        common = common_stems(kb)
        for row in rows():
            text = row["input"]["proposal"]
            for clause in closest_prohibitions(text, strategy, kb.embedder):
                finding = read_prohibition(text, clause, llm, kb.embedder, common)
                results.append({"id": row["id"], "expected": row["reference"],
                                "kind": row["metadata"].get("kind", ""),
                                "value": clause.value.title, "clause": clause.text,
                                "closeness": clause.closeness,
                                "stance": finding.stance, "reason": finding.reason})
                print(f"{row['id']:18} {row['reference'][:9]:9} "
                      f"{row['metadata'].get('kind', '')[:16]:16} {finding.stance:9} "
                      f"{clause.text[:50]:50} | {finding.reason[:150]}", flush=True)
    Path(out_path).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
