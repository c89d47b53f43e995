"""`keel map …`: build the strategy map from the documents, show, export, confirm, review."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

import typer
from rich.markup import escape

from assistant.alignment.store import CheckStore, stale_checks
from assistant.cli.base import (
    JsonOpt,
    app,
    emit,
    guarded,
    open_kb,
    open_llm,
    out,
    print_stale,
    progress_bar,
)
from assistant.cli.base import settings_from as _settings
from assistant.core.errors import InputError
from assistant.db.engine import Database
from assistant.goals.store import GoalStore, stale_citations
from assistant.strategy.brief import department_brief
from assistant.strategy.build import build_map
from assistant.strategy.extract import extract_prose
from assistant.strategy.model import KINDS, MapElement
from assistant.strategy.person import person_element
from assistant.strategy.picture import map_png
from assistant.strategy.render import to_csv, to_json, to_markdown
from assistant.strategy.store import StrategyMap, check_link

map_app = typer.Typer(no_args_is_help=True, help="The strategy map: the company's strategy as "
                      "structured, cited data that a person confirms.")
app.add_typer(map_app, name="map")
Format = Literal["md", "json", "csv"]


def _map(ctx: typer.Context) -> tuple[Database, StrategyMap]:
    settings = _settings(ctx)
    db = Database(settings)
    return db, StrategyMap(db, settings.workspace)


@map_app.command("build")
def build(ctx: typer.Context,
          prose: bool = typer.Option(False, "--prose", help="Also let the model propose what "
                                     "the rules cannot read (one call per passage; minutes "
                                     "with the local model)."),
          as_json: bool = JsonOpt) -> None:
    """Read the indexed documents into the map (rules; every element cited). Elements a person
    confirmed or edited are never overwritten: differences become changes to review."""

    def run() -> None:
        settings = _settings(ctx)
        start = time.perf_counter()
        extracted: dict[str, object] = {}
        with open_kb(settings) as kb:
            if not kb.count():
                raise InputError(f"Workspace '{settings.workspace}' has no documents: run "
                                 "`keel index` first.")
            if prose:
                with open_llm(settings) as llm, progress_bar() as update:
                    def read(covered: set[str]) -> list[MapElement]:
                        found, report = extract_prose(kb, llm, covered, update)
                        extracted.update(report.model_dump())
                        return found

                    built = build_map(kb, update, prose=read)
            else:
                with progress_bar() as update:
                    built = build_map(kb, update)
        db, smap = _map(ctx)
        try:
            report = smap.save_build(built)
        finally:
            db.close()
        seconds = time.perf_counter() - start

        def human() -> None:
            out.print(f"{len(built)} elements read in {seconds:.1f} s: {len(report.added)} new, "
                      f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
                      f"{len(report.removed)} removed; {len(report.changes_proposed)} changes "
                      "to review (`keel map diff`).")
            if extracted:
                out.print(f"The model read {extracted['passages']} passages the rules did not: "
                          f"{extracted['proposed']} elements proposed, "
                          f"{extracted['dropped_quotes']} dropped (quote not in the passage), "
                          f"{extracted['failed']} passages failed.")

        emit({**report.model_dump(), "elements": len(built), "seconds": round(seconds, 2),
              "prose": extracted}, as_json, human)

    guarded(run)


@map_app.command("show")
def show(ctx: typer.Context, kind: str | None = typer.Option(None, help=", ".join(KINDS)),
         as_json: bool = JsonOpt) -> None:
    """The map as a tree with each element's source (or JSON)."""

    def run() -> None:
        if kind and kind not in KINDS:
            raise InputError(f"--kind is one of {', '.join(KINDS)}.")
        db, smap = _map(ctx)
        try:
            elements = [e for e in smap.elements() if not kind or e.kind == kind]
        finally:
            db.close()
        if not elements:
            raise InputError("The strategy map is empty: run `keel map build`.")
        emit(elements, as_json, lambda: out.print(escape(to_markdown(elements, smap.workspace)),
                                                  highlight=False))

    guarded(run)


@map_app.command("export")
def export(ctx: typer.Context,
           fmt: str = typer.Option("md", "--format", help="md | json | csv | png"),
           output: Path = typer.Option(..., "--output", "-o")) -> None:
    """Write the map to a file (png: the picture — pillars, objectives, KRs, initiatives)."""

    def run() -> None:
        if fmt not in ("md", "json", "csv", "png"):
            raise InputError("--format is md, json, csv or png.")
        db, smap = _map(ctx)
        try:
            elements = smap.elements()
        finally:
            db.close()
        if fmt == "png":
            map_png(elements, output)
        else:
            render = {"md": lambda e: to_markdown(e, smap.workspace), "json": to_json,
                      "csv": to_csv}[fmt]
            output.write_text(render(elements), encoding="utf-8")
        out.print(f"Wrote {len(elements)} elements to {escape(str(output))}.")

    guarded(run)


@map_app.command("confirm")
def confirm(ctx: typer.Context, keys: list[str] = typer.Argument(None, help="Element keys."),
            every: bool = typer.Option(False, "--all", help="Every proposed element.")) -> None:
    """Confirm elements: a rebuild will then propose changes instead of replacing them."""

    def run() -> None:
        db, smap = _map(ctx)
        try:
            chosen = [e.key for e in smap.elements() if e.status == "proposed"] if every \
                else list(keys or [])
            if not chosen:
                raise InputError("Name element keys (see `keel map show --json`) or --all.")
            for key in chosen:
                smap.confirm(key)
        finally:
            db.close()
        out.print(f"Confirmed {len(chosen)} element(s).")

    guarded(run)


@map_app.command("edit")
def edit(ctx: typer.Context, key: str,
         fields: list[str] = typer.Option(..., "--set", help="field=value, e.g. target=2600 "
                                          "or drivers='supplier price; drought' (scenarios)")
         ) -> None:
    """Change an element's fields; it becomes yours (status edited) and survives rebuilds."""

    def run() -> None:
        values: dict[str, object] = {}
        for item in fields:
            name, sep, value = item.partition("=")
            if not sep:
                raise InputError(f"--set takes field=value, not {item!r}.")
            values[name.strip()] = _value(name.strip(), value.strip())
        db, smap = _map(ctx)
        try:
            element = smap.edit(key, **values)
        finally:
            db.close()
        out.print(f"Edited {escape(element.key)}: {escape(element.title)}")

    guarded(run)


def _value(name: str, value: str) -> object:
    field = MapElement.model_fields.get(name)
    if field is not None and field.annotation in (float, float | None):
        try:
            return float(value.replace(",", "")) if value else None
        except ValueError:
            raise InputError(f"{name} takes a number, not {value!r}.") from None
    if name in ("serves", "rules", "drivers"):
        return [v.strip() for v in value.split(";") if v.strip()]
    return value


@map_app.command("add")
def add(ctx: typer.Context,
        kind: str = typer.Option(..., "--kind", help=" | ".join(KINDS)),
        title: str = typer.Option(..., "--title", help="A few words that name it."),
        quote: str = typer.Option(..., "--quote", help="The sentence it comes from, copied from "
                                  "an indexed document (it is the element's citation)."),
        serves: str | None = typer.Option(None, "--serves", help="The key of the element it "
                                          "serves."),
        target: float | None = typer.Option(None, "--target"),
        baseline: float | None = typer.Option(None, "--baseline"),
        owner: str = typer.Option("", "--owner"),
        department: str = typer.Option("", "--department", "-d")) -> None:
    """Add an element of your own, citing the document sentence it comes from; it is yours
    (edited) and rebuilds never touch it."""

    def run() -> None:
        settings = _settings(ctx)
        with open_kb(settings) as kb:
            element = person_element(kb, kind, title, quote, target=target, baseline=baseline,
                                     owner=owner, department=department,
                                     serves=[serves] if serves else [])
        db, smap = _map(ctx)
        try:
            if serves:
                check_link(kind, smap.get(serves).kind)
            smap.add(element)
        finally:
            db.close()
        out.print(f"Added {escape(element.key)}, citing {escape(element.citations[0].document)}.")

    guarded(run)


@map_app.command("link")
def link(ctx: typer.Context, key: str,
         to: str = typer.Option(..., "--to", help="The element it serves."),
         remove: bool = typer.Option(False, "--remove", help="Remove the link instead.")
         ) -> None:
    """Link an element to the one it serves (initiative → key result → objective → pillar);
    the element becomes yours (edited), so rebuilds keep the link."""

    def run() -> None:
        db, smap = _map(ctx)
        try:
            smap.link(key, to, remove)
        finally:
            db.close()
        out.print(f"{'Unlinked' if remove else 'Linked'} {escape(key)} → {escape(to)}.")

    guarded(run)


@map_app.command("discard")
def discard(ctx: typer.Context, key: str) -> None:
    """Reject an element the rules proposed; rebuilds will not bring it back."""
    def run() -> None:
        db, smap = _map(ctx)
        try:
            smap.reject(key)
        finally:
            db.close()
        out.print(f"Discarded {escape(key)}.")

    guarded(run)


@map_app.command("diff")
def diff(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Changes the last rebuild found for elements a person confirmed or edited."""

    def run() -> None:
        db, smap = _map(ctx)
        try:
            changes = smap.changes()
        finally:
            db.close()

        def human() -> None:
            for c in changes:
                was = c.current.text if c.current else ""
                now = c.proposed.text if c.proposed else "(no longer in the documents)"
                out.print(f"[bold]{c.id}[/bold] {c.change} {escape(c.key)}\n    was: "
                          f"{escape(was)}\n    now: {escape(now)}", highlight=False)
            if not changes:
                out.print("No changes to review.")

        emit(changes, as_json, human)

    guarded(run)


def _decide(ctx: typer.Context, change_id: int, accept: bool) -> None:
    def run() -> None:
        db, smap = _map(ctx)
        try:
            change = smap.decide(change_id, accept)
        finally:
            db.close()
        out.print(f"{'Accepted' if accept else 'Rejected'} change {change_id} "
                  f"({change.change} {escape(change.key)}).")

    guarded(run)


@map_app.command("accept")
def accept(ctx: typer.Context, change_id: int) -> None:
    """Accept a proposed change: the documents' version becomes the confirmed one."""
    _decide(ctx, change_id, True)


@map_app.command("reject")
def reject(ctx: typer.Context, change_id: int) -> None:
    """Reject a proposed change: your version stays."""
    _decide(ctx, change_id, False)


@map_app.command("brief")
def brief(ctx: typer.Context,
          department: str = typer.Option(..., "--department", "-d", help="e.g. Marketing"),
          output: Path | None = typer.Option(None, "--output", "-o")) -> None:
    """One page: what the strategy asks of a department (from the map; no model)."""

    def run() -> None:
        db, smap = _map(ctx)
        try:
            text = department_brief(smap.elements(), department)
        finally:
            db.close()
        if output:
            output.write_text(text, encoding="utf-8")
            out.print(f"Wrote {escape(str(output))}.")
        else:
            out.print(escape(text), highlight=False)

    guarded(run)


@map_app.command("stale")
def stale(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Everything citing a passage that re-indexing changed or removed: map elements, saved
    OKR sets and saved alignment checks, each with the old quote and the passage now."""

    def run() -> None:
        settings = _settings(ctx)
        db, smap = _map(ctx)
        try:
            with open_kb(settings) as kb:
                elements = smap.stale(kb)
                sets = stale_citations(GoalStore(settings).list(), kb)
                checks = stale_checks(CheckStore(settings).list(), kb)
        finally:
            db.close()
        rows = ([(f"map element {s.key} ({s.status})", s.quote, s.now) for s in elements]
                + [(f"OKR set {s.okr_set} {s.where}", s.quote, s.now) for s in sets]
                + [(f"check {s.check} ({s.element})", s.quote, s.now) for s in checks])
        emit({"elements": [s.model_dump() for s in elements],
              "okr_sets": [s.model_dump() for s in sets],
              "checks": [s.model_dump() for s in checks]}, as_json,
             lambda: print_stale(rows, "Every source is unchanged: map elements, saved OKR "
                                 "sets and saved checks."))

    guarded(run)
