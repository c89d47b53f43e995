"""A sum drawn from a department's budget, compared with that budget in code (issue 23).

The plan states each department's budget in a table ("| Marketing | $260,000 | $150,000 |":
operating budget, of which discretionary), and the strategy map holds one `limit` per row.
New spending comes out of the discretionary part — the operating budget is already committed
— so a sum is compared with the smallest amount the row states (its discretionary figure).
The sum comes either from the manager (`--budget` with `--department`, or the department of
the KR the proposal traces to) or from the proposal itself, when one of its sentences names
the budget it draws on: "$190,000 from marketing's discretionary budget", "$75,000 a year
from the customer service budget", "paid from the People budget". Read from the proposal:

* the department is one the map has a budget limit for, named right before "budget" (with
  "'s", "discretionary" or "operating" between), case aside;
* the sum is the largest amount of money in that sentence; a monthly sum counts twelve times
  when the sentence says it runs all year ("for all of 2027", "for a year", "for 12 months")
  and is not read otherwise (its length is unknown); weekly and daily sums are not read.

Chosen on the dev and spent blind rows (three spent limit strains had gone to review with
their department's discretionary budget exceeded); no model is asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.core.quantities import quantities_in
from assistant.core.text import numbers_in, split_sentences
from assistant.strategy.model import MapElement

__all__ = ["Draw", "over_budget", "stated_draw"]

_ALL_YEAR = re.compile(r"\b(?:for (?:all of |the whole of )?(?:19|20)\d\d|for (?:a|one|the) "
                       r"(?:whole |full )?year|for (?:12|twelve) months|all year)\b",
                       re.IGNORECASE)


@dataclass(frozen=True)
class Draw:
    amount: float  # per year when the proposal gave a monthly sum for the whole year
    department: str  # as the map's limit names it
    sentence: str  # the proposal's sentence, verbatim


def _limits(elements: list[MapElement]) -> list[MapElement]:
    return [e for e in elements if e.kind == "limit" and e.amount is not None
            and e.unit == "$" and e.department]


def _sum(sentence: str) -> float | None:
    amounts = []
    for quantity, _ in quantities_in(sentence):
        value = quantity.value
        if quantity.unit != "money":
            continue
        if quantity.per == "month" and _ALL_YEAR.search(sentence):
            value *= 12
        elif quantity.per in ("hour", "day", "week", "month", "shift"):
            continue
        amounts.append(value)
    return max(amounts) if amounts else None


def stated_draw(text: str, elements: list[MapElement]) -> Draw | None:
    """The sum the proposal says it takes from a department's budget, or None."""
    departments = {e.department for e in _limits(elements)}
    for sentence in split_sentences(text, semicolons=True):
        for name in sorted(departments, key=len, reverse=True):
            named = re.search(rf"\b{re.escape(name)}(?:['’]s)?\s+(?:department['’]s\s+)?"
                              r"(?:discretionary\s+|operating\s+)?budget\b", sentence,
                              re.IGNORECASE)
            if named and (amount := _sum(sentence)) is not None:
                return Draw(amount, name, sentence.strip())
    return None


def over_budget(elements: list[MapElement], budget: float | None, department: str) -> str:
    """A reason when `budget` exceeds the department's stated budget limit (its smallest
    figure: the discretionary part), or ""."""
    if budget is None or not department:
        return ""
    for e in _limits(elements):
        if e.department.lower() != department.lower():
            continue
        discretionary = min(numbers_in(e.text) or {e.amount or 0.0})
        if budget > discretionary:
            return (f"a budget of ${budget:,.0f} is more than {e.department}'s "
                    f"${discretionary:,.0f} in “{e.text.strip()}”")
    return ""
