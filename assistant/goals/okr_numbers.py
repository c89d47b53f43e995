"""The numbers in a key result as people write them, and the period an OKR document states.

`target_of("200k views per 30 days of articles (current is 125k)")` reads the number the KR
commits to (200,000; baseline 125,000), skipping what is not a target: years and fiscal labels
("FY21", "2020"), dates, versions ("0.5.0", "1.0 version"), ordinals ("1st"), labels ("Q2",
"S1", "P0", "stage 3+"), rates' windows ("per 30 days"), numbers in URLs, and numbers in
parentheses when one stands outside them. Placeholders ("XX sign-ups", "X S1 and Y S2") are
reported so the linter can ask for the number.

`period_in(text)` reads "FY21-Q1", "Q4 2025", "2019 Q2", "2025-Q4", "(2020 Set 1)", "2017",
"to the end of 2025", and dates stated in prose ("will run from February 1, 2020 to April 30,
2020"), which win over a fiscal label's calendar guess.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from assistant.core.schemas import Direction, KeyResult

__all__ = ["Period", "Target", "direction_of", "period_in", "placeholders_in", "restated",
           "target_of", "verb_direction", "without_baseline"]

_MULT = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "mm": 1e6, "bn": 1e9,
         "billion": 1e9}
_NUM = re.compile(
    r"(?<![\d.,])(?P<pre>[£$€]|[+~≥≤<>]=?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<mult>k\b|m\b|bn\b|\s(?:thousand|million|billion)\b)?(?P<after>\s?%|[xX]\b)?")
_VERSION = re.compile(r"\bv?\d+\.\d+\.\d+\b|\b\d+\.\d+(?=\s+(?:version|release)\b)",
                      re.IGNORECASE)
_NOT_TARGET_BEFORE = re.compile(
    r"(?:\b(?:stage|phase|level|tier|step|wave|round|version|release|per|v|fy|q|h|p|s|"
    r"no\.?)\s*|[#'’/\w-])$", re.IGNORECASE)
_NOT_TARGET_AFTER = re.compile(r"^(?:st|nd|rd|th|\+?\s*(?:version|release)\b|-\d\d-\d\d|"
                               r"\.\d+\.\d+|/\d)", re.IGNORECASE)
_URL = re.compile(r"https?://\S+|\bwww\.\S+")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_PARENS = re.compile(r"\([^()]*\)")
_BASELINE_WORDS = re.compile(r"\b(?:current(?:ly)?|baseline|today|now|was|from)\b",
                             re.IGNORECASE)
_FROM_TO = re.compile(r"\bfrom\s+(?P<a>[£$€]?[\d.,]+\s*[kKmM%]?)\s*(?:\w+\s+){0,3}?to\s+"
                      r"(?P<b>[£$€]?[\d.,]+\s*[kKmM%]?)", re.IGNORECASE)
_RANGE = re.compile(r"(?P<a>\d+(?:\.\d+)?)\s*[–-]\s*(?P<b>\d+(?:\.\d+)?)\s*%")
_PLACEHOLDER = re.compile(r"(?<![\w-])(?:XX+|X|Y|N|TBD|TBC|\?\?+)(?![\w-])(?=\s+[A-Za-z])"
                          r"|\bTBD\b|\[(?:number|n|target)\]", re.IGNORECASE)

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
# a day of a month is a date, not a target: "by 15 December", "on March 3"
_DAY_MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?!\w)", re.IGNORECASE)
_MONTH_DAY_BEFORE = re.compile(rf"(?<!\w){_MONTH}\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    value: float
    unit: str  # "%", "$", "£", "€", "x", or "" (a count)
    baseline: float | None = None
    text: str = ""  # the number as written


def _value(match: re.Match[str]) -> float:
    value = float(match.group("num").replace(",", ""))
    mult = (match.group("mult") or "").strip().lower()
    return value * _MULT.get(mult, 1)


def _candidates(text: str) -> list[tuple[re.Match[str], float, str]]:
    out = []
    for match in _NUM.finditer(text):
        before, after = text[:match.start()], text[match.end():]
        raw = match.group("num")
        if _NOT_TARGET_BEFORE.search(before) or _NOT_TARGET_AFTER.match(after):
            continue
        if _DAY_MONTH_AFTER.match(after) or _MONTH_DAY_BEFORE.search(before):
            continue
        if _YEAR.match(raw) and not match.group("after") and not match.group("pre"):  # "2020"
            continue
        pre = match.group("pre") or ""
        after = (match.group("after") or "").strip().lower()
        unit = "%" if after == "%" else "x" if after == "x" else pre if pre in ("£", "$", "€") \
            else ""
        out.append((match, _value(match), unit))
    return out


def _number(text: str) -> tuple[float, str] | None:
    found = _candidates(text)
    return (found[0][1], found[0][2]) if found else None


def target_of(statement: str) -> Target | None:
    """The number a key result commits to, or None when it names none."""
    text = _VERSION.sub(" ", _URL.sub(" ", statement))
    if match := _FROM_TO.search(text):
        a, b = _number(match.group("a")), _number(match.group("b"))
        if a and b:
            return Target(b[0], b[1] or a[1], baseline=a[0], text=match.group(0))
    outside = _PARENS.sub(" ", text)
    found = _candidates(outside) or _candidates(text)
    if not found:
        return None
    match, value, unit = found[0]
    if span := _RANGE.search(outside):  # "10-15%": the committed floor, the range kept as text
        value, unit = float(span.group("a")), "%"
    baseline = None
    for inner in _PARENS.findall(text):
        if _BASELINE_WORDS.search(inner) and (base := _number(inner)):
            baseline = base[0]
    return Target(value, unit, baseline=baseline, text=match.group(0).strip())


_AT_LEAST = re.compile(r"\b(?:at least|or (?:more|above|higher|better)|no (?:fewer|less) than|"
                       r"(?:a )?minimum of|never (?:below|under|less than))\b|≥", re.IGNORECASE)
_AT_MOST = re.compile(r"\b(?:at most|or (?:less|fewer|below|lower)|no more than|(?:a )?maximum of|"
                      r"(?:to |stay |stays |kept |keep )?(?:under|below)|never (?:above|over|more "
                      r"than))\b|≤", re.IGNORECASE)
_VERB = re.compile(r"^\W*(?:(?P<up>raise|grow|increase|lift|double|triple|expand|boost)|"
                   r"(?P<down>reduce|cut|lower|decrease|shorten|halve|drop|bring down|trim|"
                   r"minimi[sz]e|eliminate))\b", re.IGNORECASE)
_FEWER = re.compile(r"\b(?:fewer|less)\b", re.IGNORECASE)


def verb_direction(statement: str) -> Direction | None:
    """"increase" or "decrease" when the statement opens with a verb that says so."""
    if verb := _VERB.match(statement):
        return "increase" if verb.group("up") else "decrease"
    return None


def direction_of(statement: str, target: Target) -> Direction:
    """Which way a key result's number should move, read from its own words: "at least 4.6"
    and "under 4 hours" hold a floor and a ceiling; a leading verb decides next ("Reduce",
    "Cut" decrease; "Raise", "Grow" increase), so "Raise X from 104 to 90" stays an increase
    and the linter's K5 catches it; then "from 6.8% to 5.5%" (a decrease); then "fewer" or
    "less"; anything else increases."""
    if _AT_LEAST.search(statement):
        return "at_least"
    if _AT_MOST.search(statement):
        return "at_most"
    if verb := verb_direction(statement):
        return verb
    if target.baseline is not None and target.baseline != target.value:
        return "increase" if target.value > target.baseline else "decrease"
    return "decrease" if _FEWER.search(statement) else "increase"


def restated(kr: KeyResult, statement: str) -> KeyResult:
    """`kr` with a new statement and the numbers its words give: target, direction and unit
    ("%" or a currency), and the baseline when the words state one (otherwise the one `kr` had,
    which may come from a cited table). No number in the words: no target."""
    stated = target_of(statement)
    if stated is None:
        return kr.model_copy(update={"statement": statement, "target": None})
    return kr.model_copy(update={
        "statement": statement, "target": stated.value,
        "baseline": kr.baseline if stated.baseline is None else stated.baseline,
        "direction": direction_of(statement, stated), "unit": stated.unit or kr.unit})


_FROM_PARENS = re.compile(r"\s*\((?:currently |today |now )?from\s+[£$€]?[\d.,]+\s*[kKmM%]?\)")


def without_baseline(statement: str) -> str:
    """The statement with its stated current value taken out: "Raise waste diversion from 70%
    to 75%" -> "Raise waste diversion to 75%"; "Ship 90% of bags … (from 84%)" -> "Ship 90% of
    bags …". Used when that value is not in the cited passage."""
    if (match := _FROM_TO.search(statement)) and _number(match.group("a")):
        statement = (statement[:match.start()] + "to " + match.group("b")
                     + statement[match.end():])
    return " ".join(_FROM_PARENS.sub("", statement).split())


def placeholders_in(statement: str) -> list[str]:
    """Unfilled numbers: 'XX sign-ups', 'X S1 and Y S2 issues', 'TBD'."""
    return [m.group(0) for m in _PLACEHOLDER.finditer(statement) if m.group(0) not in {"N"}]


# ---- periods ----

@dataclass(frozen=True)
class Period:
    label: str  # "2025-Q4", "FY21-Q1", "2020"
    start: date | None
    end: date | None


_DATE = re.compile(rf"(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>\d{{4}})|"
                   rf"(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH}),?\s+(?P<y2>\d{{4}})|"
                   r"(?P<iso>\d{4}-\d\d-\d\d))", re.IGNORECASE)
_ANY_DATE = re.sub(r"\?P<\w+>", "", _DATE.pattern)
_SPAN = re.compile(rf"(?:from|runs?|between)\s+(?P<a>{_ANY_DATE})\s+(?:to|until|through|"
                   rf"and|–|-)\s+(?P<b>{_ANY_DATE})", re.IGNORECASE)
_FISCAL = re.compile(r"\bFY\s?'?(?P<y>\d{2,4})[\s-]*Q(?P<q>[1-4])\b", re.IGNORECASE)
_QUARTER = re.compile(r"\b(?:Q(?P<q1>[1-4])\s*(?:of\s+)?(?P<y1>(?:19|20)\d\d)|"
                      r"(?P<y2>(?:19|20)\d\d)[\s-]*Q(?P<q2>[1-4])|"
                      r"(?P<y3>(?:19|20)\d\d)[\s-]*H(?P<h>[12]))\b", re.IGNORECASE)
_LONE_QUARTER = re.compile(r"\bQ(?P<q>[1-4])\b")
_END_OF = re.compile(r"\b(?:to|by|until|through) (?:the )?end(?: of)? (?P<y>(?:19|20)\d\d)\b",
                     re.IGNORECASE)
_YEAR_WORD = re.compile(r"(?<![\w-])(?P<y>(?:19|20)\d\d)(?![\w-])")


def _date(text: str) -> date | None:
    match = _DATE.search(text)
    if not match:
        return None
    if match.group("iso"):
        return date.fromisoformat(match.group("iso"))
    month = (match.group("m1") or match.group("m2")).lower().rstrip(".")
    day, year = (match.group("d1") or match.group("d2")), (match.group("y1") or match.group("y2"))
    try:
        return date(int(year), _MONTHS[month], int(day))
    except ValueError:
        return None


def _quarter(year: int, q: int) -> Period:
    first, last = 3 * q - 2, 3 * q
    return Period(f"{year}-Q{q}", date(year, first, 1),
                  date(year, last, calendar.monthrange(year, last)[1]))


def period_in(text: str, year_hint: int | None = None) -> Period | None:
    """The period a title, heading or opening sentence states, or None."""
    span = _SPAN.search(text)
    dates = (_date(span.group("a")), _date(span.group("b"))) if span else (None, None)
    if fiscal := _FISCAL.search(text):
        year = int(fiscal.group("y")) % 100
        label = f"FY{year:02d}-Q{fiscal.group('q')}"
        return Period(label, *dates)  # a fiscal quarter's dates only as the document states
    if match := _QUARTER.search(text):
        if match.group("h"):
            year, half = int(match.group("y3")), int(match.group("h"))
            last = 6 if half == 1 else 12
            return Period(f"{year}-H{half}", date(year, last - 5, 1),
                          date(year, last, calendar.monthrange(year, last)[1]))
        quarter = _quarter(int(match.group("y1") or match.group("y2")),
                           int(match.group("q1") or match.group("q2")))
        return Period(quarter.label, dates[0] or quarter.start, dates[1] or quarter.end)
    if dates[0] and dates[1]:
        return Period(f"{dates[0]:%Y-%m-%d} to {dates[1]:%Y-%m-%d}", *dates)
    if match := _END_OF.search(text):
        year = int(match.group("y"))
        return Period(str(year), None, date(year, 12, 31))
    if (lone := _LONE_QUARTER.search(text)) and year_hint:
        return _quarter(year_hint, int(lone.group("q")))
    if match := _YEAR_WORD.search(text):
        year = int(match.group("y"))
        return Period(str(year), date(year, 1, 1), date(year, 12, 31))
    return None
