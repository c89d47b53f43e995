"""A planned action told in other words: does meaning at clause level tell duplicates apart?

    python -m research.duplicates.probe [--verbose]

Dev and spent rows only (dev, blind … blind8; never blind9, unrun). The shipped duplicate rule
(`elements.planned_overlap`) needs three quarters of a planned sentence's word stems in the
proposal; the seventh blind set's afternoon roasting crew ("the second roaster shift") and the
sixth's barista school ("the barista training academy") shared too few and traced to a KR as
aligned. Here each planned sentence of the plan and OKR pages is cut into clauses (commas,
semicolons, "and"), each clause of three content words or more is embedded (MiniLM), and the
proposal's action sentences (not its "Goal:" sentence) are compared with every clause. Prints
the closest clause's similarity per row, by label and kind, so a threshold can be read off —
or seen not to exist.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from assistant.alignment.elements import kind_of
from assistant.alignment.told import told_again
from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from evals.cases import CORPORA
from research.alignment_rows import alignment_rows

SPLITS = ("dev", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8")


def planned_chunks(kb: KnowledgeBase) -> list[str]:
    """Every chunk the alignment check reads as a planned initiative (`elements.kind_of`)."""
    return [h.text for d in kb.documents() for h in kb.chunks_of(d.doc_id)
            if kind_of(h) == "initiative"]


def main() -> None:
    verbose = "--verbose" in sys.argv
    assert "blind9" not in SPLITS
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), llm_provider="fake")
        for corpus in ("sample", "18f"):
            with KnowledgeBase(settings.with_workspace(f"dup-{corpus}")) as kb:
                kb.index([CORPORA[corpus]])
                chunks = planned_chunks(kb)
                rows = []
                for row in alignment_rows(SPLITS, corpus):
                    text = row["input"]["proposal"]
                    best, near = max((told_again(c, text, kb.embedder) for c in chunks),
                                     default=(0.0, ""))
                    rows.append((best, row["reference"], row["metadata"].get("kind", ""),
                                 row["id"], text[:70], near[:70]))
                print(f"== {corpus}: {len(chunks)} planned chunks")
                for best, label, kind, rid, text, near in sorted(rows, reverse=True):
                    if verbose or best >= 0.55:
                        print(f"{best:.2f} {label[:9]:<9} {kind[:14]:<14} {rid:<18} {text}"
                              f" || {near}")


if __name__ == "__main__":
    main()
