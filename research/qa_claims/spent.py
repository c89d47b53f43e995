"""What the QA replays share: the recorded rows of the spent blind QA sets, each with its
corpus indexed (real embeddings, a temporary data directory). Never an unrun set: a set is
added to `REPORTS` only after its one run."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from evals.cases import corpus_paths

__all__ = ["REPORTS", "dataset_rows", "spent_cases"]

REPORTS = [f"evals/reports/qa-blind{n}/report.json" for n in ("", *range(2, 17))]


def dataset_rows() -> dict[str, dict[str, Any]]:
    """Every QA kinds row by id."""
    rows = {}
    for path in Path("evals/datasets").glob("*qa_kinds*.yaml"):
        for row in yaml.safe_load(path.read_text()) or []:
            rows[row["id"]] = row
    return rows


def spent_cases() -> Iterator[tuple[KnowledgeBase, dict[str, Any], dict[str, Any]]]:
    """(the case's indexed workspace, the recorded case, its dataset row) for every recorded
    case of the spent sets whose row is known, corpus by corpus."""
    rows = dataset_rows()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), llm_provider="fake")
        for corpus in ("sample", "18f", "real-okrs"):
            with KnowledgeBase(settings.with_workspace(f"eval-{corpus}")) as kb:
                kb.index(corpus_paths(corpus))
                for path in REPORTS:
                    for case in json.loads(Path(path).read_text())["cases"]:
                        if case["corpus"] == corpus and case["id"] in rows:
                            yield kb, case, rows[case["id"]]
