"""Checks that keep generated text honest: quotes really in the chunk, numbers really cited."""

from __future__ import annotations

import re

from assistant.core.safety import addressed
from assistant.core.text import content_stems, numbers_in, split_sentences

__all__ = ["attribute", "baseline_from_table", "best_quote", "number_in_text", "quote_in_chunk"]

_WORD = re.compile(r"[a-z0-9]+")
# A sentence the model left uncited is attributed to a passage only when at least this share
# of its content-word stems (and at least ATTRIBUTE_MIN_WORDS of them) occur in that passage.
ATTRIBUTE_SHARE = 0.7
ATTRIBUTE_MIN_WORDS = 3
# A metric matches a table row when the row's label holds at least this share of the metric's
# content-word stems (and the metric has at least two).
ROW_MATCH_SHARE = 0.8


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
    whole = split_sentences(flat)
    # a table row's cells and a " - " aside are quoted on their own
    sentences = [p.strip(" -|") for s in whole for p in re.split(r"\s\|\s(?=\|)|\s-\s", s)]
    sentences = [s for s in sentences if s and not addressed(s)]  # never quote planted text
    if not sentences:  # nothing but planted text: an empty quote, which no check accepts
        return "" if any(addressed(s) for s in whole) else flat[:limit]
    claim_words = set(_WORD.findall(claim.lower()))
    best = max(sentences, key=lambda s: len(claim_words & set(_WORD.findall(s.lower()))))
    return best[:limit]


def number_in_text(value: float, text: str) -> bool:
    """True when `value` is written in the text (as is, or as a percentage of 1)."""
    numbers = numbers_in(text)
    return any(abs(n - value) < 1e-9 or abs(n - value * 100) < 1e-6 for n in numbers)


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
