"""Retrieval with and without table-row views (`knowledge/rows.py`), no model (session 22).

Every QA row with reference chunks is searched in a fresh index of its corpus with real
embeddings: with the row views off, then with them on at each `ROW_MARGIN` of a sweep; hit@5
and MRR are printed per corpus for the base and dev rows (what the margin was chosen on) and
the spent blind sets (all five QA sets are spent as of session 22; an unrun set must not be
read here): `python -m research.table_rows.hits`.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path

import assistant.knowledge.rows as rows
from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase, SearchHit
from evals.cases import CORPORA, load_cases

K = 5
MARGINS: list[float | None] = [None, 0.0, 0.02, 0.04, 0.06, 0.08]  # None: views off


def _without_rows(hits: list[SearchHit], *_: object) -> list[SearchHit]:
    return hits


def _reciprocal_ranks() -> dict[tuple[str, str, float | None], list[float]]:
    cases = [c for c in load_cases(include_blind=True) if c.task == "qa" and c.reference_chunks]
    out: dict[tuple[str, str, float | None], list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in ("sample", "18f"):
            settings = Settings(data_dir=Path(tmp), llm_provider="fake").with_workspace(corpus)
            with KnowledgeBase(settings) as kb:
                kb.index([CORPORA[corpus]])
                with_rows = kb._with_rows
                for margin in MARGINS:
                    kb._with_rows = with_rows if margin is not None else _without_rows  # type: ignore[method-assign]
                    rows.ROW_MARGIN = margin or 0.0
                    for case in (c for c in cases if c.corpus == corpus):
                        ids = [h.chunk_id for h in kb.search(case.input["question"], k=K)]
                        ranks = [n for n, i in enumerate(ids, 1) if i in case.reference_chunks]
                        spent = case.metadata.get("split", "").startswith("blind")
                        group = "spent blind" if spent else "base + dev"
                        out[(corpus, group, margin)].append(1 / ranks[0] if ranks else 0.0)
    return out


def main() -> None:
    table = _reciprocal_ranks()
    for corpus in ("sample", "18f"):
        for group in ("base + dev", "spent blind"):
            cells = []
            for margin in MARGINS:
                v = table[(corpus, group, margin)]
                name = "off" if margin is None else f"{margin:.2f}"
                cells.append(f"{name}: hit@5 {sum(x > 0 for x in v) / len(v):.3f} "
                             f"MRR {sum(v) / len(v):.3f}")
            print(f"{corpus:6} {group:11} (n={len(v)}) | " + " | ".join(cells))


if __name__ == "__main__":
    main()
