"""The strategy map in the database: save a build, confirm, edit, reject, review changes.

A rebuild never overwrites what a person decided, and compares what the rules read now with what
they read last time (kept with each element), not with a person's edits: an edited element whose
documents did not change stays quiet. Elements still `proposed` are replaced by what
the documents say now (and dropped when the documents no longer say them); a `confirmed` or
`edited` element that the documents now state differently, or no longer state, gets a proposed
*change* instead, which a person accepts or rejects. `rejected` elements stay rejected.

Staleness: an element whose cited quote is no longer in its chunk (the chunk changed or is
gone after re-indexing) is reported by `stale()` with the old quote and the passage now there.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select

from assistant.core.config import Settings
from assistant.core.errors import InputError
from assistant.db.engine import Database
from assistant.db.models import MapChangeRow, MapElementRow
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.staleness import text_now_if_stale
from assistant.strategy.model import MapElement

__all__ = ["LINK_RANK", "BuildReport", "MapChange", "StaleElement", "StrategyMap", "check_link",
           "map_for_drafting"]

_DECIDED = ("confirmed", "edited")
LINK_RANK = {"initiative": 0, "key_result": 1, "objective": 2, "pillar": 3}  # what serves what


class BuildReport(BaseModel):
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    changes_proposed: list[str] = []  # keys of decided elements with a change to review


class MapChange(BaseModel):
    id: int
    key: str
    change: str  # added | changed | removed
    proposed: MapElement | None
    current: MapElement | None
    note: str = ""


class StaleElement(BaseModel):
    key: str
    title: str
    status: str
    quote: str
    now: str  # the cited passage's text now, or "" when the chunk is gone


class StrategyMap:
    """One workspace's map in the database."""

    def __init__(self, db: Database, workspace: str) -> None:
        self.db, self.workspace = db, workspace

    def elements(self, include_rejected: bool = False) -> list[MapElement]:
        with self.db.session() as session:
            rows = session.scalars(select(MapElementRow).where(
                MapElementRow.workspace == self.workspace).order_by(MapElementRow.id)).all()
            found = [_element(row) for row in rows]
        return [e for e in found if include_rejected or e.status != "rejected"]

    def get(self, key: str) -> MapElement:
        with self.db.session() as session:
            return _element(self._row(session, key))

    def save_build(self, built: list[MapElement]) -> BuildReport:
        """Merge a fresh build into the stored map (see the module docstring); one transaction."""
        report = BuildReport()
        fresh = {e.key: e for e in built}
        with self.db.session() as session:
            rows = {row.key: row for row in session.scalars(select(MapElementRow).where(
                MapElementRow.workspace == self.workspace))}
            open_changes = {(c.key, c.change): c for c in session.scalars(select(MapChangeRow)
                            .where(MapChangeRow.workspace == self.workspace,
                                   MapChangeRow.state == "open"))}
            for key, element in fresh.items():
                row = rows.get(key)
                data = element.model_dump(mode="json")
                if row is None:
                    session.add(MapElementRow(workspace=self.workspace, key=key,
                                              kind=element.kind, status="proposed", data=data,
                                              built=data))
                    report.added.append(key)
                elif _same(row.built if row.built else row.data, data):
                    report.unchanged.append(key)  # the documents say what they said
                elif row.status == "rejected":
                    row.built = data
                    report.unchanged.append(key)
                elif row.status == "proposed":
                    row.data = row.built = data
                    report.updated.append(key)
                else:
                    self._propose(session, open_changes, key, "changed", element)
                    row.built = data  # proposed once; a rejected change is not proposed again
                    report.changes_proposed.append(key)
            for key, row in rows.items():
                if key in fresh or row.status == "rejected" or not row.built:
                    continue  # still read, rejected, a person's own, or removal proposed
                if row.status == "proposed":
                    session.delete(row)
                    report.removed.append(key)
                else:
                    self._propose(session, open_changes, key, "removed", None)
                    row.built = {}
                    report.changes_proposed.append(key)
        return report

    def _propose(self, session: object, open_changes: dict[tuple[str, str], MapChangeRow],
                 key: str, change: str, element: MapElement | None) -> None:
        data = element.model_dump(mode="json") if element else {}
        existing = open_changes.get((key, change))
        if existing is not None:
            existing.proposed = data  # the newest reading replaces an unanswered one
            return
        row = MapChangeRow(workspace=self.workspace, key=key, change=change, proposed=data,
                           note="the documents now say something else" if element
                           else "the documents no longer say this")
        session.add(row)  # type: ignore[attr-defined]
        open_changes[(key, change)] = row

    # --- a person's decisions ------------------------------------------------------------
    def confirm(self, key: str) -> MapElement:
        return self._set(key, status="confirmed")

    def reject(self, key: str) -> MapElement:
        return self._set(key, status="rejected")

    def edit(self, key: str, **fields: object) -> MapElement:
        """Change fields of an element (validated); it becomes `edited`, a person's version."""
        return self._set(key, status="edited", **fields)

    def link(self, key: str, to: str, remove: bool = False) -> MapElement:
        """Say that `key` serves `to` (or no longer does): initiative → key result → objective
        → pillar. The element becomes `edited`, so a rebuild keeps the person's links."""
        child, parent = self.get(key), self.get(to)
        if remove:
            if to not in child.serves:
                raise InputError(f"{key} is not linked to {to}.")
            return self.edit(key, serves=[k for k in child.serves if k != to])
        if key == to:
            raise InputError("An element cannot serve itself.")
        check_link(child.kind, parent.kind)
        if to in child.serves:
            return child
        return self.edit(key, serves=[*child.serves, to])

    def add(self, element: MapElement) -> MapElement:
        """A person's own element (origin person, status edited)."""
        element = element.model_copy(update={"status": "edited", "origin": "person"})
        with self.db.session() as session:
            if session.scalars(select(MapElementRow).where(
                    MapElementRow.workspace == self.workspace,
                    MapElementRow.key == element.key)).first():
                raise InputError(f"The map already has an element '{element.key}'.")
            session.add(MapElementRow(workspace=self.workspace, key=element.key,
                                      kind=element.kind, status="edited", built=None,
                                      data=element.model_dump(mode="json")))
        return element

    def _set(self, key: str, status: str, **fields: object) -> MapElement:
        with self.db.session() as session:
            row = self._row(session, key)
            current = _element(row)
            refused = (set(fields) - set(MapElement.model_fields)) | (
                {"key", "kind", "citations", "status", "origin"} & set(fields))
            if refused:
                raise InputError(f"These fields cannot be edited: {', '.join(sorted(refused))}")
            updated = MapElement.model_validate({**current.model_dump(), **fields,
                                                 "status": status})
            row.data, row.status = updated.model_dump(mode="json"), status
            return updated

    def changes(self) -> list[MapChange]:
        with self.db.session() as session:
            rows = session.scalars(select(MapChangeRow).where(
                MapChangeRow.workspace == self.workspace, MapChangeRow.state == "open")
                .order_by(MapChangeRow.id)).all()
            current = {row.key: _element(row) for row in session.scalars(
                select(MapElementRow).where(MapElementRow.workspace == self.workspace))}
            return [MapChange(id=c.id, key=c.key, change=c.change, note=c.note,
                              proposed=MapElement.model_validate(c.proposed) if c.proposed
                              else None, current=current.get(c.key)) for c in rows]

    def decide(self, change_id: int, accept: bool) -> MapChange:
        """Accept (the documents' version becomes the confirmed one, or the element goes) or
        reject (the person's version stays) one proposed change."""
        with self.db.session() as session:
            change = session.get(MapChangeRow, change_id)
            if change is None or change.workspace != self.workspace or change.state != "open":
                raise InputError(f"There is no open change {change_id} in this workspace.")
            row = self._row(session, change.key)
            result = MapChange(id=change.id, key=change.key, change=change.change,
                               note=change.note, current=_element(row),
                               proposed=MapElement.model_validate(change.proposed)
                               if change.proposed else None)
            change.state = "accepted" if accept else "rejected"
            if accept and change.change == "removed":
                session.delete(row)
            elif accept and result.proposed is not None:
                row.data = result.proposed.model_copy(update={"status": "confirmed"}).model_dump(
                    mode="json")
                row.status = "confirmed"
            return result

    def stale(self, kb: KnowledgeBase) -> list[StaleElement]:
        """Elements whose cited quote is no longer in the cited chunk."""
        out = []
        for element in self.elements():
            for citation in element.citations:
                now = text_now_if_stale(citation, kb)
                if now is not None:
                    out.append(StaleElement(key=element.key, title=element.title,
                                            status=element.status, quote=citation.quote,
                                            now=now))
                    break
        return out

    def _row(self, session: object, key: str) -> MapElementRow:
        row = session.scalars(select(MapElementRow).where(  # type: ignore[attr-defined]
            MapElementRow.workspace == self.workspace, MapElementRow.key == key)).first()
        if row is None:
            raise InputError(f"The strategy map of '{self.workspace}' has no element '{key}'.")
        return row  # type: ignore[no-any-return]


def check_link(child: str, parent: str) -> None:
    """InputError unless a `child` element may serve a `parent` one."""
    if LINK_RANK.get(child, 9) >= LINK_RANK.get(parent, 0):
        raise InputError(f"A {child.replace('_', ' ')} cannot serve a "
                         f"{parent.replace('_', ' ')}: links go initiative → key result → "
                         "objective → pillar.")


def _same(a: dict[str, object], b: dict[str, object]) -> bool:
    ignore = ("status", "origin")
    return {k: v for k, v in a.items() if k not in ignore} == {
        k: v for k, v in b.items() if k not in ignore}


def _element(row: MapElementRow) -> MapElement:
    return MapElement.model_validate({**row.data, "status": row.status})


def map_for_drafting(settings: Settings) -> list[MapElement]:
    """The workspace's map as drafting reads it (every element not rejected, confirmed or
    not: each is cited and its quote checked), or [] when `draft_from` is "passages"."""
    if settings.draft_from != "map":
        return []
    db = Database(settings)
    try:
        return StrategyMap(db, settings.workspace).elements()
    finally:
        db.close()


def has_confirmed_map(settings: Settings) -> bool:
    """True when a person confirmed at least one pillar, objective or KR of the workspace's map:
    then "which pillar does this serve?" has an answer the linter can hold a goal to."""
    db = Database(settings)
    try:
        return any(e.status == "confirmed" and e.kind in ("pillar", "objective", "key_result")
                   for e in StrategyMap(db, settings.workspace).elements())
    finally:
        db.close()
