"""Stated limits: numbers a proposal must not exceed, compared in code.

Non-goal and value pages often draw their line with a number: "no discount deeper than 15%
off list", "independent grocers of up to three stores", "small batches of at most 30 kg", "a
bank credit line of up to $250,000". The 1.5B model reads "40% off every bag" or "batches of
60 kg" as supporting the company (dev and test rows, measurements "Alignment check"). Comparing two
numbers is not a judgement, so code does it:

1. **Quantities in the proposal**: a number with its unit (percent, money, a measure such as kg,
   or the noun it counts, e.g. "stores") and the content words around it. "Half-price",
   "half price" and "half off" read as 50% off.
2. **Limits** in the statements retrieved for each quantity's sentence, from value, non-goal
   and plan passages: an upper bound ("up to", "at most", "no more than", "a maximum of",
   "capped at", "a cap of", "not exceed", or a comparative after a negation: "no discount
   deeper than") followed by a number and unit. Plans mostly state targets, which are no
   bound; the few caps they set ("paid social spend stays capped at $8,000 a month") count.
3. **A breach** when the units agree, the proposal's number is larger, and the two share a
   content word near their numbers ("off" and "sale" count as "discount"): without one a
   budget never meets a credit line, nor a 500-store supermarket chain a limit on grocers.

A breach is a conflict with the element that states the limit, cited to its chunk. A value's or
non-goal's limit caps the score like a broken non-goal; a plan's cap (kind "initiative") caps it
in the partially-aligned band, as the labelling rubric reads a budget cap: the idea may serve the
strategy, but not at that size without the owners changing the plan
(`alignment_report.score_findings`). Lower bounds ("at least") and limits written without
numbers are left to the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.alignment.elements import GUARD_KINDS, kind_of
from assistant.core.text import NUMBER_PATTERN, NUMBER_WORDS, content_stems, split_sentences
from assistant.knowledge.base import KnowledgeBase, SearchHit

__all__ = ["Breach", "Limit", "Quantity", "find_breaches", "limits_in", "quantities_in"]

_MEASURES = {"kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg", "kilograms": "kg",
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
_GUARDS = ("non-goal", "value", "initiative")  # initiative: a plan passage
_GUARD_DOCS = ["values", "non-goals"]
_WINDOW = 6  # content words either side of a number that say what it measures


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str  # "%", "money", a measure ("kg"), or a counted noun's stem ("store")
    words: frozenset[str]  # folded content stems near the number
    text: str  # the number with its unit, as written


@dataclass(frozen=True)
class Limit:
    quantity: Quantity
    sentence: str  # the statement's sentence that draws the line


@dataclass(frozen=True)
class Breach:
    quantity: Quantity
    limit: Limit
    hit: SearchHit
    kind: str  # non-goal | value (a guard rail) | initiative (a plan's cap)


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
    if unit in _MEASURES:
        return _MEASURES[unit]
    stems = content_stems(unit)
    return next(iter(stems), None)  # a counted noun, e.g. "stores" -> "store"


def _words(sentence: str, match: re.Match[str]) -> frozenset[str]:
    before = sentence[:match.start()].split()[-_WINDOW:]
    after = sentence[match.end():].split()[:_WINDOW // 2]
    return frozenset(_FOLD.get(s, s) for s in content_stems(" ".join([*before, *after])))


def _quantity(sentence: str, match: re.Match[str]) -> Quantity | None:
    unit = _unit(match)
    if unit is None or (not match.group("cur") and unit not in ("%", *_MEASURES.values())
                        and match.group("num").isdigit() and 1900 <= int(match.group("num"))
                        <= 2100):
        return None  # no unit, or a year ("in 2027 stores reopen" is rare; years are common)
    money = bool(match.group("cur"))
    start = match.start("cur") if money else match.start("num")
    end = (match.end("mult") if match.group("mult") else match.end("num")) if money \
        else match.end()
    text = sentence[start:end].strip()  # the amount: "15%", "three stores", "$250,000"
    return Quantity(_value(match), unit, _words(sentence, match), text)


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


def _breaks(q: Quantity, limit: Limit) -> bool:
    bound = limit.quantity
    if q.unit != bound.unit or q.value <= bound.value:
        return False
    return bool((q.words & bound.words) - {q.unit})


def find_breaches(text: str, kb: KnowledgeBase) -> list[Breach]:
    """The stated limits the proposal's numbers exceed, one per limit sentence, from the value,
    non-goal and plan passages retrieved for each quantity's sentence."""
    breaches: dict[str, Breach] = {}
    for quantity, sentence in quantities_in(text):
        hits = {h.chunk_id: h for kinds in (_GUARD_DOCS, GUARD_KINDS)
                for h in kb.search(sentence, k=4, kinds=kinds)}  # plans crowd out the pages
        for hit in hits.values():  # of values and non-goals if searched together
            kind = kind_of(hit)
            if kind not in _GUARDS:
                continue
            for limit in limits_in(hit.text):
                if _breaks(quantity, limit) and limit.sentence not in breaches:
                    breaches[limit.sentence] = Breach(quantity, limit, hit, kind)
    return list(breaches.values())
