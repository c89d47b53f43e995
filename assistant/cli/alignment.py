"""The `keel` commands for alignment: check (one proposal or a CSV batch), alignment-index."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape

from assistant.alignment.batch import matrix_png, read_batch, run_batch, write_batch_csv
from assistant.alignment.check import MAX_PROPOSAL_CHARS, check_proposal
from assistant.alignment.index import alignment_index
from assistant.alignment.render import report_markdown
from assistant.alignment.store import CheckStore
from assistant.cli.base import (
    JsonOpt,
    app,
    emit,
    err,
    guarded,
    open_kb,
    open_llm,
    out,
    progress_bar,
)
from assistant.cli.base import settings_from as _settings
from assistant.core.errors import InputError
from assistant.db.engine import shared_database
from assistant.knowledge.documents import parse_document
from assistant.strategy.model import MapElement
from assistant.strategy.store import StrategyMap


def read_proposal(source: str, max_mb: float) -> str:
    """The proposal's text from a file (txt, md, pdf, docx) or '-' for standard input."""
    if source == "-":
        data = sys.stdin.buffer.read(MAX_PROPOSAL_CHARS * 4 + 1)
        if b"\x00" in data[:8192]:
            raise InputError("Standard input looks binary; pipe the proposal as text.")
        return data.decode("utf-8", errors="replace")
    path = Path(source)
    if not path.is_file():
        raise InputError(f"No file {source}. Give a .txt, .md, .pdf or .docx file, or '-'.")
    return parse_document(path, path.name, int(max_mb * 1024 * 1024)).text


@app.command()
def check(ctx: typer.Context,
          proposal: str | None = typer.Argument(None, help="Proposal file, or - for stdin."),
          batch: Path | None = typer.Option(None, "--batch", help="CSV of proposals (a "
                                            "'proposal' column; optional id, title)."),
          out_dir: Path = typer.Option(Path("alignment-batch"), "--out",
                                       help="Folder for the batch CSV and matrix PNG."),
          save: bool = typer.Option(False, "--save", help="Keep the report for the "
                                    "workspace's alignment index."),
          serves: str | None = typer.Option(None, "--serves", help="The manager's answer: the "
                                            "confirmed KR it moves (id or part of it)."),
          budget: float | None = typer.Option(None, "--budget", min=0, help="The manager's "
                                              "answer: what it costs (with --department)."),
          department: str | None = typer.Option(None, "--department", "-d",
                                                help="Whose budget pays for it."),
          breaks: str | None = typer.Option(None, "--breaks", help="The manager's answer: "
                                            "the confirmed value or non-goal it breaks."),
          repeats: str | None = typer.Option(None, "--repeats", help="The manager's answer: "
                                             "the planned initiative it repeats."),
          as_json: bool = JsonOpt) -> None:
    """Check a proposal against the workspace's strategy: a verdict decisive only on evidence
    from the confirmed strategy map (or your answers: --serves, --budget, --breaks,
    --repeats), else "needs review" with the questions to answer. Cited reasons either way;
    KEEL_ALIGNMENT_VERDICTS=score brings back the first design."""

    def run() -> None:
        settings = _settings(ctx)
        if (proposal is None) == (batch is None):
            raise InputError("Give one proposal file (or -) or --batch proposals.csv.")
        if batch is not None:
            _batch(settings, batch, out_dir, save, as_json)
            return
        assert proposal is not None
        text = read_proposal(proposal, settings.max_document_mb)
        with open_kb(settings) as kb, open_llm(settings) as llm, progress_bar() as bar:
            err.print("Checking… (a few model calls against the confirmed strategy map; "
                      "under a minute with the local model)" if settings.alignment_verdicts ==
                      "evidence" else "Checking… (one model call per strategic element; about "
                      "a minute with the local model)")
            report = check_proposal(  # one bar: rich keys its bars by label
                text, kb, llm, lambda done, total, _step: bar(done, total, "Judging"),
                strategy=_strategy(settings), serves=serves, budget=budget,
                department=department, breaks=breaks, repeats=repeats)
        if save:
            err.print(f"Saved as {CheckStore(settings).save(report)}.")
        emit(report, as_json, lambda: out.print(report_markdown(report), markup=False,
                                                highlight=False))

    guarded(run)


def _strategy(settings: object) -> list[MapElement]:
    from assistant.core.config import Settings

    assert isinstance(settings, Settings)
    return StrategyMap(shared_database(settings), settings.workspace).elements()


def _batch(settings: object, batch: Path, out_dir: Path, save: bool, as_json: bool) -> None:
    from assistant.core.config import Settings

    assert isinstance(settings, Settings)
    if not batch.is_file():
        raise InputError(f"No file {batch}.")
    rows = read_batch(batch.read_bytes(), batch.name)
    with open_kb(settings) as kb, open_llm(settings) as llm, progress_bar() as bar:
        run_batch(rows, kb, llm, bar, strategy=_strategy(settings))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "alignment.csv").write_text(write_batch_csv(rows), encoding="utf-8")
    picture = matrix_png(rows, out_dir / "alignment-matrix.png")
    if save:
        for row in rows:
            if row.report:
                CheckStore(settings).save(row.report)
    summary = [{"id": r.id, "title": r.title, "verdict": r.report.verdict if r.report
                else "error", "score": r.report.score if r.report else None,
                "error": r.error} for r in rows]

    def human() -> None:
        for s in summary:
            out.print(f"{escape(str(s['id'])):>6}  {s['verdict']:<25} {s['score'] or '':>3}  "
                      f"{escape(str(s['title']))} {escape(str(s['error']))}", highlight=False)
        out.print(f"Wrote {escape(str(out_dir / 'alignment.csv'))} and {escape(str(picture))}.")

    emit({"rows": summary, "csv": str(out_dir / "alignment.csv"), "matrix": str(picture)},
         as_json, human)
    if all(r.error for r in rows):
        raise typer.Exit(1)


@app.command("alignment-index")
def alignment_index_command(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """How much of the workspace's saved goals and checked initiatives trace to a pillar."""

    def run() -> None:
        settings = _settings(ctx)
        with open_kb(settings) as kb:
            result = alignment_index(settings, kb)

        def human() -> None:
            value = "n/a (nothing saved yet)" if result.index is None else f"{result.index:.0%}"
            out.print(f"[bold]Alignment index: {value}[/bold] ({result.traced} of "
                      f"{result.total} items trace to a pillar)")
            out.print(escape(result.formula))
            for pillar, n in result.per_pillar.items():
                out.print(f"  {n:>3}  {escape(pillar)}")
            out.print("Perspectives: " + ", ".join(f"{k} {v}" for k, v in
                                                   result.perspectives.items()))
            if result.missing_perspectives:
                out.print("[yellow]No goal or initiative for:[/yellow] "
                          + ", ".join(result.missing_perspectives))
            for item in result.unmapped:
                out.print(f"[yellow]unmapped[/yellow] {escape(item)}")

        emit(result, as_json, human)

    guarded(run)
