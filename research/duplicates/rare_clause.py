"""A planned action told in other words, by its rare words? (no model; dev and spent rows)

The duplicates a trace still approves share the plan's *rare* words, not its phrasing: "hire
a second service technician" (the plan: "including a second service technician"), "raise the
pay of the four roles still below the Maine livable wage" ("bring the last four roles up to
the livable wage"). The probe: each planned clause (`told.planned_clauses`, budget clauses
kept) keeps its content stems that few chunks of the workspace use (at most `--rare` chunks);
a proposal whose action sentences hold all of a clause's rare stems, at least `--need` of
them, repeats it. Prints the fires by label.

    python -m research.duplicates.rare_clause [--rare 2] [--need 2]
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections import Counter
from pathlib import Path

from assistant.alignment.told import _CLAUSE, MIN_WORDS, action_sentences
from assistant.core.config import Settings
from assistant.core.text import content_words, lemma_stem, split_sentences, stem
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.vocabulary import stem_frequency
from evals.cases import CORPORA
from research.alignment_rows import alignment_rows
from research.duplicates.probe import planned_chunks

SPLITS = ("dev", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8",
          "blind9", "blind10")


def _forms(text: str) -> set[str]:
    return {f for w in content_words(re.sub(r"\$?\d[\d,.]*%?", " ", text))
            for f in (stem(w), lemma_stem(w))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rare", type=int, default=2)
    parser.add_argument("--need", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), llm_provider="fake")
        for corpus in ("sample", "18f"):
            tally: Counter[str] = Counter()
            with KnowledgeBase(settings.with_workspace(f"rare-{corpus}")) as kb:
                kb.index([CORPORA[corpus]])
                freq = stem_frequency(kb)
                clauses = []
                for chunk in planned_chunks(kb):
                    for sentence in split_sentences(chunk, lines=True):
                        if "|" in sentence:
                            continue
                        for clause in _CLAUSE.split(sentence):
                            if len(content_words(clause)) < MIN_WORDS:
                                continue
                            rare = {stem(w) for w in content_words(clause)
                                    if 1 <= freq[stem(w)] <= args.rare}
                            if len(rare) >= args.need:
                                clauses.append((clause.strip(), rare))
                for row in alignment_rows(SPLITS, corpus):
                    have = _forms(" ".join(action_sentences(row["input"]["proposal"])))
                    hit = next(((c, r) for c, r in clauses if r <= have), None)
                    tally[row["reference"]] += hit is not None
                    if hit:
                        print(f"{row['id']:<18} {row['reference']:<18} {sorted(hit[1])} "
                              f"<- {hit[0][:60]}")
            print(corpus, dict(tally))


if __name__ == "__main__":
    main()
