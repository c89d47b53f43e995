"""Places as written in text: the US states (and "New England"), and sentences drawing a focus
region ("We focus on Maine, New Hampshire and Massachusetts"). US states only: no countries,
cities or provinces yet (docs/architecture.md).
"""

from __future__ import annotations

import re

from assistant.core.text import split_sentences

__all__ = ["FOCUS", "GROUPS", "US_STATES", "focus_in", "places_in"]

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
