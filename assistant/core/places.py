"""Places as written in text: the US states (and "New England"), sentences drawing a focus
region ("We focus on Maine, New Hampshire and Massachusetts"), and places outside the United
States (`foreign_places`): every country and the cities the time-zone database names, read
from the `tzdata` package (no network, no home-made gazetteer), and Canada's provinces.
Focus regions are US states only (docs/architecture.md).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from assistant.core.text import split_sentences

__all__ = ["FOCUS", "FROM_ORIGIN", "GROUPS", "US_STATES", "focus_in", "foreign_places",
           "places_in"]

US_STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas",
    "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota",
    "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey",
    "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon",
    "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas",
    "Utah", "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming")
GROUPS = {"New England": ("Connecticut", "Maine", "Massachusetts", "New Hampshire",
                          "Rhode Island", "Vermont")}
_PLACE = re.compile(r"\b(" + "|".join(sorted([*US_STATES, *GROUPS], key=len, reverse=True))
                    + r")\b")
FOCUS = re.compile(r"\b(?:focus(?:es|ed)? on|only in|limited to|stays? (?:in|within))\b",
                    re.IGNORECASE)


def places_in(text: str) -> dict[str, tuple[str, ...]]:
    """Each place named in the text -> the states it stands for ("West Virginia" is not
    "Virginia": the longest name wins)."""
    return {m.group(1): GROUPS.get(m.group(1), (m.group(1),)) for m in _PLACE.finditer(text)}


def focus_in(statement: str) -> list[tuple[frozenset[str], str]]:
    """(states, sentence) for every sentence of the statement that draws a focus region."""
    out = []
    for sentence in split_sentences(statement, semicolons=True):
        if FOCUS.search(sentence) and (places := places_in(sentence)):
            out.append((frozenset(s for states in places.values() for s in states), sentence))
    return out


# US codes in the time-zone tables (states, territories): not foreign.
_HOME_CODES = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})
# Names people write that the tables spell otherwise ("Britain (UK)", no continents).
_ALIASES = ("United Kingdom", "England", "Scotland", "Wales", "Northern Ireland", "Europe",
            "European Union", "EU", "Asia", "Latin America", "South America", "Central America",
            "the Caribbean", "Middle East", "Africa", "Australia", "Canada", "Mexico", "Japan")
# The provinces and territories of the nearest foreign country: the tables name Canada's zones
# by city ("Halifax") and abbreviation ("NS"), never "Nova Scotia".
_PROVINCES = ("Alberta", "British Columbia", "Manitoba", "New Brunswick",
              "Newfoundland and Labrador", "Newfoundland", "Labrador", "Northwest Territories",
              "Nova Scotia", "Nunavut", "Ontario", "Prince Edward Island", "Quebec", "Québec",
              "Saskatchewan", "Yukon")
# A place named right after "from" is where something comes from (green coffee from Colombia),
# and one followed by a US state is a US town (Belfast, Maine; Paris, Texas). "From Portland to
# Halifax" names Halifax as where it goes: a "to" in between ends the origin.
FROM_ORIGIN = re.compile(r"\bfrom\s+(?:(?!(?:to|into|towards?)\b)\S+\s+){0,3}$", re.IGNORECASE)


def _table(name: str) -> list[list[str]]:
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _foreign_pattern() -> re.Pattern[str]:
    names = {*_ALIASES, *_PROVINCES}
    for code, name, *_ in _table("iso3166.tab"):
        if code not in _HOME_CODES:
            names.add(re.sub(r"\s*\(.*\)", "", name).replace("&", "and").strip())
            names.update(re.findall(r"\(([A-Z]{2,})\)", name))  # "Britain (UK)", not "(South)"
    for code, _, zone, *_ in _table("zone.tab"):
        if code not in _HOME_CODES:
            names.add(zone.rsplit("/", 1)[-1].replace("_", " "))
    names -= {*US_STATES, *GROUPS}  # Georgia the state, not the country
    ordered = sorted(names, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in ordered) + r")\b")


def foreign_places(sentence: str) -> list[str]:
    """The places outside the United States a sentence names as written (capitals matter),
    except one right after "from" (a source, not a destination), one followed by a US state
    and one inside a US place's name ("England" in "New England")."""
    home = [range(*m.span()) for m in _PLACE.finditer(sentence)]  # "New England", "New Mexico"
    found = []
    for m in _foreign_pattern().finditer(sentence):
        after = sentence[m.end():m.end() + 24]
        if (FROM_ORIGIN.search(sentence[:m.start()]) or _PLACE.match(after.lstrip(", "))
                or any(m.start() in span for span in home)):
            continue
        found.append(m.group(1))
    return list(dict.fromkeys(found))
