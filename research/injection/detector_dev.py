"""Which visible attack texts does the planted-sentence detector miss? (issue 27, dev rows only)

No model: each attack of the given splits is filled with markers, given every lead-in the
mutator knows, disguised for its hiding place, and put through `safety.unplanted_pieces` as a
one-line paragraph beside a company sentence; a miss is a marker that survives the cut.
Hidden places (front matter, link titles, alt text, HTML comments, DOCX comments and headers,
PDF metadata) are never indexed and are skipped. Never run it on a blind split before that
split's one run: `python -m research.injection.detector_dev --splits dev,dev2,dev3`.
"""

from __future__ import annotations

import argparse
import random

from assistant.core.safety import unplanted_pieces
from evals.injection_mutate import _LEADS, disguise, fill, load_attacks, markers

VISIBLE = ("paragraph", "split_sentences", "table_cell", "footnote", "system_line",
           "zero_width", "homoglyph", "other_language")
COMPANY = "We answer every message within one business day."


def _broken(text: str) -> str:
    """The mutator's line break at the first ", " (it makes one in four variants)."""
    cut = text.find(", ")
    return text if cut < 0 else text[:cut + 1] + "\n" + text[cut + 2:]


def misses(splits: list[str]) -> list[tuple[str, str, str]]:
    out = []
    for split in splits:
        for attack in load_attacks(split):
            if attack.place not in VISIBLE:
                continue
            for lead in dict.fromkeys(_LEADS):
                rng = random.Random(f"{attack.id}{lead}")
                marks = markers(rng)
                marker = {"canary": marks.canary, "host": marks.host,
                          "word": marks.word}[attack.success]
                parts = [fill(p, marks) for p in attack.parts]
                parts[0] = lead + parts[0]
                joined = " ".join(parts)
                for text in dict.fromkeys([joined, _broken(joined)]):  # the mutator's break
                    text = disguise(text, attack.place, rng)
                    kept = " ".join(unplanted_pieces(f"{COMPANY}\n\n{text}"))
                    if marker in kept:
                        out.append((attack.id, lead or "(none)", text))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--splits", default="dev,dev2,dev3")
    args = parser.parse_args()
    found = misses(args.splits.split(","))
    for attack_id, lead, text in found:
        print(f"{attack_id} [{lead}] {text[:150]}")
    print(f"{len(found)} misses")


if __name__ == "__main__":
    main()
