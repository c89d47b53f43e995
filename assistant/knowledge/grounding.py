"""Checks that keep generated text honest: quotes really in the chunk, numbers really cited."""

from __future__ import annotations

import re

from assistant.core.safety import addressed

__all__ = ["NUMBER_WORDS", "attribute", "baseline_from_table", "best_quote", "content_stems",
           "number_in_text", "numbers_in", "quote_in_chunk"]

_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = ("the a an and or of to in on for with by from at as is are be we our us it its "
               "this that their them they will would can not no per each every all any into "
               "than then so")
_STOP = frozenset(_STOP_WORDS.split())
# A sentence the model left uncited is attributed to a passage only when at least this share
# of its content-word stems (and at least ATTRIBUTE_MIN_WORDS of them) occur in that passage.
ATTRIBUTE_SHARE = 0.7
ATTRIBUTE_MIN_WORDS = 3
# A metric matches a table row when the row's label holds at least this share of the metric's
# content-word stems (and the metric has at least two).
ROW_MATCH_SHARE = 0.8
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve")  # NUMBER_WORDS.index(w) + 1 is the value
# "one" is left out of numbers_in: it is mostly a pronoun ("no one", "one of our")
_NUMBER_WORD = re.compile(rf"\b({'|'.join(NUMBER_WORDS[1:])})\b", re.IGNORECASE)
_NUM = re.compile(r"(?<![\w.])[-+]?\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")


def _fold(text: str) -> str:
    text = text.replace("’", "'").replace("“", '"').replace("”", '"').replace("–", "-")
    return " ".join(text.lower().split())


def quote_in_chunk(quote: str, chunk_text: str) -> bool:
    """True when the quote is in the chunk, ignoring case, white space and curly quotes."""
    needle = _fold(quote).strip(" .\"'")
    return len(needle) >= 3 and needle in _fold(chunk_text)


def best_quote(claim: str, chunk_text: str, limit: int = 300) -> str:
    """The chunk sentence sharing most words with the claim.

    Verbatim from the chunk up to white space (line wraps fold into single spaces).
    """
    flat = " ".join(chunk_text.split())
    sentences = [s.strip(" -|") for s in re.split(r"(?<=[.!?])\s+|\s\|\s(?=\|)|\s-\s", flat)]
    sentences = [s for s in sentences if s and not addressed(s)]  # never quote planted text
    if not sentences:  # nothing but planted text: an empty quote, which no check accepts
        return "" if any(addressed(s) for s in re.split(r"(?<=[.!?])\s+", flat)) \
            else flat[:limit]
    claim_words = set(_WORD.findall(claim.lower()))
    best = max(sentences, key=lambda s: len(claim_words & set(_WORD.findall(s.lower()))))
    return best[:limit]


def numbers_in(text: str) -> set[float]:
    """Every number written in the text ('2,410', '6.8%', '$3.25' -> 2410, 6.8, 3.25), and
    the small ones written as words ('four in 2026' -> 4; not "one", which is mostly a
    pronoun: "no one", "one of our")."""
    found = set()
    for match in _NUM.finditer(text):
        found.add(float(match.group(1).replace(",", "") + (match.group(2) or "")))
    for word in _NUMBER_WORD.findall(text):
        found.add(float(NUMBER_WORDS.index(word.lower()) + 1))
    return found


def number_in_text(value: float, text: str) -> bool:
    """True when `value` is written in the text (as is, or as a percentage of 1)."""
    numbers = numbers_in(text)
    return any(abs(n - value) < 1e-9 or abs(n - value * 100) < 1e-6 for n in numbers)


def content_stems(text: str) -> set[str]:
    """Five-letter stems of the words that carry meaning (no stop words, no 1-2 letter words)."""
    return {w[:5] for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def attribute(sentence: str, passages: list[str]) -> int | None:
    """Index of the passage an uncited sentence restates, or None.

    Deterministic and strict: the passage must hold at least `ATTRIBUTE_SHARE` of the
    sentence's content-word stems (at least `ATTRIBUTE_MIN_WORDS`). A paraphrase in other
    words, a translation or an encoded text stays unattributed.
    """
    stems = content_stems(sentence)
    if len(stems) < ATTRIBUTE_MIN_WORDS:
        return None
    shares = [len(stems & content_stems(p)) / len(stems) for p in passages]
    if not shares:
        return None
    best = max(range(len(shares)), key=lambda i: shares[i])
    return best if shares[best] >= ATTRIBUTE_SHARE else None


def baseline_from_table(metric: str, chunk_text: str) -> tuple[float, str] | None:
    """(current value, the row) when a Markdown table row of the chunk names the metric.

    Strict on purpose, because the result is written into a plan: the row's first cell must
    hold at least `ROW_MATCH_SHARE` of the metric's content-word stems (two or more), exactly
    one such row may match, and its second cell must hold exactly one number.
    """
    stems = content_stems(metric)
    if len(stems) < 2:
        return None
    found = []
    for line in chunk_text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or set(cells[0]) <= set("-: "):
            continue
        if len(stems & content_stems(cells[0])) / len(stems) >= ROW_MATCH_SHARE:
            found.append((numbers_in(cells[1]), line.strip()))
    if len(found) != 1 or len(found[0][0]) != 1:
        return None
    return next(iter(found[0][0])), found[0][1]
