"""Quantities and upper bounds as written in text: "no discount deeper than 15% off list",
"grocers of up to three stores", "paid social spend stays capped at $8,000 a month".

Read in code, for the strategy map (a limit element per bound a value, non-goal or plan states)
and for the alignment check (a proposal's quantities against those bounds, `alignment.limits`).
A quantity is a number with its unit (percent, money, a measure such as kg, or the noun it
counts) and the content stems around it; "half-price" reads as 50% off. A bound is "up to", "at
most", "no more than", "a maximum of", "capped at", "a cap of", "not exceed", or a comparative
after a negation ("no discount deeper than"), followed by a quantity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.core.text import NUMBER_PATTERN, NUMBER_WORDS, content_stems, split_sentences

__all__ = ["MEASURES", "Limit", "Quantity", "limits_in", "quantities_in"]

MEASURES = {"kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg", "kilograms": "kg",
             "tonnes": "t", "tonne": "t", "tons": "t", "lb": "lb", "lbs": "lb", "pounds": "lb",
             "hours": "h", "hour": "h", "days": "day", "day": "day", "weeks": "week",
             "week": "week", "months": "month", "month": "month", "years": "year",
             "year": "year", "km": "km", "miles": "mile", "mile": "mile"}
_NUMBER = (r"(?P<cur>[$£€])?(?P<num>" + NUMBER_PATTERN + "|"
           + "|".join(NUMBER_WORDS) + r")(?P<mult>\s?(?:k|m|thousand|million)\b)?"
           r"(?:\s?(?P<unit>%|percent\b|per cent\b|[a-zé]+))?")
_QUANTITY = re.compile(r"(?<![\w.,])" + _NUMBER, re.IGNORECASE)
_BOUND = re.compile(
    r"\b(?:up to|at most|no more than|not more than|(?:a )?maximum of|capped at|(?:a )?cap of|"
    r"not (?:to )?exceed|"
    r"(?P<cmp>deeper|more|larger|bigger|higher|greater|longer|heavier|over) than)\s+"
    + _NUMBER, re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:no|not|never|none|nothing|nobody)\b", re.IGNORECASE)
_HALF = re.compile(r"\bhalf[- ](?:price|off)\b", re.IGNORECASE)
_HEADING = re.compile(r"^\s*#+ .*$", re.MULTILINE)
_FOLD = {"off": "discount", "sale": "discount"}  # "20% off", "on sale": a discount
_WINDOW = 6  # content words either side of a number that say what it measures
# a measure per period: "60 kg-per-hour", "40 kg an hour", "9 t a year", "500 kg/week"
_RATE = re.compile(r"\s*(?:-\s*)?(?:per|an?|/|each)\s*-?\s*(hour|day|week|month|year|shift)\b",
                   re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str  # "%", "money", a measure ("kg", a rate "kg/hour"), or a counted noun ("store")
    words: frozenset[str]  # folded content stems near the number
    text: str  # the number with its unit, as written
    per: str | None = None  # a sum of money per period: "$8,000 a month" -> "month"


@dataclass(frozen=True)
class Limit:
    quantity: Quantity
    sentence: str  # the statement's sentence that draws the line


def _value(match: re.Match[str]) -> float:
    num = match.group("num").lower()
    value = float(NUMBER_WORDS.index(num) + 1) if num in NUMBER_WORDS else \
        float(num.replace(",", ""))
    mult = (match.group("mult") or "").strip().lower()
    return value * (1000 if mult in ("k", "thousand") else 1_000_000 if mult else 1)


def _unit(match: re.Match[str]) -> str | None:
    if match.group("cur"):
        return "money"
    unit = (match.group("unit") or "").lower()
    if unit in ("%", "percent", "per cent"):
        return "%"
    if unit in MEASURES:
        return MEASURES[unit]
    stems = content_stems(unit)
    return next(iter(stems), None)  # a counted noun, e.g. "stores" -> "store"


def _words(sentence: str, match: re.Match[str]) -> frozenset[str]:
    before = sentence[:match.start()].split()[-_WINDOW:]
    after = sentence[match.end():].split()[:_WINDOW // 2]
    return frozenset(_FOLD.get(s, s) for s in content_stems(" ".join([*before, *after])))


def _quantity(sentence: str, match: re.Match[str]) -> Quantity | None:
    unit = _unit(match)
    if unit is None or (not match.group("cur") and unit not in ("%", *MEASURES.values())
                        and match.group("num").isdigit() and 1900 <= int(match.group("num"))
                        <= 2100):
        return None  # no unit, or a year ("in 2027 stores reopen" is rare; years are common)
    money = bool(match.group("cur"))
    if unit in ("kg", "t", "lb", "km", "mile") and (rate := _RATE.match(sentence, match.end())):
        unit = f"{unit}/{rate.group(1).lower()}"  # "60 kg-per-hour" is a rate, not a weight
    start = match.start("cur") if money else match.start("num")
    end = (match.end("mult") if match.group("mult") else match.end("num")) if money \
        else match.end()
    text = sentence[start:end].strip()  # the amount: "15%", "three stores", "$250,000"
    per = (rate.group(1).lower() if money and (rate := _RATE.match(sentence, end)) else None)
    return Quantity(_value(match), unit, _words(sentence, match), text, per)


def quantities_in(text: str) -> list[tuple[Quantity, str]]:
    """(quantity, its sentence) for every number with a unit in a proposal."""
    out = []
    for sentence in split_sentences(_HALF.sub("50% off", text), semicolons=True):
        for match in _QUANTITY.finditer(sentence):
            if (quantity := _quantity(sentence, match)) is not None:
                out.append((quantity, sentence.strip()))
    return out


def limits_in(statement: str) -> list[Limit]:
    """Every upper bound with a number that the statement draws."""
    out = []
    prose = _HEADING.sub("", statement)
    for sentence in split_sentences(prose, semicolons=True):  # Markdown wraps lines
        for match in _BOUND.finditer(sentence):
            if match.group("cmp") and not _NEGATION.search(sentence[:match.start()]):
                continue  # "worth more than 150" is no limit; "no discount deeper than" is
            if (quantity := _quantity(sentence, match)) is not None:
                out.append(Limit(quantity, " ".join(sentence.split())))
    return out
