"""A value broken by stopping what it says the company always does, found in code? (no model)

Values state duties ("we cup every batch", "we answer every message within one business day",
"everyone can see the monthly numbers", "packaging must be compostable"). A value break often
says it stops or skips one: "stop cupping every roast batch", "stop showing margin, cash and
payroll totals", "neither compostable nor recyclable", "a broker who cannot name the farms".
The probe: a proposal clause that opens with a negator (stop, skip, no longer, without,
cannot, neither, instead of, …) and within the next `window` words uses at least `need` of a
value sentence's rare stems (not the workspace's everyday words) breaks that value.

Dev and spent rows only (blind5 is refused); prints fires per label.

    python -m research.value_duties.probe [--window 8] [--need 2]
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections import Counter
from pathlib import Path

from assistant.alignment.check import duty_findings
from assistant.core.config import Settings
from assistant.core.text import content_stems, content_words, split_sentences, stem
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.vocabulary import common_stems
from evals.cases import CORPORA
from research.alignment_rows import alignment_rows

NEGATOR = re.compile(r"\b(?:stop|stops|stopping|skip|skips|skipping|no longer|"
                     r"cease|pause|suspend|without|instead of|rather than|cannot|can't|neither|"
                     r"nor|never|only one in|one in (?:two|three|four|five|ten|\d+))\b",
                     re.IGNORECASE)


def duties(kb: KnowledgeBase, common: frozenset[str]) -> list[tuple[str, str, set[str]]]:
    out = []
    for doc in kb.documents():
        if doc.kind != "values":
            continue
        for hit in kb.chunks_of(doc.doc_id):
            for sentence in split_sentences(hit.text):
                stems = content_stems(sentence) - common
                if len(stems) >= 2:
                    out.append((hit.section.split(" > ")[-1], sentence, stems))
    return out


def fires(text: str, table: list[tuple[str, str, set[str]]], window: int, need: int
          ) -> list[tuple[str, str, list[str]]]:
    """The first probe (every negator, substitution words included): what chose the shipped
    rule; `--shipped` runs `check.duty_findings` instead."""
    found = []
    for m in NEGATOR.finditer(text):
        clause = re.split(r"[.;:!?]", text[m.end():], maxsplit=1)[0]  # to the clause's end
        after = {stem(w) for w in content_words(clause)[:window]}
        for value, _sentence, stems in table:
            shared = sorted(after & stems)
            if len(shared) >= need:
                found.append((value, m.group(0), shared))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", type=int, default=8)
    parser.add_argument("--need", type=int, default=2)
    parser.add_argument("--splits", default="dev,blind,blind2,blind3,blind4")
    parser.add_argument("--shipped", action="store_true", help="run check.duty_findings")
    args = parser.parse_args()
    splits = tuple(args.splits.split(","))
    assert "blind7" not in splits, "blind7 is unrun"
    for corpus in ("sample", "18f"):
        fired: Counter[str] = Counter()
        total: Counter[str] = Counter()
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp)).with_workspace(f"duties-{corpus}")
            with KnowledgeBase(settings) as kb:
                kb.index([CORPORA[corpus]])
                common = common_stems(kb)
                table = duties(kb, common)
                statements = [h for d in kb.documents() for h in kb.chunks_of(d.doc_id)]
                for row in alignment_rows(splits, corpus):
                    label = row["reference"]
                    total[label] += 1
                    text = row["input"]["proposal"]
                    hits = ([(f.element, f.proposal_evidence, []) for f in
                             duty_findings(text, statements, common)] if args.shipped
                            else fires(text, table, args.window, args.need))
                    if hits:
                        fired[label] += 1
                        print(f"{row['id']:<20} [{label} / {row['metadata'].get('kind', '')}] "
                              f"{hits[0]}")
        for label in sorted(total):
            print(f"{corpus} {label:<18} fired {fired[label]:>2} of {total[label]:>2}")


if __name__ == "__main__":
    main()
