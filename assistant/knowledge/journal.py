"""The index journal: what an index run is writing, on disk only while the run is unfinished.

Written (atomically) before the first write to the store and removed when the run has finished;
finding one on the next open means the last run was interrupted (see `integrity`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from assistant.core.files import write_atomic

__all__ = ["Journal"]


class Journal:
    """What an index run is writing; present on disk only while the run is unfinished."""

    def __init__(self, workspace_dir: Path) -> None:
        self.path = workspace_dir / "index-journal.json"

    def begin(self, paths: Iterable[Path]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps({
            "paths": [str(Path(p).resolve()) for p in paths],
            "started": datetime.now(UTC).isoformat(timespec="seconds")}))

    def end(self) -> None:
        self.path.unlink(missing_ok=True)

    def pending(self) -> list[Path] | None:
        """The paths of an interrupted run, or None; an unreadable journal means 'none known'."""
        if not self.path.is_file():
            return None
        try:
            return [Path(p) for p in json.loads(self.path.read_text())["paths"]]
        except (OSError, ValueError, KeyError, TypeError):
            return []
