"""The `keel` command: the shared app of `base` with every command module registered on it.

A new command goes in a module of this package (`@app.command()` on `base.app`) imported here.
"""

from __future__ import annotations

from assistant.cli import (  # noqa: F401  (register)
    alignment,
    checkins,
    commands,
    evals,
    goals,
    model,
    scenarios,
    strategy,
)
from assistant.cli.base import app

__all__ = ["app", "main"]


def main() -> None:
    app()


if __name__ == "__main__":
    main()
