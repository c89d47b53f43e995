"""A value broken by a negated clause, found by meaning? (no model; dev and spent rows only)

`duties.py` finds a value's duty stopped by a ceasing word ("stop cupping every batch") sharing
two rare stems with a value sentence. Value breaks told otherwise stay for review: "design the
form … with no interviews or usability tests" (18F: "We listen to the public …; we build,
test, validate with real people"), "deliver it in a single release … with no pilot or
earlier version" ("deliver working software early and often"). The probe: each negated clause
of a proposal (from a negator — no, without, never, not, nor, stop … — to the clause's end)
is compared by MiniLM with each sentence of every value element of the rules-built map; the
best closeness per row is printed with its label, so a threshold can be read off (or the idea
dropped).

    python -m research.value_negation.probe [--splits dev,blind,...,blind8]
"""

from __future__ import annotations

import argparse
import re

from assistant.core.text import content_words, split_sentences
from assistant.knowledge.embeddings import cosine
from assistant.strategy.build import build_map
from research.alignment_rows import alignment_rows, probe_workspace

NEGATOR = re.compile(r"\b(?:no longer|no|not|without|never|nor|neither|stop|stops|skip|skips|"
                     r"cannot|can't)\b", re.IGNORECASE)
_END = re.compile(r"[.;:!?]")
SPENT = ("dev", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8")


def negated_clauses(text: str) -> list[str]:
    out = []
    for sentence in split_sentences(text):
        if re.match(r"\s*(goal|aim)\b", sentence, re.IGNORECASE):
            continue
        for m in NEGATOR.finditer(sentence):
            clause = _END.split(sentence[m.end():], maxsplit=1)[0].strip()  # positive form
            if len(content_words(clause)) >= 2:
                out.append(clause)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--splits", default=",".join(SPENT))
    args = parser.parse_args()
    splits = tuple(args.splits.split(","))
    assert not {"blind9"} & set(splits), "blind9 is unrun"
    for corpus in ("sample", "18f"):
        with probe_workspace(corpus) as (kb, _llm):
            values = [(e.title, f"{e.title}. {e.text}") for e in build_map(kb)
                      if e.kind == "value"]
            vecs = kb.embedder.embed([s for _, s in values])
            rows = []
            for row in alignment_rows(splits, corpus):
                clauses = negated_clauses(row["input"]["proposal"])
                if not clauses:
                    continue
                best = (0.0, "", "", "")
                for clause, cv in zip(clauses, kb.embedder.embed(clauses), strict=True):
                    for (title, sentence), vv in zip(values, vecs, strict=True):
                        sim = cosine(cv, vv)
                        if sim > best[0]:
                            best = (sim, clause, title, sentence)
                rows.append((best, row))
            for best, row in sorted(rows, key=lambda r: -r[0][0]):
                print(f"{best[0]:.2f} {row['id']:<18} {row['reference'][:9]:<9} "
                      f"{row['metadata'].get('kind', '')[:16]:<16} | {best[1][:60]} | "
                      f"{best[2]}: {best[3][:70]}")


if __name__ == "__main__":
    main()
