"""Questions about time, checked in code (issue 25): "When …?", "How long …?", "… in 2027?".

The eighth blind QA set, spent and read after its run, showed answers to such questions that
state no time ("The TTS Code of Conduct was last updated on [S2] by the TTSC Chief of Staff")
and answers taken from another year's page ("the target for gift subscriptions in 2027" given
from the 2026 Q4 OKRs). So:

* a question asking when, how long, how soon or how often (`asks_when`) is answered only by
  text that says a time (`states_time`: a number, or a word such as a month, a weekday,
  "quarterly", "before"; a year for "in which year …?");
* a question naming a year is answered only from passages that name it, or a span of years
  holding it ("2026-2028") (`years_held`); a fiscal year ("FY24", "fiscal year 2024") names
  its year.
"""

from __future__ import annotations

import re

from assistant.core.text import CITATION_MARKER, numbers_in

__all__ = ["ADDRESS", "asks_when", "states_time", "years_held"]

ADDRESS = re.compile(r"\]\([^)\s]*\)|https?://\S+|www\.\S+")  # a link's target: no values
_MARKER = CITATION_MARKER
_WHEN = re.compile(r"^\W*(?:when|how\s+(?:long|soon|often|old)|(?:in|by|on|until)\s+(?:what|"
                   r"which)\s+(?:year|month|date|day|quarter))\b", re.IGNORECASE)
def _lexicon(words: str) -> frozenset[str]:
    return frozenset(words.split())


_TIME_WORDS = _lexicon("""
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday week weeks weekly month months monthly year years yearly annual annually
    quarter quarters quarterly daily day days today tomorrow yesterday morning afternoon
    evening night spring summer autumn fall winter season now currently soon before after
    during until since start end beginning deadline fy q1 q2 q3 q4 h1 h2 increment increments
    phase once twice
""")
_ASKS_YEAR = re.compile(r"^\W*(?:in|by|during|since|until)?\s*(?:what|which)\s+year\b",
                        re.IGNORECASE)
_YEAR = re.compile(r"(?<![\w.,$])((?:19|20)\d{2})(?![\w%])")
_SPAN = re.compile(r"\b((?:19|20)\d{2})\s*(?:-|–|—|to|through)\s*((?:19|20)\d{2})\b")
# a fiscal year: "FY24", "FY 2024", "FY2024-25" (its first year), "fiscal year 2024"
_FISCAL = re.compile(r"\b(?:FY\s?|fiscal\s+year\s+)((?:19|20)?\d{2})(?![\d%])", re.IGNORECASE)


def asks_when(question: str) -> bool:
    """"When …?", "How long / soon / often …?", "In which year …?": the answer must say a
    time or a duration."""
    return bool(_WHEN.match(question))


def states_time(text: str, question: str = "") -> bool:
    """Does the text say a time: a number (a year, a date, "within 48 hours") or a time word
    (a month, a weekday, "quarterly", "before")? Citation markers and addresses do not count.
    Given the question, one asking for a year ("In which year …?") needs a year."""
    body = ADDRESS.sub(" ", _MARKER.sub(" ", text))
    if _ASKS_YEAR.match(question):
        return bool(_years(body))
    return bool(numbers_in(body)) or any(w in _TIME_WORDS
                                         for w in re.findall(r"[^\W_]+", body.lower()))


def _years(text: str) -> set[int]:
    """The years a text names, a fiscal year's two digits read as this century's ("FY24" is
    2024: the spent ninth set asked "… in FY24?" of a page naming no fiscal year)."""
    body = ADDRESS.sub(" ", text)
    fiscal = {int(y) if len(y) == 4 else 2000 + int(y)
              for y in (m.group(1) for m in _FISCAL.finditer(body))}
    return {int(m.group(1)) for m in _YEAR.finditer(body)} | fiscal


def years_held(question: str, text: str) -> bool:
    """Does the text hold every year the question names, a span ("2026-2028") holding the
    years within it? An answer about another year answers nothing."""
    asked = _years(question)
    if not asked:
        return True
    have = _years(text) | {y for m in _SPAN.finditer(text)
                           for y in range(int(m.group(1)), int(m.group(2)) + 1)}
    return asked <= have
