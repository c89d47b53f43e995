"""Retrieval with and without the rare-word places (`knowledge/lexical.py`), no model (session 25).

Every QA row with reference chunks, from the base, dev and spent blind sets (every QA set is
spent as of session 32; an unrun one must be left out here), is searched in a fresh index of
its corpus with real embeddings: dense only, then with rare words at the shipped
`RARE_CHUNKS` × `RESCUES` (`--sweep`: at each of a small sweep). Prints hit@5 and MRR per
corpus and group, and how many "absent" questions (answer not in the documents) got a
rare-word passage: `python -m research.retrieval.rare_words [--sweep] [--phrasing-off]`
(session 32 added the real OKR pages and `lexical.PHRASING`).
"""

from __future__ import annotations

import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import assistant.knowledge.lexical as lexical
from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from evals.cases import corpus_paths, load_cases

K = 5
SETTINGS: list[tuple[int, int] | None] = [None, (lexical.RARE_CHUNKS, lexical.RESCUES)]
SWEEP: list[tuple[int, int] | None] = [None, (1, 1), (2, 1), (3, 1), (3, 2), (5, 2)]


def _runs() -> tuple[dict[tuple[str, str, object], list[float]], dict[tuple[str, object], int]]:
    cases = [c for c in load_cases(include_blind=True) if c.task == "qa"]
    ranks: dict[tuple[str, str, object], list[float]] = defaultdict(list)
    absent: dict[tuple[str, object], int] = defaultdict(int)
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in ("sample", "18f", "real-okrs"):
            settings = Settings(data_dir=Path(tmp), llm_provider="fake").with_workspace(corpus)
            with KnowledgeBase(settings) as kb:
                kb.index(corpus_paths(corpus))
                for setting in SETTINGS:
                    for case in (c for c in cases if c.corpus == corpus):
                        question = case.input["question"]
                        hits = kb.search(question, k=K)
                        if setting is not None:
                            lexical.RARE_CHUNKS, lexical.RESCUES = setting
                            hits = lexical.with_rare_words(question, kb, hits, K)
                        if not case.reference_chunks:
                            absent[(corpus, setting)] += any(h.lexical for h in hits)
                            continue
                        ids = [h.chunk_id for h in hits]
                        found = [n for n, i in enumerate(ids, 1) if i in case.reference_chunks]
                        spent = case.metadata.get("split", "").startswith("blind")
                        group = "spent blind" if spent else "base + dev"
                        ranks[(corpus, group, setting)].append(1 / found[0] if found else 0.0)
    return ranks, absent


def main() -> None:
    global SETTINGS
    if "--phrasing-off" in sys.argv:
        lexical.PHRASING = frozenset()
    if "--sweep" in sys.argv:
        SETTINGS = SWEEP
    ranks, absent = _runs()
    for corpus in ("sample", "18f", "real-okrs"):
        for group in ("base + dev", "spent blind"):
            cells = []
            if not ranks[(corpus, group, None)]:
                continue  # (the real OKR pages have no base or dev rows)
            for setting in SETTINGS:
                v = ranks[(corpus, group, setting)]
                name = "off" if setting is None else f"{setting[0]}x{setting[1]}"
                cells.append(f"{name}: {sum(x > 0 for x in v)}/{len(v)} MRR {sum(v) / len(v):.3f}")
            print(f"{corpus:6} {group:11} | " + " | ".join(cells))
        print(f"{corpus:6} absent questions given a rare-word passage | " + " | ".join(
            f"{'off' if s is None else f'{s[0]}x{s[1]}'}: {absent[(corpus, s)]}"
            for s in SETTINGS))


if __name__ == "__main__":
    main()
