"""`keel scenario`, `keel wargame`, `keel scenarios`: stress-test the strategy (issue 29)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from assistant.cli.base import JsonOpt, app, emit, err, guarded, open_llm, out, progress_bar
from assistant.cli.base import settings_from as _settings
from assistant.core.config import Settings
from assistant.db.engine import shared_database
from assistant.knowledge.embeddings import build_embedder
from assistant.llm.client import LLM
from assistant.scenarios.model import ScenarioReport
from assistant.scenarios.render import scenario_markdown, wargame_markdown
from assistant.scenarios.store import StressReport, StressStore
from assistant.scenarios.stress import stress_test
from assistant.scenarios.wargame import war_game
from assistant.strategy.model import MapElement
from assistant.strategy.store import StrategyMap


def _strategy(settings: Settings) -> list[MapElement]:
    return StrategyMap(shared_database(settings), settings.workspace).elements()


def _markdown(report: StressReport) -> str:
    return (scenario_markdown(report) if isinstance(report, ScenarioReport)
            else wargame_markdown(report))


def _finish(settings: Settings, report: StressReport, save: bool, output: Path | None,
            as_json: bool) -> None:
    text = _markdown(report)
    if save:
        err.print(f"Saved as {StressStore(settings).save(report)} (`keel scenarios`).")
    if output is not None:
        output.write_text(text, encoding="utf-8")
    emit(report, as_json, lambda: out.print(
        text if output is None else f"Wrote {escape(str(output))}.", markup=False,
        highlight=False))


def _run(ctx: typer.Context, make: Callable[[Settings, LLM, Any], StressReport], save: bool,
         output: Path | None, as_json: bool) -> None:
    def run() -> None:
        settings = _settings(ctx)
        with open_llm(settings) as llm, progress_bar() as bar:
            report = make(settings, llm, bar)
        _finish(settings, report, save, output, as_json)

    guarded(run)


SaveOpt = typer.Option(True, "--save/--no-save", help="Keep it with the workspace (for the "
                       "review pack's decisions needed).")
OutOpt = typer.Option(None, "--out", help="Also write it as Markdown.")


@app.command("scenario")
def scenario_command(ctx: typer.Context,
                     scenario: str = typer.Argument(..., help="What might happen, e.g. 'our "
                                                    "green-coffee importer raises prices 30%'."),
                     save: bool = SaveOpt, output: Path | None = OutOpt,
                     as_json: bool = JsonOpt) -> None:
    """Scenario stress test: the key results, limits and pillars it exposes (found by code in
    the strategy map, with reasons and sources), and per exposed KR what to watch, a trigger
    and contingency actions (drafted by the model, checked by code)."""

    _run(ctx, lambda s, llm, bar: stress_test(
        scenario, llm, build_embedder(s), _strategy(s),
        progress=lambda d, t, _s: bar(d, t, "Stress test")), save, output, as_json)


@app.command("wargame")
def wargame_command(ctx: typer.Context,
                    move: str = typer.Argument(..., help="The competitor's move, e.g. 'a national "
                                               "roaster launches a cheaper subscription'."),
                    save: bool = SaveOpt, output: Path | None = OutOpt,
                    as_json: bool = JsonOpt) -> None:
    """War game: the competitor's likely next moves, what each threatens in our strategy map,
    and our possible responses, each checked against our non-goals and stated limits."""

    _run(ctx, lambda s, llm, bar: war_game(
        move, llm, build_embedder(s), _strategy(s),
        progress=lambda d, t, _s: bar(d, t, "War game")), save, output, as_json)


@app.command("scenarios")
def scenarios_command(ctx: typer.Context,
                      show: str | None = typer.Option(None, "--show", help="Print one saved "
                                                      "stress test as Markdown."),
                      delete: str | None = typer.Option(None, "--delete", help="Delete one."),
                      as_json: bool = JsonOpt) -> None:
    """The saved scenarios and war games of the workspace."""

    def run() -> None:
        store = StressStore(_settings(ctx))
        if delete:
            store.delete(delete)
            out.print(f"Deleted {escape(delete)}.")
            return
        if show:
            report = store.get(show)
            emit(report, as_json, lambda: out.print(_markdown(report), markup=False,
                                                    highlight=False))
            return
        rows = store.dated()
        data = [{"id": i, "kind": r.kind, "when": w.isoformat(timespec="minutes"),
                 "title": r.scenario if isinstance(r, ScenarioReport) else r.competitor,
                 "exposed": len(r.exposed)} for i, r, w in rows]

        def human() -> None:
            if not data:
                out.print("No saved scenarios or war games: try `keel scenario \"…\"`.")
                return
            table = Table("id", "kind", "saved", "exposed", "what")
            for d in data:
                table.add_row(escape(str(d["id"])), str(d["kind"]), str(d["when"]),
                              str(d["exposed"]), escape(str(d["title"])[:70]))
            out.print(table)

        emit(data, as_json, human)

    guarded(run)
