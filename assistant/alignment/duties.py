"""A value broken by ceasing what it says the company always does, found in code (issue 23).

Values state duties: "we roast in small batches … and cup every batch", "everyone can see the
monthly numbers: revenue, margin, cash and payroll totals", "we replace a bag that
disappoints without argument", "we only buy green coffee we can trace to a named farm". A
proposal that breaks one usually says so in a clause that *stops* it: "stop cupping every roast
batch", "stop showing margin, cash and payroll totals", "stop replacing a bag that
disappoints", "a broker who cannot name the farms". Asked, the 1.5B model did not find these
(`research/value_rules`: 1 of 9); plain code does:

* a **ceasing clause** opens with a word of stopping or inability (`CEASING`: stop, skip, no
  longer, cease, suspend, cannot, neither, nor, never, "only one in five") and runs to the
  clause's end;
* it **breaks a value** when its first `WINDOW` content words hold at least `NEED` of one value
  sentence's rare stems (the workspace's everyday words — "coffee" at a roaster — aside).

Substitution words ("instead of", "rather than", "without") are not read: "answer within one
hour instead of one business day" replaces a duty with a stricter one (a dev row). Chosen on
the dev rows and the spent blind sets (`python -m research.value_duties.probe`): 5 value
breaks found, 0 wrong on any other row; a break told without such a clause (a plastic pouch,
a fee before a replacement) is still the manager's question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.core.text import content_words, lemma_stem, split_sentences, stem

__all__ = ["CEASING", "NEED", "WINDOW", "DutyBreak", "duty_breaks"]

CEASING = re.compile(r"\b(?:stop|stops|stopping|skip|skips|skipping|no longer|cease|ceases|"
                     r"suspend|suspends|cannot|can't|neither|nor|never|only one in|"
                     r"one in (?:two|three|four|five|ten|\d+))\b", re.IGNORECASE)
WINDOW = 8  # content words read after the ceasing word, within its clause
NEED = 2  # rare stems of one value sentence they must hold
_CLAUSE_END = re.compile(r"[.;:!?]")


@dataclass(frozen=True)
class DutyBreak:
    sentence: str  # the value's sentence, verbatim
    clause: str  # the proposal's ceasing clause, from the ceasing word
    words: tuple[str, ...]  # the shared stems


def duty_breaks(proposal: str, value_text: str,
                common: frozenset[str] = frozenset()) -> list[DutyBreak]:
    """The sentences of one value (`value_text`) a ceasing clause of the proposal stops."""
    duties = [(s, _stems(s) - common) for s in split_sentences(value_text)]
    duties = [(s, stems) for s, stems in duties if len(stems) >= NEED]
    out: list[DutyBreak] = []
    for m in CEASING.finditer(proposal):
        clause = _CLAUSE_END.split(proposal[m.end():], maxsplit=1)[0]
        words = [{stem(w), lemma_stem(w)} for w in content_words(clause)[:WINDOW]]
        for sentence, stems in duties:
            matched = [forms & stems for forms in words if forms & stems]
            shared = tuple(sorted(set().union(*matched))) if matched else ()
            if len(matched) >= NEED and all(b.sentence != sentence for b in out):
                out.append(DutyBreak(sentence, f"{m.group(0)}{clause}".strip(), shared))
    return out


def _stems(text: str) -> set[str]:
    """Each content word's stem and its dictionary form's ("loaves" is also "loaf")."""
    return {s for w in content_words(text) for s in (stem(w), lemma_stem(w))}
