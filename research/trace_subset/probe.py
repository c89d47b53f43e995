"""A stated goal that is a part of a KR: would it trace? (no model; dev and spent rows only)

The second design traces a proposal to a confirmed KR when its aim holds `TRACE_AT` (0.6) of
the KR's content stems. A KR written as a survey benchmark has many stems: "50% or more of
partner satisfaction survey respondents report being Likely or Very Likely to recommend 18F to
others" (twelve), so "Goal: more partners likely to recommend 18F" holds five of them and is
not traced (spent blind8-18f-10, aligned). The probe adds a reverse test: the stated goal's own
stems (noise words aside), at least `--min` of them, all held by one KR. Aims here are the
proposals' stated "Goal:" sentences only (rows without one are skipped: their aim is the
model's), against the rules-built map's KRs; prints the traces each test makes, by label.

    python -m research.trace_subset.probe [--min 3]
"""

from __future__ import annotations

import argparse
from collections import Counter

from assistant.alignment.evidence import (
    _AIM_NOISE,
    AIM,
    TRACE_AT,
    WITHIN_WORDS,
    kr_stems,
    trace_krs,
)
from assistant.core.text import content_stems, split_sentences
from assistant.strategy.build import build_map
from research.alignment_rows import alignment_rows, probe_workspace

SPENT = ("dev", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--min", type=int, default=WITHIN_WORDS)
    args = parser.parse_args()
    assert "blind9" not in SPENT
    for corpus in ("sample", "18f"):
        tally: Counter[tuple[str, str]] = Counter()
        with probe_workspace(corpus) as (kb, _llm):
            krs = [e for e in build_map(kb) if e.kind == "key_result"]
            for row in alignment_rows(SPENT, corpus):
                text = row["input"]["proposal"]
                stated = " ".join(s for s in split_sentences(text) if AIM.search(s))
                if not stated:
                    continue
                label = row["reference"]
                forward = [t for t in trace_krs(stated, krs) if t.share >= TRACE_AT
                           and len(t.words) >= 2]
                own = content_stems(stated) - _AIM_NOISE
                reverse = [kr.title for kr in krs if len(own) >= args.min
                           and own <= kr_stems(kr)]
                tally[(label, "forward")] += bool(forward)
                tally[(label, "reverse only")] += bool(reverse and not forward)
                if reverse and not forward:
                    print(f"{row['id']:<18} {label:<18} {sorted(own)} -> {reverse[0][:60]}")
        for key, n in sorted(tally.items()):
            print(corpus, key, n)


if __name__ == "__main__":
    main()
