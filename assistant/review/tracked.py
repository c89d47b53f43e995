"""The key results a workspace tracks: the strategy map's KRs and the saved OKR sets' KRs.

Each gets a stable id people type (`keel checkin ID …`) and see in every list:
- a map KR: its map key (e.g. `objective:2026-Q4:marketing:make-our-farms-famous:kr1`);
- a saved set's KR: `<set id>:<objective number>.<KR number>` (e.g. `marketing-2027-q1-3f2a1c:1.2`).
Rejected map elements are not tracked. Map KRs carry no ambition: they count as committed.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from assistant.core.config import Settings
from assistant.core.errors import InputError
from assistant.core.periods import parse_period
from assistant.db.engine import shared_database
from assistant.goals.store import GoalStore
from assistant.strategy.model import MapElement
from assistant.strategy.store import StrategyMap

__all__ = ["TrackedKR", "find_kr", "tracked_krs"]


class TrackedKR(BaseModel):
    id: str
    source: str  # "strategy map" | "OKR set <id>"
    department: str  # "" for the company
    period: str
    objective: str
    perspective: str = ""
    statement: str
    metric: str = ""
    unit: str = ""
    direction: str | None = None
    baseline: float | None = None
    target: float | None = None
    deadline: date | None = None
    owner: str = ""
    ambition: str = "committed"


def _period_end(period: str) -> date | None:
    try:
        return parse_period(period)[2]
    except InputError:
        return None


def _from_map(elements: list[MapElement]) -> list[TrackedKR]:
    by_key = {e.key: e for e in elements}
    out = []
    for e in elements:
        if e.kind != "key_result":
            continue
        parent = next((by_key[k] for k in e.serves if k in by_key), None)
        perspective = _perspective(e, by_key)
        deadline = None
        if e.deadline:
            try:
                deadline = date.fromisoformat(e.deadline)
            except ValueError:
                deadline = _period_end(e.period)
        out.append(TrackedKR(
            id=e.key, source="strategy map", department=e.department, period=e.period,
            objective=parent.title if parent else "", statement=e.title,
            perspective=perspective,
            metric=e.metric, unit=e.unit, direction=e.direction, baseline=e.baseline,
            target=e.target, deadline=deadline or _period_end(e.period), owner=e.owner))
    return out


def _perspective(e: MapElement, by_key: dict[str, MapElement]) -> str:
    """The first Balanced Scorecard perspective on the way up the element's links."""
    seen: set[str] = set()
    todo = [e]
    while todo:
        current = todo.pop(0)
        if current.perspective:
            return current.perspective
        seen.add(current.key)
        todo += [by_key[k] for k in current.serves if k in by_key and k not in seen]
    return ""


def _from_sets(settings: Settings) -> list[TrackedKR]:
    out = []
    for okrs in GoalStore(settings).list():
        for n, objective in enumerate(okrs.objectives, 1):
            for m, kr in enumerate(objective.key_results, 1):
                out.append(TrackedKR(
                    id=f"{okrs.id}:{n}.{m}", source=f"OKR set {okrs.id}",
                    department=okrs.department, period=okrs.period, objective=objective.title,
                    perspective=objective.perspective or "", statement=kr.statement,
                    metric=kr.metric, unit=kr.unit, direction=kr.direction,
                    baseline=kr.baseline, target=kr.target,
                    deadline=kr.deadline or okrs.period_end, owner=kr.owner_role,
                    ambition=objective.ambition or "committed"))
    return out


def tracked_krs(settings: Settings, period: str | None = None,
                department: str | None = None) -> list[TrackedKR]:
    """Every tracked KR of the workspace, optionally of one period and one department
    (matched case-insensitively; "company" selects the company's own KRs)."""
    elements = StrategyMap(shared_database(settings), settings.workspace).elements()
    found = _from_map(elements) + _from_sets(settings)
    if period:
        label = parse_period(period)[0]
        found = [k for k in found if k.period.upper() == label]
    if department:
        want = department.strip().lower()
        found = [k for k in found if k.department.lower() == want
                 or (want == "company" and not k.department)]
    return found


def find_kr(settings: Settings, kr_id: str) -> TrackedKR:
    """The KR with this id, or the only one whose id contains it ("farms-famous:kr1")."""
    wanted = kr_id.strip()
    found = tracked_krs(settings)
    exact = [kr for kr in found if kr.id == wanted]
    partial = [kr for kr in found if wanted and wanted in kr.id]
    if exact or len(partial) == 1:
        return (exact or partial)[0]
    if len(partial) > 1:
        raise InputError(f"'{kr_id}' matches {len(partial)} key results: "
                         + ", ".join(k.id for k in partial[:5]) + ". Give more of the id.")
    raise InputError(f"No tracked key result '{kr_id}'. `keel checkins` lists them with their "
                     "ids (the strategy map's KRs and the saved OKR sets' KRs).")
