"""What one sentence says to a yes/no question, where plain code can tell (issue 25).

Moved out of `answer_checks` (session 32, no behaviour change): the polarity rules that
`qa._polarity_checked` and `qa._decided` apply to the cited or closest sentences — a sentence
that is only "Yes."/"No."; a number beyond a bound the sentence draws; a quality stated by its
opposite; "rather than"/"instead of" turning down what is asked; one value of the asked unit
compared with the question's; a count of the asked noun stated differently; a table row's own
priority cell; a negation (or a negating heading over a list) about the same thing. Each rule
reads a sentence only when it shares `NEGATION_SHARED` naming words with the question.
"""

from __future__ import annotations

import re

from assistant.core.quantities import limits_in, quantities_in
from assistant.core.text import content_words, stem
from assistant.knowledge.answer_checks import (
    NEGATION_SHARED,
    OPPOSITES,
    Polarity,
    held,
    naming_stems,
    values_in,
)

__all__ = ["evidence_polarity", "stated_polarity"]

_OPENING = re.compile(r"^\W*(yes|no)\b", re.IGNORECASE)
_FAQ = re.compile(r"^\W*(yes|no)\W*$", re.IGNORECASE)  # a sentence that is only "No."
_NEGATION = re.compile(r"\b(?:no|not|never|none|nothing|neither|nor|cannot|without)\b|n[’']t\b",
                       re.IGNORECASE)
_EXCEEDS = re.compile(r"\b(?:more|larger|bigger|higher|greater|longer|heavier|deeper|over|"
                      r"above|beyond|exceed\w*)\b", re.IGNORECASE)


def stated_polarity(answer: str) -> Polarity | None:
    match = _OPENING.match(answer)
    return None if match is None else "yes" if match.group(1).lower() == "yes" else "no"


def evidence_polarity(question: str, sentence: str, heading: str = "") -> Polarity | None:
    """What one sentence says to a yes/no question, where plain code can tell; else None.
    `heading`: the sentence's section; a negating heading ("What is not funded in 2027")
    negates a list sentence under it (two commas or more)."""
    if match := _FAQ.match(sentence):
        return "yes" if match.group(1).lower() == "yes" else "no"
    exceeds = bool(_EXCEEDS.search(question))
    for quantity, _ in quantities_in(question):
        for limit in limits_in(sentence):
            bound = limit.quantity
            if bound.unit == quantity.unit and (quantity.value > bound.value
                                                or (exceeds and quantity.value >= bound.value)):
                return "no"
    shared = held(naming_stems(question), sentence)
    if shared >= NEGATION_SHARED and _states_opposite(question, sentence):
        return "no"  # "easy to find?" — "hard to find"
    if shared >= NEGATION_SHARED and _rejects_asked(question, sentence):
        return "no"  # "win wholesale on price?" — "winning on service rather than price"
    if shared >= NEGATION_SHARED and (compared := _compared(question, sentence)):
        return compared  # "below 38%?" — "Wholesale gross margin: 39.5%"
    if shared >= NEGATION_SHARED and _counted_otherwise(question, sentence):
        return "no"  # "run five AMAs?" — "Run 3 AMAs with folks from our ecosystem"
    if shared >= NEGATION_SHARED and (ranked := _ranked(question, sentence)):
        return ranked  # "a P0 priority?" — "Streaming API | P3"
    listed = sentence.count(",") >= 2 and bool(_NEGATION.search(heading))
    if ((_NEGATION.search(sentence) or listed) and not _NEGATION.search(question)
            and shared >= NEGATION_SHARED):
        return "no"
    return None


# "X rather than Y", "X instead of Y": Y is what the sentence turns down (up to four words)
_CONTRAST = re.compile(r"\b(?:rather than|instead of)\s+((?:[\w'’-]+\s+){0,3}[\w'’-]+)",
                       re.IGNORECASE)


def _rejects_asked(question: str, sentence: str) -> bool:
    """Does the sentence turn down what the question asks about ("… on service rather than
    price" to "… on price?"; spent blind-qa10 answered "Yes")? A naming word of the question
    right after "rather than" / "instead of" and not on the chosen side, which must itself
    share `NEGATION_SHARED` naming words with the question (it is about the same thing: "…
    referrals and gifting rather than paid advertising" does not answer "… roles paid below
    the Maine livable wage?"); a question that sets out the contrast itself is not read."""
    if _CONTRAST.search(question):
        return False
    asked = naming_stems(question)
    for match in _CONTRAST.finditer(sentence):
        turned_down = {stem(w) for w in content_words(match.group(1))}
        chosen = {stem(w) for w in content_words(sentence[:match.start()])}
        if asked & turned_down - chosen and len(asked & chosen) >= NEGATION_SHARED:
            return True
    return False


_FALLS_SHORT = re.compile(r"\b(?:less|fewer|lower|smaller|shorter|below|under)\b", re.IGNORECASE)


def _compared(question: str, sentence: str) -> Polarity | None:
    """A question comparing one quantity ("below 38%", "more than ten working days") against a
    sentence stating one value of that unit (not a bound: `limits_in` decides those) — or, for
    a counted noun the sentence names, its one number ("Partner cafés lost: 3")."""
    more, less = bool(_EXCEEDS.search(question)), bool(_FALLS_SHORT.search(question))
    asked = quantities_in(question)
    if more == less or len(asked) != 1 or limits_in(sentence):
        return None
    quantity = asked[0][0]
    values = {q.value for q, _ in quantities_in(sentence) if q.unit == quantity.unit}
    if not values and quantity.unit not in _UNITLESS and held({quantity.unit}, sentence):
        values = values_in(sentence) - values_in(question) - _years(sentence)
    if len(values) != 1:
        return None
    value = values.pop()
    holds = value > quantity.value if more else value < quantity.value
    return "yes" if holds else "no"


_UNITLESS = frozenset({"%", "money"})


def _counted_otherwise(question: str, sentence: str) -> bool:
    """Does the sentence count what the question counts, differently ("run five AMAs?" —
    "Run 3 AMAs"; the spent blind-qa11 row was declined)? The question states one count of a
    counted noun and compares nothing; the sentence states one count of that noun and no
    bound. Percentages and money are not read: a page states a current and a target value of
    the same measure, and one of them alone does not answer."""
    if _EXCEEDS.search(question) or _FALLS_SHORT.search(question) or limits_in(sentence):
        return False
    asked = quantities_in(question)
    if len(asked) != 1 or not asked[0][0].unit or asked[0][0].unit in _UNITLESS:
        return False
    quantity = asked[0][0]
    values = {q.value for q, _ in quantities_in(sentence) if q.unit == quantity.unit}
    return len(values) == 1 and quantity.value not in values


_PRIORITY = re.compile(r"\bP([0-9])\b")


def _ranked(question: str, sentence: str) -> Polarity | None:
    """A question asking whether something has one priority level ("Is the streaming API a
    P0 priority?") against a table row stating one level for it ("Streaming API | P3"): the
    spent fourteenth set's row was answered "Yes" from another row's P0."""
    asked = set(_PRIORITY.findall(question))
    stated = set(_PRIORITY.findall(sentence.replace("*", "")))
    if len(asked) != 1 or len(stated) != 1 or not sentence.lstrip().startswith("|"):
        return None
    return "yes" if asked == stated else "no"


def _years(text: str) -> set[float]:
    return {n for n in values_in(text) if n.is_integer() and 1900 <= n <= 2100}


def _states_opposite(question: str, sentence: str) -> bool:
    """Does the sentence state the opposite of a quality the question asks about, and not the
    quality itself (`OPPOSITES`)? Neither side negated (a negated opposite is not read)."""
    if _NEGATION.search(question) or _NEGATION.search(sentence):
        return False
    asked = {stem(w) for w in content_words(question)}
    said = {stem(w) for w in content_words(sentence)}
    return any(OPPOSITES[a] & said and a not in said for a in asked & OPPOSITES.keys())
