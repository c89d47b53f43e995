"""The one row format of every eval dataset, validated on load."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, TypeAdapter

from assistant.core.config import SAMPLE_KNOWLEDGE

__all__ = ["CORPORA", "DATASETS", "Case", "corpus_paths", "load_cases"]

# Package data of `evals` (the wheel ships them); the sample company is the product's own.
ROOT = Path(str(files("evals")))
DATASETS = ROOT / "datasets"
CORPORA = {"sample": SAMPLE_KNOWLEDGE, "18f": ROOT / "corpora" / "18f-tts-consulting",
           "real-okrs": ROOT / "real-okrs"}  # third-party pages: a source checkout only
_NOT_PAGES = ("README.md", "SOURCES.md")


def corpus_paths(corpus: str) -> list[Path]:
    """What to index for a corpus: its folder, or for `real-okrs` the twelve pages alone (not
    the folder's README, sources list and licences); empty where the corpus is not present
    (an installed wheel carries no third-party pages)."""
    root = CORPORA[corpus]
    if not root.exists():
        return []
    if corpus == "real-okrs":
        return sorted(p for p in root.glob("*.md") if p.name not in _NOT_PAGES)
    return [root]


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    task: Literal["qa", "okr_draft", "smart_goal", "alignment_check", "lint", "strategy_map",
                  "scenario"]
    input: dict[str, Any]
    reference: Any = None
    reference_chunks: list[str] = []
    corpus: Literal["sample", "18f", "real-okrs"]
    metadata: dict[str, str] = {}


def load_cases(directory: Path = DATASETS, include_blind: bool = False) -> list[Case]:
    """Every case of every dataset file; a malformed row fails loudly with its file.

    Rows with `split: blind` (a test set written before the code it judges, run once at the
    end; `blind2`, … for later sets) are left out unless asked for, so no probe, smoke run or
    tuning loop sees them."""
    cases: list[Case] = []
    for path in sorted(directory.glob("*.yaml")):
        rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        try:
            cases += TypeAdapter(list[Case]).validate_python(rows)
        except Exception as exc:
            raise ValueError(f"{path.name}: {exc}") from exc
    ids = [c.id for c in cases]  # ids are unique across blind rows too
    if not include_blind:
        cases = [c for c in cases if not c.metadata.get("split", "").startswith("blind")]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate case ids in evals/datasets")
    return cases
