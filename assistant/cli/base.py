"""`keel` command line: a thin edge over the use cases.

Every result-printing command takes `--json` and then prints exactly one JSON document on
stdout; progress and logs go to stderr. A `KeelError` becomes one line on stderr and exit
code 1; bad usage exits 2 (typer's convention).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from assistant.core.config import Settings
from assistant.core.errors import ConfigError, KeelError
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Keel: turn your strategy into goals people can act on.")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")
JsonOpt = typer.Option(False, "--json", help="Print one JSON document on stdout.")


@app.callback()
def _global(
    ctx: typer.Context,
    workspace: str | None = typer.Option(None, "--workspace", "-w", envvar="KEEL_WORKSPACE",
                                         help="Workspace to use (default: 'default')."),
    data_dir: Path | None = typer.Option(None, "--data-dir", envvar="KEEL_DATA_DIR",
                                         help="Where Keel keeps its state."),
) -> None:
    ctx.obj = {k: v for k, v in {"workspace": workspace, "data_dir": data_dir}.items() if v}


def settings_from(ctx: typer.Context) -> Settings:
    try:
        return Settings(**(ctx.obj or {}))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"Invalid setting {field}: {first['msg']}") from exc


def guarded(fn: Callable[[], T]) -> T:
    """Run a command body; a KeelError becomes one line on stderr and exit code 1."""
    try:
        return fn()
    except KeelError as exc:
        err.print(f"[red]Error:[/red] {type(exc).__name__}: {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("Interrupted.")
        raise typer.Exit(130) from None


@contextmanager
def progress_bar() -> Iterator[Callable[[int, int, str], None]]:
    """A progress callback drawing on stderr."""
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(done: int, total: int, label: str) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total or None)
            bar.update(tasks[label], completed=done, total=total or None)

        yield update


def emit(data: BaseModel | list[Any] | dict[str, Any], as_json: bool,
         human: Callable[[], None]) -> None:
    if as_json:
        if isinstance(data, BaseModel):
            sys.stdout.write(data.model_dump_json(indent=2) + "\n")
        else:
            payload = [d.model_dump() if isinstance(d, BaseModel) else d for d in data] \
                if isinstance(data, list) else data
            sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
    else:
        human()


@contextmanager
def open_kb(settings: Settings) -> Iterator[KnowledgeBase]:
    kb = KnowledgeBase(settings)
    try:
        yield kb
    finally:
        kb.close()


@contextmanager
def open_llm(settings: Settings) -> Iterator[LLM]:
    with progress_bar() as update:
        llm = LLM(settings, progress=update)
        try:
            _ = llm.chat  # start the local server (with progress) before streaming output
        except BaseException:
            llm.close()
            raise
    try:
        yield llm
    finally:
        llm.close()



def print_stale(rows: list[tuple[str, str, str]], none: str) -> None:
    """(what, cited quote, the passage now) per changed source; `none` when there are none."""
    for what, quote, now in rows:
        out.print(f"[yellow]source changed[/yellow] {escape(what)}\n    cited: “{escape(quote)}”"
                  f"\n    now:   {escape(' '.join(now.split())[:300]) or '(passage gone)'}",
                  highlight=False)
    if not rows:
        out.print(none)
