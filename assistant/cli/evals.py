"""`keel eval`: the offline evaluation harness (datasets and evaluators live in `evals/`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.markup import escape

from assistant.cli.base import JsonOpt, app, emit, err, guarded, out, progress_bar
from assistant.cli.base import settings_from as _settings
from assistant.core.errors import ConfigError


@app.command("eval")
def eval_command(
        ctx: typer.Context,
        suite: str = typer.Option("smoke", help="smoke (model answers 3 per corpus) | full"),
        provider: str | None = typer.Option(None, help="local | openai | fake (default: "
                                            "settings)"),
        only: str | None = typer.Option(None, help="Only this task (e.g. qa)."),
        corpus: str | None = typer.Option(None, help="Only this corpus (sample | 18f)."),
        k: int = typer.Option(5, "-k", min=0, max=50, help="Retrieval depth."),
        split: str | None = typer.Option(None, help="Only cases of this split (dev | test | "
                                     "blind: the blind set, run once at the end)."),
        out_dir: Path | None = typer.Option(None, "--out", help="Run folder (default: "
                                            "evals/runs/<time>)."),
        update_baseline: bool = typer.Option(False, "--update-baseline",
                                             help="Write this run's metrics as the baseline."),
        as_json: bool = JsonOpt) -> None:
    """Measure retrieval and grounded answers; exit 1 on a regression against the baseline."""

    def run() -> None:
        from evals.runner import baseline_path, compare, run_suite, write_report

        if suite not in ("smoke", "full"):
            raise ConfigError("--suite is smoke or full.")
        settings = _settings(ctx)
        if provider:
            settings = settings.model_copy(update={"llm_provider": provider})
        with progress_bar() as bar:
            report = run_suite(settings, suite=suite, k=k, only=only, split=split,
                               progress=bar, corpus=corpus)
        path = baseline_path(suite, split)
        if not path.exists() and not update_baseline:
            err.print(f"No baseline for this suite yet ({path.name}); nothing to compare.")
        baseline = json.loads(path.read_text()) if path.exists() else {"metrics": {}}
        problems = [] if update_baseline else compare(report, baseline)
        folder = out_dir or Path("evals/runs") / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        write_report(report, folder, problems)
        if update_baseline:
            path.write_text(json.dumps({"suite": suite, "provider": settings.llm_provider,
                                        "k": k, "metrics": report["metrics"]}, indent=2) + "\n")
            err.print(f"Baseline written to {path}; review the diff before committing.")

        def human() -> None:
            out.print((folder / "report.md").read_text(), markup=False, highlight=False)
            out.print(f"Report: {escape(str(folder))}")

        emit({"metrics": report["metrics"], "regressions": problems, "folder": str(folder)},
             as_json, human)
        if problems:
            raise typer.Exit(1)

    guarded(run)
