"""What alignment probes share: the labelled rows they may read (one corpus, named splits —
never an unrun blind set: pass only dev and spent splits) and a temporary indexed workspace."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM
from evals.cases import CORPORA

__all__ = ["alignment_rows", "probe_workspace"]


def alignment_rows(splits: tuple[str, ...], corpus: str = "sample") -> list[dict[str, Any]]:
    """Every alignment row of `corpus` whose split is in `splits`, in file order."""
    out = []
    for path in sorted(Path("evals/datasets").glob("*alignment*.yaml")):
        for row in yaml.safe_load(path.read_text()) or []:
            if row["corpus"] == corpus and row["metadata"].get("split") in splits:
                out.append(row)
    return out


@contextmanager
def probe_workspace(corpus: str = "sample") -> Iterator[tuple[KnowledgeBase, LLM]]:
    """A temporary workspace with `corpus` indexed (real embeddings) and the configured model,
    closed afterwards: what every alignment probe starts from."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp)).with_workspace(f"probe-{corpus}")
        with KnowledgeBase(settings) as kb:
            kb.index([CORPORA[corpus]])
            llm = LLM(settings)
            try:
                yield kb, llm
            finally:
                llm.close()
