"""Replay the non-goal rule on recorded alignment reports (session 19, list items).

Each recorded non-goal finding's reason holds the model's two phrases; this re-decides the
stance with today's `non_goal_stance` (real MiniLM) and prints every finding whose stance
changes, so a rule change is seen on recorded rows before a model run. Usage:
`python -m research.nongoal_items.rescore evals/reports/alignment-blind/report.json …`
(with each corpus's everyday stems, `knowledge.vocabulary.common_stems`, as the check has them)
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

import yaml

from assistant.alignment.nongoal_rule import NonGoalActions, non_goal_stance
from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.embeddings import build_embedder
from assistant.knowledge.vocabulary import common_stems
from evals.cases import CORPORA

_CONFLICT = re.compile(r"^The proposal would “(.+?)”; the company ruled out “(.+?)(?:” \(|\s*\(?$)")
_NEUTRAL = re.compile(r"^The proposal's action “(.+?)” is not the ruled-out “(.+?)(?:” \(|\s*\(?$)")
_DATASETS = Path("evals/datasets")


def proposals() -> dict[str, str]:
    """Every alignment row's proposal by id (all splits)."""
    out = {}
    for path in _DATASETS.glob("*alignment*.yaml"):
        for row in yaml.safe_load(path.read_text()) or []:
            out[row["id"]] = row["input"]["proposal"]
    return out


def _common() -> dict[str, frozenset[str]]:
    """Each corpus's everyday stems, as the check computes them."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), llm_provider="fake")
        for corpus in ("sample", "18f"):
            with KnowledgeBase(settings.with_workspace(f"eval-{corpus}")) as kb:
                kb.index([CORPORA[corpus]])
                out[corpus] = common_stems(kb)
    return out


def main(paths: list[str]) -> None:
    embedder = build_embedder(Settings())
    texts = proposals()
    common = _common()
    changed = seen = 0
    for path in paths:
        for case in json.loads(Path(path).read_text())["cases"]:
            for element, reason in (case.get("reasons") or {}).items():
                if (case.get("kinds") or {}).get(element) != "non-goal":
                    continue
                m = _CONFLICT.match(reason) or _NEUTRAL.match(reason)
                if not m:
                    continue
                seen += 1
                before = "conflicts" if reason.startswith("The proposal would") else "neutral"
                doing, forbidden = m.group(1), m.group(2)
                answer = NonGoalActions(forbidden_action=forbidden[:120],
                                        proposal_action=doing[:120])
                after, why, _ = non_goal_stance(answer, forbidden, texts[case["id"]], embedder,
                                                common[case["corpus"]])
                if after != before:
                    changed += 1
                    print(f"{case['id']} ({case['expected']}, was {case['predicted']}) "
                          f"{element}: {before} -> {after}: {why[:160]}")
    print(f"{changed} of {seen} recorded non-goal findings change")


if __name__ == "__main__":
    main(sys.argv[1:])
