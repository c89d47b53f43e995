"""`keel model start | stop | status`: one warm local model server shared by Keel processes."""

from __future__ import annotations

import typer
from rich.markup import escape

from assistant.cli.base import JsonOpt, app, emit, guarded, out
from assistant.cli.base import settings_from as _settings
from assistant.core.errors import ConfigError
from assistant.llm.model_host import start_shared
from assistant.llm.shared_server import status, stop_shared

model_app = typer.Typer(no_args_is_help=True, help="A warm local model server that every Keel "
                        "command on this data directory uses: no model load per command.")
app.add_typer(model_app, name="model")


@model_app.command("start")
def start(ctx: typer.Context,
          idle_minutes: float = typer.Option(30.0, "--idle-minutes", min=1, max=24 * 60,
                                             help="Stop after this long without a request."),
          as_json: bool = JsonOpt) -> None:
    """Start the shared server in the background (or show the one already running)."""

    def run() -> None:
        settings = _settings(ctx)
        if settings.llm_provider != "local":
            raise ConfigError("The shared model server is for the embedded local model; "
                              f"KEEL_LLM_PROVIDER is '{settings.llm_provider}'.")
        if not settings.local_share:
            raise ConfigError("KEEL_LOCAL_SHARE is off: no Keel process would use it.")
        entry = start_shared(settings, idle_minutes)
        emit(entry, as_json, lambda: out.print(
            f"Model server ready at {escape(entry.url)} (owner process {entry.pid}); Keel "
            f"commands on this data directory use it. It stops after {idle_minutes:g} idle "
            "minutes, or with `keel model stop`."))

    guarded(run)


@model_app.command("stop")
def stop(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Stop the shared server (its owner unpublishes it and stops the model)."""

    def run() -> None:
        entry = stop_shared(_settings(ctx))
        emit({"stopped": entry.pid if entry else None}, as_json, lambda: out.print(
            f"Stopped the model server of process {entry.pid}." if entry
            else "No shared model server was running."))

    guarded(run)


@model_app.command("status")
def model_status(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """The shared server: owner, URL, model, how long it has been idle."""

    def run() -> None:
        found = status(_settings(ctx))

        def human() -> None:
            if found["state"] == "none published":
                out.print("No shared model server. `keel model start` starts one; the UI's "
                          "server is shared too while the UI runs.")
                return
            out.print(f"{found['state']}: {escape(str(found['url']))} — owner process "
                      f"{found['pid']}, model {escape(str(found['model']))}, idle "
                      f"{found['idle_for_s']:.0f} s" + (
                          f" (stops after {found['idle_s'] / 60:g} min)"
                          if found.get("idle_s") else ""))

        emit(found, as_json, human)

    guarded(run)
