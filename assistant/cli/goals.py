"""The `keel` commands for goals: okrs, smart, lint, goals (saved sets)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Literal

import typer
from rich.markup import escape

from assistant.cli.base import (
    JsonOpt,
    app,
    emit,
    err,
    guarded,
    open_kb,
    open_llm,
    out,
    print_stale,
)
from assistant.cli.base import settings_from as _settings
from assistant.core.errors import InputError
from assistant.core.periods import next_quarter
from assistant.core.schemas import OKRSet
from assistant.goals.draft import DraftReport, draft_okrs
from assistant.goals.judge import judge_okrs
from assistant.goals.lint import Finding, LintConfig, lint_okrs
from assistant.goals.lint_report import group_findings, report_lines, summary_line
from assistant.goals.okr_io import (
    read_okr_sets,
    sets_from_read,
    to_csv,
    to_json,
    to_markdown,
)
from assistant.goals.okr_read_model import read_with_model
from assistant.goals.okr_view import describe_read
from assistant.goals.smart import draft_smart
from assistant.goals.store import GoalStore, stale_citations
from assistant.strategy.store import has_confirmed_map, map_for_drafting

goals_app = typer.Typer(no_args_is_help=True, help="Saved OKR sets of the workspace.")
app.add_typer(goals_app, name="goals")
Format = Literal["markdown", "json", "csv"]
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def _print_findings(findings: list[Finding]) -> None:
    for f in findings:
        style = _SEVERITY_STYLE[f.severity]
        out.print(f"[{style}]{f.severity:>7} {f.rule:<4}[/{style}] {escape(f.where)}: "
                  f"{escape(f.message)} Fix: {escape(f.fix)} [dim]{escape(f.source)}[/dim]",
                  highlight=False)
    if not findings:
        out.print("No findings.")


def _render(okrs: OKRSet, fmt: Format) -> str:
    return {"markdown": to_markdown, "json": to_json, "csv": to_csv}[fmt](okrs)


@app.command()
def okrs(ctx: typer.Context,
         department: str = typer.Option(..., "--department", "-d", help="e.g. Marketing"),
         period: str | None = typer.Option(None, help="e.g. 2027-Q1 (default: next quarter)"),
         objectives: int = typer.Option(3, "--objectives", min=1, max=5),
         ambition: str = typer.Option("committed", help="committed | aspirational"),
         save: bool = typer.Option(False, "--save", help="Save the draft to the workspace."),
         output: Path | None = typer.Option(None, "--output", "-o",
                                            help="Also write .md, .json or .csv here."),
         as_json: bool = JsonOpt) -> None:
    """Draft grounded OKRs for a department and period, linted and repaired."""

    def run() -> None:
        if ambition not in ("committed", "aspirational"):
            raise InputError("--ambition is committed or aspirational.")
        settings = _settings(ctx)
        with open_kb(settings) as kb, open_llm(settings) as llm:
            err.print("Drafting… (the local model takes a few minutes on a laptop CPU)")
            report = draft_okrs(kb, llm, department, period or next_quarter(date.today()),
                                objectives, ambition,  # type: ignore[arg-type]
                                strategy=map_for_drafting(settings))
        if save:
            GoalStore(settings).save(report.okrs)
        if output:
            fmt: Format = {".json": "json", ".csv": "csv"}.get(output.suffix.lower(),
                                                               "markdown")  # type: ignore[assignment]
            output.write_text(_render(report.okrs, fmt), encoding="utf-8")
        emit(report, as_json, lambda: _print_report(report, save))

    guarded(run)


def _print_report(report: DraftReport, saved: bool) -> None:
    out.print(to_markdown(report.okrs), markup=False, highlight=False)
    _print_findings(report.findings)
    out.print(f"KRs passing all error-level checks: first draft {report.kr_pass_first:.0%}, "
              f"final {report.kr_pass_final:.0%}; repair rounds {report.repair_rounds}; "
              f"{report.seconds:.0f} s; drafted from the "
              f"{'strategy map' if report.source == 'map' else 'retrieved passages'}.")
    for problem in report.unresolved():  # the findings above show the linter's errors
        err.print(f"[yellow]unresolved:[/yellow] {escape(problem)}")
    if saved:
        out.print(f"Saved as {report.okrs.id}.")


@app.command()
def smart(ctx: typer.Context, rough_goal: str,
          department: str = typer.Option("", "--department", "-d"),
          as_json: bool = JsonOpt) -> None:
    """Turn a rough goal into a SMART goal, with its citation and findings."""

    def run() -> None:
        settings = _settings(ctx)
        with open_kb(settings) as kb, open_llm(settings) as llm:
            goal, findings = draft_smart(kb, llm, rough_goal, department)

        def human() -> None:
            for key in ("goal", "specific", "measurable", "assignable", "realistic",
                        "time_related"):
                out.print(f"[bold]{key:>13}[/bold]: {escape(str(getattr(goal, key)))}")
            for c in goal.citations:
                out.print(f"       source: {escape(c.document)} — “{escape(c.quote)}”")
            _print_findings(findings)

        emit({"goal": goal.model_dump(mode="json"),
              "findings": [f.model_dump() for f in findings]}, as_json, human)

    guarded(run)


@app.command()
def lint(ctx: typer.Context, file: Path,
         max_objectives: int = typer.Option(5, help="O8 threshold."),
         max_key_results: int = typer.Option(5, help="K9 threshold."),
         timid_delta: float = typer.Option(0.05, help="K13: smallest aspirational change."),
         radical_focus: bool = typer.Option(False, help="Radical Focus mode (O8/K9 info)."),
         judge: bool = typer.Option(False, "--judge", help="Also ask the model about O4, K10, "
                                    "K12 and K15 (a second opinion)."),
         show_all: bool = typer.Option(False, "--all", help="List every place a rule fired."),
         model_read: bool = typer.Option(False, "--model-read", help="When the rules find no "
                                         "objectives (free prose), let the local model propose"
                                         " a reading, shown for you to confirm."),
         as_json: bool = JsonOpt) -> None:
    """Check OKRs (Markdown, JSON or CSV, written by a person or by Keel). Exit 1 on errors.

    A Markdown page with one section per department or period is checked set by set. A
    missing parent pillar is an error only when the workspace has a confirmed strategy map."""

    def run() -> None:
        sets = _read_sets(ctx, file, model_read, as_json)
        config = LintConfig(max_objectives=max_objectives, max_key_results=max_key_results,
                            timid_delta=timid_delta, radical_focus=radical_focus,
                            strategy_map=has_confirmed_map(_settings(ctx)))
        found = [lint_okrs(okrs, config) for okrs in sets]
        if judge:  # one model for every set
            with open_llm(_settings(ctx)) as llm:
                found = [f + judge_okrs(okrs, llm) for f, okrs in zip(found, sets, strict=True)]
        findings: list[Finding] = []
        for n, (okrs, mine) in enumerate(zip(sets, found, strict=True), 1):
            name = okrs.department or okrs.period or f"set {n}"
            findings += mine if len(sets) == 1 else [
                f.model_copy(update={"where": f"{name}: {f.where}"}) for f in mine]
        emit(findings, as_json, lambda: _print_lint(sets, findings, show_all))
        if any(f.severity == "error" for f in findings):
            raise typer.Exit(1)

    guarded(run)


def _read_sets(ctx: typer.Context, file: Path, model_read: bool, as_json: bool) -> list[OKRSet]:
    try:
        return read_okr_sets(file)
    except InputError as exc:
        if not model_read or "no objectives found" not in str(exc):
            raise
    with open_llm(_settings(ctx)) as llm:
        doc = read_with_model(file.read_text(encoding="utf-8"), llm, file.name)
    sets = sets_from_read(doc)
    if not sets:
        raise InputError(f"Neither the rules nor the local model found objectives in "
                         f"{file.name}.")
    if not as_json:
        out.print(describe_read(doc), markup=False, highlight=False)
    return sets


def _print_lint(sets: list[OKRSet], findings: list[Finding], show_all: bool) -> None:
    for okrs in sets:
        owners = {kr.owner_role for o in okrs.objectives for kr in o.key_results
                  if kr.owner_role}
        out.print(f"[bold]Read:[/bold] {escape(okrs.department or 'one team')} · "
                  f"{escape(okrs.period or 'no period found')}"
                  + (f" ({okrs.period_start} to {okrs.period_end})" if okrs.period_end else "")
                  + f" · {len(okrs.objectives)} objectives · "
                  f"{sum(len(o.key_results) for o in okrs.objectives)} key results · "
                  f"{len(owners)} owners", highlight=False)
    out.print(summary_line(findings, sets), highlight=False)
    styles = {**_SEVERITY_STYLE, "fix": "dim", "place": ""}
    for kind, line in report_lines(group_findings(findings, sets), show=0 if show_all else 3):
        indent = "" if kind in _SEVERITY_STYLE else "    "
        style = styles[kind]
        out.print(f"{indent}[{style}]{escape(line)}[/{style}]" if style else
                  f"{indent}{escape(line)}", highlight=False)


@goals_app.command("list")
def goals_list(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """List saved OKR sets."""

    def run() -> None:
        sets = GoalStore(_settings(ctx)).list()
        rows = [{"id": s.id, "department": s.department, "period": s.period,
                 "objectives": len(s.objectives), "created_at": str(s.created_at or "")}
                for s in sets]
        def human() -> None:
            for r in rows:
                out.print(f"{r['id']}  {r['department']}  {r['period']}  "
                          f"{r['objectives']} objectives")
            if not rows:
                out.print("No saved OKR sets.")

        emit(rows, as_json, human)

    guarded(run)


@goals_app.command("show")
def goals_show(ctx: typer.Context, okr_id: str,
               fmt: str = typer.Option("markdown", "--format", help="markdown | json | csv")
               ) -> None:
    """Print a saved OKR set (Markdown, JSON or CSV)."""

    def run() -> None:
        if fmt not in ("markdown", "json", "csv"):
            raise InputError("--format is markdown, json or csv.")
        sys.stdout.write(_render(GoalStore(_settings(ctx)).get(okr_id), fmt))  # type: ignore[arg-type]

    guarded(run)


@goals_app.command("save")
def goals_save(ctx: typer.Context, file: Path, as_json: bool = JsonOpt) -> None:
    """Save an OKR set from a file (JSON, CSV or Markdown) to the workspace."""

    def run() -> None:
        store = GoalStore(_settings(ctx))
        ids = [store.save(okrs).id for okrs in read_okr_sets(file)]
        emit({"id": ids[0], "ids": ids}, as_json,
             lambda: out.print(f"Saved as {', '.join(ids)}."))

    guarded(run)


@goals_app.command("stale")
def goals_stale(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Saved OKR sets whose cited passages changed or disappeared after re-indexing."""

    def run() -> None:
        settings = _settings(ctx)
        with open_kb(settings) as kb:
            found = stale_citations(GoalStore(settings).list(), kb)

        emit(found, as_json, lambda: print_stale(
            [(f"{s.okr_set} {s.where}", s.quote, s.now) for s in found],
            "Every saved OKR set's sources are unchanged."))

    guarded(run)


@goals_app.command("delete")
def goals_delete(ctx: typer.Context, okr_id: str, as_json: bool = JsonOpt) -> None:
    """Delete a saved OKR set."""

    def run() -> None:
        GoalStore(_settings(ctx)).delete(okr_id)
        emit({"deleted": okr_id}, as_json, lambda: out.print(f"Deleted {okr_id}."))

    guarded(run)


__all__ = ["goals_app"]
