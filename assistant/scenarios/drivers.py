"""What moves what: the drivers a scenario names, matched to what an element measures.

`assistant/data/drivers.yaml` is a readable table of business knowledge ("a supplier's price
rise moves the cost per unit and the margin"; "a flood moves delivery on time"). An element
of the strategy map belongs to a family when every word of one of the family's `measures`
phrases is in what it measures (`exposure.profile`); a scenario names a driver when every word
of one of the family's `moved_by` phrases is in the scenario. A person can set an element's
own `drivers` in the map, which then replace the table's for that element. Words are compared
as Snowball stems without stop words, the same as everywhere else (`core.text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from assistant.core.config import PACKAGE_DATA
from assistant.core.text import content_stems
from assistant.strategy.model import MapElement

__all__ = ["Driver", "Family", "drivers_named", "families", "families_of"]

DRIVERS_FILE = PACKAGE_DATA / "drivers.yaml"


@dataclass(frozen=True)
class Driver:
    """One phrase naming an event, and the family whose measures it moves."""

    phrase: str
    stems: frozenset[str]
    family: str


@dataclass(frozen=True)
class Family:
    name: str
    measures: tuple[frozenset[str], ...]
    moved_by: tuple[Driver, ...]


def _stems(phrase: str) -> frozenset[str]:
    return frozenset(content_stems(phrase))


@cache
def families() -> tuple[Family, ...]:
    rows = yaml.safe_load(DRIVERS_FILE.read_text(encoding="utf-8"))
    out = []
    for row in rows:
        name = str(row["family"])
        measures = tuple(s for p in row["measures"] if (s := _stems(str(p))))
        moved = tuple(Driver(str(p), s, name) for p in row["moved_by"] if (s := _stems(str(p))))
        out.append(Family(name, measures, moved))
    return tuple(out)


def families_of(measured: str) -> list[Family]:
    """The families whose measures the text names (all words of one phrase), the most
    specific only: "partner satisfaction" makes a KR one of "value delivered to partners",
    not of every family that has "partner" or "satisfaction"."""
    stems = content_stems(measured)
    fit = {f: max((len(m) for m in f.measures if m <= stems), default=0) for f in families()}
    best = max(fit.values(), default=0)
    return [f for f, n in fit.items() if n and n == best]


def _drivers(e: MapElement, measured: str) -> list[Driver]:
    if e.drivers:  # a person's own list replaces the table for this element
        return [Driver(d, s, "set in the map") for d in e.drivers if (s := _stems(d))]
    return [d for f in families_of(measured) for d in f.moved_by]


def drivers_named(scenario: str, e: MapElement, measured: str) -> list[Driver]:
    """The drivers of element `e` (measuring `measured`) that the scenario names, most
    specific (most words) first; a phrase whose words another named phrase holds is left
    out ("pay" under "higher pay")."""
    said = content_stems(scenario)
    found = sorted({d.stems: d for d in _drivers(e, measured) if d.stems <= said}.values(),
                   key=lambda d: (-len(d.stems), d.phrase))
    return [d for i, d in enumerate(found) if not any(d.stems < o.stems for o in found[:i])]
