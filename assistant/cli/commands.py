"""The `keel` commands for the knowledge base, Q&A and the model."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from langchain_core.messages import HumanMessage
from rich.markup import escape
from rich.table import Table

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
from assistant.core.config import SAMPLE_KNOWLEDGE, Settings
from assistant.core.errors import InputError, KeelError
from assistant.core.safety import shown_quote
from assistant.core.schemas import GroundedAnswer
from assistant.knowledge.qa import stream_answer


@app.command()
def index(ctx: typer.Context,
          paths: list[Path] = typer.Argument(None, help="Files or folders to index."),
          sample: bool = typer.Option(False, "--sample",
                                      help="Index the bundled sample company (Keel's own copy)."),
          as_json: bool = JsonOpt) -> None:
    """Index documents (Markdown, text, PDF, DOCX); unchanged ones are skipped."""

    def run() -> None:
        targets = [*(paths or []), *([SAMPLE_KNOWLEDGE] if sample else [])]
        if not targets:
            raise InputError("Name files or folders to index, or --sample for the bundled "
                             "sample company.")
        with open_kb(_settings(ctx)) as kb, progress_bar() as update:
            report = kb.index(targets, progress=update)

        def human() -> None:
            for label, docs in (("added", report.added), ("updated", report.updated),
                                ("unchanged", report.unchanged), ("removed", report.removed)):
                for doc in docs:
                    out.print(f"{label:>9}  {escape(doc)}")
            for doc, reason in report.failed.items():
                err.print(f"[red]   failed[/red]  {escape(doc)}: {escape(reason)}")
            out.print(f"{len(report.added)} added, {len(report.updated)} updated, "
                      f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
                      f"{len(report.failed)} failed; {report.chunks_total} chunks in "
                      f"workspace '{kb.workspace}'.")

        emit(report, as_json, human)
        if report.failed and not (report.added or report.updated or report.unchanged):
            raise typer.Exit(1)

    guarded(run)


@app.command()
def docs(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """List indexed documents with kind, chunks and last index time."""

    def run() -> None:
        with open_kb(_settings(ctx)) as kb:
            items = kb.documents()
        table = Table("document", "kind", "department", "period", "chunks", "indexed (UTC)")
        table.columns[0].overflow = "fold"
        for d in items:
            table.add_row(escape(d.doc_id), d.kind, d.department or "", d.period or "",
                          str(d.chunks), d.indexed_at)
        emit(items, as_json, lambda: out.print(table if items else "No documents indexed."))

    guarded(run)


@app.command()
def forget(ctx: typer.Context, doc: str = typer.Argument(..., help="Document id (see keel docs)"),
           as_json: bool = JsonOpt) -> None:
    """Remove one document from the workspace."""

    def run() -> None:
        with open_kb(_settings(ctx)) as kb:
            removed = kb.forget(doc)
        emit({"document": doc, "chunks_removed": removed}, as_json,
             lambda: out.print(f"Removed {escape(doc)} ({removed} chunks)."))

    guarded(run)


@app.command()
def search(ctx: typer.Context, query: str, k: int = typer.Option(5, "-k", min=1, max=50),
           kind: list[str] = typer.Option([], "--kind", help="Only these kinds."),
           as_json: bool = JsonOpt) -> None:
    """Top-k chunks for a query, with score, source and section."""

    def run() -> None:
        with open_kb(_settings(ctx)) as kb:
            hits = kb.search(query, k=k, kinds=kind or None)

        def human() -> None:
            for h in hits:
                out.print(f"[bold]{h.score:.3f}[/bold]  {escape(h.doc_id)} — {escape(h.section)}")
                out.print(f"       {escape(' '.join(h.text.split())[:240])}", highlight=False)
            if not hits:
                out.print("No results.")

        emit(hits, as_json, human)

    guarded(run)


@app.command()
def ask(ctx: typer.Context, question: str, as_json: bool = JsonOpt) -> None:
    """Answer a question from the workspace's documents, citing each claim."""

    def run() -> None:
        settings = _settings(ctx)
        with open_kb(settings) as kb, open_llm(settings) as llm:
            final: GroundedAnswer | None = None
            streamed: list[str] = []
            for piece in stream_answer(question, kb, llm):
                if isinstance(piece, GroundedAnswer):
                    final = piece
                elif not as_json:
                    streamed.append(piece)
                    out.print(escape(piece), end="", highlight=False)
        if final is None:  # pragma: no cover - stream_answer always ends with the answer
            raise InputError("No answer was produced.")
        answer = final
        emit(answer, as_json, lambda: _print_answer(answer, "".join(streamed), question))

    guarded(run)


def _print_answer(answer: GroundedAnswer, streamed: str, question: str = "") -> None:
    if streamed:
        out.print()
    if answer.answer.strip() != streamed.strip():
        label = "[bold]Checked answer:[/bold] " if streamed else ""
        out.print(label + escape(answer.answer), highlight=False)
    if answer.citations:
        out.print("[bold]Sources[/bold]")
    for n, c in enumerate(answer.citations, 1):
        quote = escape(shown_quote(c.quote, question))
        out.print(f"  [{n}] {escape(c.document)} — {escape(c.section)}\n      “{quote}”",
                  highlight=False)
    for warning in answer.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}")


@app.command()
def status(ctx: typer.Context, check: bool = typer.Option(
        False, "--check", help="Start or call the model to check it answers."),
        as_json: bool = JsonOpt) -> None:
    """Workspace, store, documents and model in use."""

    def run() -> None:
        settings = _settings(ctx)
        with open_kb(settings) as kb:
            info: dict[str, object] = {
                "workspace": settings.workspace, "data_dir": str(settings.data_dir),
                "store": kb.location, "documents": len(kb.documents()), "chunks": kb.count(),
                "embeddings": kb.embedder.model_id, "llm_provider": settings.llm_provider,
            }
        if check:
            info.update(_check_model(settings))

        def human() -> None:
            for key, value in info.items():
                out.print(f"{key:>15}: {escape(str(value))}")

        emit(info, as_json, human)
        if "model_error" in info:
            raise typer.Exit(1)

    guarded(run)


def _check_model(settings: Settings) -> dict[str, object]:
    """Start (or restart) the model and time a one-token generation; say what state it is in
    and, for the local model, which CPU features its llama.cpp build uses. An error is
    reported under `model_error` (the command then exits 1)."""
    info: dict[str, object] = {}
    if settings.llm_provider == "local":
        from assistant.llm.cpu_build import build_features

        info["llama_cpp_build"] = build_features()
    with open_llm(settings) as llm:
        start = time.perf_counter()
        try:
            reply = llm.text([HumanMessage(content="Reply with the single word: ready")],
                             max_tokens=1)
            info.update(model_reply=reply.strip()[:80],
                        smoke_seconds=round(time.perf_counter() - start, 2))
        except KeelError as exc:
            info["model_error"] = str(exc)
        info.update(llm.describe(), model_state=llm.state)
    return info


@app.command()
def ui(ctx: typer.Context, host: str = typer.Option("127.0.0.1", help="Interface to bind."),
       port: int = typer.Option(7860, help="Port."),
       index_sample: bool = typer.Option(False, "--index-sample",
                                         help="Index the bundled sample company first.")) -> None:
    """Start the web UI."""

    def run() -> None:
        from assistant.ui.webapp import launch

        launch(_settings(ctx), host=host, port=port, index_sample=index_sample)

    guarded(run)
