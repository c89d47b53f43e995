"""`keel checkin`, `keel checkins`, `keel review`: record where key results stand, list them
with progress, and build the period's review pack."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from assistant.cli.base import JsonOpt, app, emit, guarded, open_kb, out
from assistant.cli.base import settings_from as _settings
from assistant.core.errors import InputError
from assistant.core.text import format_amount
from assistant.review.checkins import (
    CONFIDENCES,
    CheckIn,
    CheckInStore,
    KRStatus,
    read_checkins_csv,
    statuses,
)
from assistant.review.pack import build_pack, pack_html, pack_markdown
from assistant.review.premortem import premortem, premortem_markdown
from assistant.review.progress import GRADE_FORMULA, PROGRESS_FORMULA
from assistant.review.tracked import find_kr

_COLOUR = {"on_track": "green", "at_risk": "yellow", "off_track": "red"}


@app.command("checkin")
def checkin(ctx: typer.Context,
            kr_id: str | None = typer.Argument(None, help="The KR's id (see `keel checkins`), or "
                                               "any part of it that names one KR."),
            value: float | None = typer.Option(None, "--value", help="Where the KR stands now."),
            confidence: str | None = typer.Option(
                None, "--confidence", help="on_track | at_risk | off_track"),
            note: str = typer.Option("", "--note", help="What moved it, what blocks it."),
            by: str = typer.Option("", "--by", help="Who checks in."),
            on: str | None = typer.Option(None, "--date", help="Measured on (default today)."),
            import_file: Path | None = typer.Option(
                None, "--import", help="A CSV or an Excel workbook (.xlsx) with columns kr_id, "
                "value, confidence and optionally note, by, date: all rows or none."),
            as_json: bool = JsonOpt) -> None:
    """Record a check-in on a key result (value, confidence, note), or import many from a CSV
    or .xlsx file."""

    def run() -> None:
        settings = _settings(ctx)
        store = CheckInStore(settings)
        if import_file is not None:
            if kr_id is not None:
                raise InputError("Give a KR id or --import FILE, not both.")
            if not import_file.is_file():
                raise InputError(f"No file {import_file}.")
            saved = store.add_many(read_checkins_csv(import_file.read_bytes(),
                                                     import_file.name))
            emit({"imported": len(saved)}, as_json,
                 lambda: out.print(f"Imported {len(saved)} check-in(s)."))
            return
        if kr_id is None or confidence is None:
            raise InputError("Name the KR and give --confidence (on_track, at_risk or "
                             "off_track), e.g. keel checkin KR-ID --value 5.9 --confidence "
                             "at_risk --note '…'.")
        if confidence not in CONFIDENCES:
            raise InputError(f"--confidence is one of {', '.join(CONFIDENCES)}.")
        try:
            day = date.fromisoformat(on) if on else date.today()
        except ValueError:
            raise InputError(f"--date '{on}' is not a date like 2027-02-14.") from None
        kr = find_kr(settings, kr_id)
        one = store.add(CheckIn(kr_id=kr.id, value=value, confidence=confidence,
                                note=note, author=by, at=day))
        emit(one, as_json, lambda: out.print(
            f"Checked in {escape(kr.statement[:80])}: {value if value is not None else '—'} "
            f"({confidence}) on {day.isoformat()}."))

    guarded(run)


@app.command("checkins")
def checkins(ctx: typer.Context,
             period: str | None = typer.Option(None, "--period", "-p", help="e.g. 2027-Q1"),
             department: str | None = typer.Option(None, "--department", "-d",
                                                   help="A department, or 'company'."),
             as_json: bool = JsonOpt) -> None:
    """The tracked key results with their latest check-in, progress, grade and staleness."""

    def run() -> None:
        settings = _settings(ctx)
        found = statuses(settings, period, department)
        emit({"progress_formula": PROGRESS_FORMULA, "grade_formula": GRADE_FORMULA,
              "key_results": [s.model_dump(mode="json") for s in found]},
             as_json, lambda: _print(found, settings.checkin_stale_days))

    guarded(run)


def _print(found: list[KRStatus], stale_days: int) -> None:
    if not found:
        out.print("No tracked key results: build the strategy map (`keel map build`) or save an "
                  "OKR set (`keel goals draft … --save`).")
        return
    table = Table(show_lines=False)
    for column in ("KR id", "team", "key result", "baseline → target", "latest", "confidence",
                   "progress", "grade"):
        table.add_column(column, overflow="fold")
    for s in found:
        latest = s.latest
        when = (f"{format_amount(latest.value)} ({latest.at.isoformat()})" if latest
                else "no check-in")
        if s.stale:
            when += " [yellow]stale[/yellow]"
        conf = (f"[{_COLOUR[latest.confidence]}]{latest.confidence}[/]" if latest else "")
        table.add_row(escape(s.kr.id), escape(s.kr.department or "company"),
                      escape(s.kr.statement[:90]),
                      f"{format_amount(s.kr.baseline)} → {format_amount(s.kr.target)}", when, conf,
                      f"{s.progress:.0%}" if s.progress is not None else "ask the owner",
                      f"{s.grade:.1f} ({s.grade_verdict})" if s.grade is not None else "—")
    out.print(table)
    out.print(f"{PROGRESS_FORMULA}.\n{GRADE_FORMULA}. Stale: no check-in for {stale_days} days.",
              highlight=False)


@app.command("review")
def review(ctx: typer.Context,
           period: str = typer.Option(..., "--period", "-p", help="e.g. 2027-Q1"),
           department: str | None = typer.Option(None, "--department", "-d"),
           output: Path | None = typer.Option(
               None, "--out", help="Write the pack here: .md for Markdown, .html for one "
               "self-contained page with the charts inlined."),
           as_json: bool = JsonOpt) -> None:
    """The strategic review pack of a period: scorecard, at risk, stale, dependencies,
    proposals checked, decisions needed — every number computed, none from the model."""

    def run() -> None:
        settings = _settings(ctx)
        with open_kb(settings) as kb:
            pack = build_pack(settings, period, department, kb=kb)
        if output is not None:
            if output.suffix.lower() not in (".md", ".html"):
                raise InputError("--out takes a .md or .html file name.")
            text = (pack_html(pack, settings) if output.suffix.lower() == ".html"
                    else pack_markdown(pack))
            output.write_text(text, encoding="utf-8")
        emit(pack, as_json, lambda: out.print(
            pack_markdown(pack) if output is None else f"Wrote {escape(str(output))}.",
            markup=False, highlight=False))

    guarded(run)


@app.command("premortem")
def premortem_command(ctx: typer.Context,
                      period: str = typer.Option(..., "--period", "-p", help="e.g. 2027-Q1"),
                      department: str | None = typer.Option(None, "--department", "-d"),
                      output: Path | None = typer.Option(None, "--out", help="Write Markdown."),
                      as_json: bool = JsonOpt) -> None:
    """Pre-mortem: why each KR of the period could be missed, from the data (behind the
    straight line, at risk, no baseline, stale, dependencies, limits, changed sources)."""

    def run() -> None:
        settings = _settings(ctx)
        with open_kb(settings) as kb:
            items = premortem(settings, period, department, kb=kb)
        text = premortem_markdown(items, period)
        if output is not None:
            output.write_text(text, encoding="utf-8")
        emit([i.model_dump() for i in items], as_json, lambda: out.print(
            text if output is None else f"Wrote {escape(str(output))}.", markup=False,
            highlight=False))

    guarded(run)
