"""Does the word duplicate rule need the proposal's goal sentence? (no model; dev and spent rows)

`elements.planned_overlap` finds a planned initiative repeated when three quarters of a
planned sentence's stems are in the proposal — the whole proposal, its "Goal:" sentence
included. The spent ninth set's aligned "monthly delivered-versus-billed page … Goal: more
partners reporting the value they received was at least equal to the budget spent" was read
as repeating the survey benchmark it aims at. The clause rule (`told.py`) reads only the
proposal's actions; this probe prints, per row, where the word rule fires with the whole text
and with the action sentences only (`told.action_sentences`), by label.

    python -m research.duplicates.goal_words
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from assistant.alignment.elements import DUPLICATE_AT, planned_overlap
from assistant.alignment.told import action_sentences
from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from evals.cases import CORPORA
from research.alignment_rows import alignment_rows
from research.duplicates.probe import planned_chunks

SPLITS = ("dev", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8",
          "blind9")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), llm_provider="fake")
        for corpus in ("sample", "18f"):
            tally: Counter[tuple[str, str]] = Counter()
            with KnowledgeBase(settings.with_workspace(f"goal-{corpus}")) as kb:
                kb.index([CORPORA[corpus]])
                chunks = planned_chunks(kb)
                for row in alignment_rows(SPLITS, corpus):
                    text = row["input"]["proposal"]
                    acts = " ".join(action_sentences(text))
                    whole = any(planned_overlap(c, text)[0] >= DUPLICATE_AT for c in chunks)
                    only = any(planned_overlap(c, acts)[0] >= DUPLICATE_AT for c in chunks)
                    key = ("both" if whole and only else "whole text only" if whole
                           else "actions only" if only else "neither")
                    tally[(row["reference"], key)] += 1
                    if whole != only:
                        print(f"{row['id']:<18} {row['reference']:<18} {key}: {text[:70]}")
            for k, n in sorted(tally.items()):
                if k[1] != "neither":
                    print(corpus, k, n)


if __name__ == "__main__":
    main()
