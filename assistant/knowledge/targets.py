"""A current figure asked for, a target given (issue 25): checked in code.

OKR pages state what a team aims for, rarely where it stands. Asked "How many members does
the committee have today?", the local model answered "5 members today" from "Add and retain
5 members to the Community Committee"; asked how many case studies a repository held "at the
start of 2025", it answered 20 from "Key result: 20 case studies added to our repository"
(both spent blind-qa11 rows whose answer is absent). So, for a question that asks where
things stand now or at a past point (`asks_current`), an answer whose numbers the cited
passages state only as targets (`as_target`) is not passed on: Keel says the documents state
a target, not a current figure, and quotes it. Yes/no questions are left to the polarity
checks. Replayed on the recorded answers of the spent QA sets (eleven, then thirteen)
(`python -m research.qa_claims.targets_replay`): it declines the two absent rows above and no
answerable one (a yes/no row it declined before yes/no questions were left out). Session 32
added "actually", "in fact" and a past tense with "at/by the end of" ("What was the figure at
the end of FY21-Q1?", "How many had they actually completed by the end of …?": the spent
fourteenth set's two absent rows answered with a target); replayed on the fourteen spent sets,
those two more absent rows declined and no other row changed.

A sentence states a number as a target when the number is the "to" side of "from X to Y", or
when the sentence carries a word of aiming (`_AIMING`: target, goal, aim, reach, achieve,
add, grow, raise, "key result", "by the end of" …) and no word of standing (`_STANDING`:
current, currently, today, now, baseline, "as of"). A "from X to Y" sentence states X as the
current figure. A number also stated outside such a sentence is not judged.
"""

from __future__ import annotations

import re

from assistant.core.text import CITATION_MARKER, NUMBER_PATTERN, numbers_in, split_sentences
from assistant.knowledge.answer_checks import held, is_yes_no, naming_stems, values_in
from assistant.knowledge.base import SearchHit

__all__ = ["as_target", "asks_current", "target_only"]

_CURRENT = re.compile(r"\b(?:today|currently|current|now|at present|at the moment|so far|"
                      r"as of|at the (?:start|beginning) of|to date|actually|actual|in fact|"
                      r"(?:was|were|had|did)\b[^?]*\b(?:at|by) the end of)\b", re.IGNORECASE)
_AIMING = re.compile(r"\b(?:targets?|goals?|aims?|aiming|reach|achieve|hit|add|added|adding|"
                     r"grow|raise|increase|double|triple|key results?|krs?|by (?:the )?end(?: of)?"
                     r"|objectives?|kr\d*)\b", re.IGNORECASE)
_STANDING = re.compile(r"\b(?:current|currently|today|now|baseline|as of|at present|so far)\b",
                       re.IGNORECASE)
_FROM_TO = re.compile(rf"\bfrom\s+\$?({NUMBER_PATTERN})\S*\s+to\s+\$?({NUMBER_PATTERN})",
                      re.IGNORECASE)


def asks_current(question: str) -> bool:
    """Does the question ask where things stand now or at a past point ("today", "currently",
    "at the start of 2025")?"""
    return bool(_CURRENT.search(question))


def as_target(sentence: str, numbers: set[float]) -> bool | None:
    """True when the sentence states `numbers` as a target, False when as a current figure,
    None when it states none of them."""
    if not numbers & numbers_in(sentence):
        return None
    for match in _FROM_TO.finditer(sentence):
        now, then = numbers_in(match.group(1)), numbers_in(match.group(2))
        if numbers & now:
            return False
        if numbers & then:
            return True
    return bool(_AIMING.search(sentence)) and not _STANDING.search(sentence)


def target_only(question: str, answer: str, hits: list[SearchHit]) -> str | None:
    """The sentence stating the answer's number as a target, when the question asks for a
    current figure and every sentence of `hits` (the cited passages) that states one of the
    answer's numbers states it as a target; else None."""
    if not asks_current(question) or is_yes_no(question):  # a yes/no answer is its polarity
        return None
    numbers = {n for n in values_in(CITATION_MARKER.sub(" ", answer)) - values_in(question)
               if not (n.is_integer() and 1900 <= n <= 2100)}  # a year is no figure
    if not numbers:
        return None
    read = [(s, as_target(s, numbers)) for h in hits for s in split_sentences(h.text, lines=True)]
    stated = [s for s, t in read if t is not None]
    if not stated or not all(t for _, t in read if t is not None):
        return None
    naming = naming_stems(question)  # the target the question is about, of several
    return " ".join(max(stated, key=lambda s: held(naming, s)).split())
