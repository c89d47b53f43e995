"""A "how many" question answered with a count of something else (issue 25): checked in code.

Asked "How many packages does the Ubuntu mirror hold?", the local model answered "1TiB of
data"; asked how many people work on a team, "100% of its team trained …"; asked how many
articles a committee published, "200k views per 30 days of … articles" (the spent fourteenth,
thirteenth and twelfth sets; each answer absent from the pages). The number is in the passage,
so the number checks pass; what it counts is not what the question counts.

`counts_otherwise`: the question asks "how many <words>" (the words up to its first verb of
being or doing, or preposition: "how many help desk tickets do …" counts help, desk, tickets);
every number the answer states (not a year, not one the question states, not glued to one
letter as in "18F") is money, a percentage, or followed by words none of which is one the
question counts ("200k views", "30 days of …": the words after a number stop at a stop word);
and none is bare (a bare number may be the count). Measures meet their abbreviations ("kilos"
and "kg"). Replayed on the recorded answers of the fourteen spent QA sets
(`python -m research.qa_claims.counts_replay`): three absent rows declined, and one answerable
row whose recorded answer the judge passed by accident (asked how many people work at the
company, it listed revenue shares: "41% of the workforce …"; 41 is also the headcount).

`money_otherwise`, the same for money: a question asking for a budget, salary, price, cost or
fee ("What budget does the IPFS Cluster team have for 2019 Q2?") answered with numbers none of
which is money ("a budget of 0.4", the table's score; spent fifteenth set). "Worth" is not
read as money ("three times as much"). Replayed the same way (`counts_replay.money`): one
absent row declined, no other row changed.
"""

from __future__ import annotations

import re

from assistant.core.quantities import MEASURES
from assistant.core.text import (
    CITATION_MARKER,
    NUMBER_PATTERN,
    NUMBER_WORDS,
    STOP_WORDS,
    content_words,
    lemma_stem,
    numbers_in,
    stem,
)

__all__ = ["asked_counts", "asks_money", "counts_otherwise", "money_otherwise"]

_HOW_MANY = re.compile(r"\bhow many\s+(.*?)(?=\s+(?:do|does|did|are|is|was|were|have|has|had|"
                       r"will|would|can|could|should|shall|may|might|must|in|on|at|for|of|"
                       r"per|by|from|to|with|that|which|besides|during)\b|[?,;]|$)",
                       re.IGNORECASE)
_STATED = re.compile(r"(?<![\w.,])(?P<cur>[$£€])?(?P<num>" + NUMBER_PATTERN + "|"
                     + "|".join(NUMBER_WORDS[1:]) + r")(?P<rest>[^\s.,;:!?()\[\]]*)",
                     re.IGNORECASE)
_NEXT_WORD = re.compile(r"\s*([^\W\d_][\w'’-]*)")
_LINK = re.compile(r"\(?https?://\S+")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_MULTIPLIERS = ("k", "m")
_ASKS_MONEY = re.compile(r"\b(?:how much money|what (?:\w+ )?(?:budget|salary|salaries|price|"
                         r"prices|cost|costs|fee|fees|pay|wage|wages|spend)|how much does .+ "
                         r"(?:cost|pay|spend)|how much is .+ (?:budget|paid))\b",
                         re.IGNORECASE)
_MONEY = re.compile(r"[$£€]\s?\d|\d\s?(?:dollars?|euros?|pounds?|usd|eur|gbp)\b|"
                    r"\b(?:usd|eur|gbp)\s?\d", re.IGNORECASE)
_WORDS_AFTER = 4  # words read after a number for what it counts


def _units(words: list[str]) -> set[str]:
    """Each word's stem, its dictionary form's stem and its measure ("kilos" → kg)."""
    return {u for w in words for u in (MEASURES.get(w), stem(w), lemma_stem(w)) if u}


def asked_counts(question: str) -> set[str]:
    """What a "how many" question counts, as stems; empty for any other question."""
    match = _HOW_MANY.search(question)
    return _units(content_words(match.group(1))) if match else set()


def _counted(text: str, end: int) -> list[str]:
    """The words right after a number, up to a stop word or punctuation: what it counts
    ("20 largest partner cafés in" → largest, partner, cafés; "30 days of" → days)."""
    words: list[str] = []
    while len(words) < _WORDS_AFTER and (m := _NEXT_WORD.match(text, end)):
        word = m.group(1).lower()
        if word in STOP_WORDS:
            break
        words.append(word)
        end = m.end()
    return words


def counts_otherwise(question: str, answer: str) -> bool:
    """Does the answer to a "how many" question state numbers, every one a count of something
    the question does not count (money, a percentage, another noun), and none bare?"""
    asked = asked_counts(question)
    if not asked:
        return False
    text = _LINK.sub(" ", CITATION_MARKER.sub(" ", answer))
    own = numbers_in(question)
    stated = 0
    for m in _STATED.finditer(text):
        num, rest = m.group("num").lower(), m.group("rest").lower().lstrip("-")
        value = float(NUMBER_WORDS.index(num) + 1) if num in NUMBER_WORDS else \
            float(num.replace(",", ""))
        if value in own or _YEAR.match(num) or (len(rest) == 1 and rest.isalpha()
                                                 and rest not in _MULTIPLIERS):
            continue  # the question's own number, a year, or a name such as "18F"
        stated += 1
        if m.group("cur") or rest.startswith("%"):
            continue  # money or a share: no count of a thing
        words = ([rest] if rest and rest not in _MULTIPLIERS else []) + _counted(text, m.end())
        if not words or _units(words) & asked:
            return False  # a bare number may be the count; or it counts what was asked
    return stated > 0


def asks_money(question: str) -> bool:
    """"What budget …", "How much money …", "What salary …", "How much does it cost?"."""
    return bool(_ASKS_MONEY.search(question))


def money_otherwise(question: str, answer: str) -> bool:
    """Does the answer to a money question state numbers, none of them money ("a budget of
    0.4" read off a table of scores: spent blind-qa15)?"""
    text = _LINK.sub(" ", CITATION_MARKER.sub(" ", answer))
    stated = {v for v in numbers_in(text) - numbers_in(question)
              if not _YEAR.match(f"{v:g}")}
    return asks_money(question) and bool(stated) and not _MONEY.search(text)
