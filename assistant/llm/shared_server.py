"""One warm local model server per data directory, shared by every Keel process.

Every CLI command used to start its own llama.cpp server: load the model, then a cold prompt
cache — the whole cost again for each of twenty `keel check` calls in a script. Now the first
Keel process that starts a server *publishes* it in `<data_dir>/run/model-server.json`
(owner pid, URL, model, context size), and a later process whose settings ask for the same model
uses that server instead of starting its own, as long as the owner is alive and the server
answers. `keel model start` runs a dedicated owner in the background (`model_host.py`) that
keeps the server warm until it has been idle for `--idle-minutes` (default 30), restarting a
crashed child like any supervised server; `keel model stop` ends it; `keel model status` shows
it.

Rules that keep this safe:
- A published entry is used only if its owner process is alive, its model and context size are
  the ones this process would load, and `GET /v1/models` answers within two seconds; anything
  else is stale and ignored (and removed when its owner is gone).
- The entry is written and removed atomically under a lock file, so two processes starting at
  once publish one server; the loser uses the winner's when it answers, or keeps its own.
- A process using a shared server does not supervise it: if the server dies mid-request, that
  request fails with the endpoint error, and the next request starts (and publishes) its own.
- `KEEL_LOCAL_SHARE=false` turns sharing off (a process then neither uses nor publishes).
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import portalocker
from pydantic import BaseModel

from assistant.core.config import Settings
from assistant.core.files import write_atomic

__all__ = ["SharedServer", "alive", "find_shared", "idle_for", "publish", "read_entry", "status",
           "stop_shared", "touch", "unpublish"]


class SharedServer(BaseModel):
    pid: int  # the owner: the process whose supervised child the server is
    url: str  # the /v1 base URL
    model: str  # what it serves (the GGUF path, or the configured command)
    n_ctx: int
    started: float
    idle_s: float | None = None  # a dedicated owner (`keel model start`) exits when idle


def _paths(settings: Settings) -> tuple[Path, Path, Path]:
    run = settings.data_dir / "run"
    return run / "model-server.json", run / "model-server.lock", run / "model-server.used"


def alive(pid: int) -> bool:
    """The process runs (a zombie, exited but not yet reaped by its parent, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust the signal check
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/models", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def read_entry(settings: Settings) -> SharedServer | None:
    path = _paths(settings)[0]
    try:
        return SharedServer.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def find_shared(settings: Settings, model: str) -> SharedServer | None:
    """A published server this process may use (see the module docstring), or None."""
    if not settings.local_share:
        return None
    entry = read_entry(settings)
    if entry is None or entry.pid == os.getpid():
        return None
    if not alive(entry.pid):
        unpublish(settings, entry.pid)
        return None
    if entry.model != model or entry.n_ctx != settings.local_n_ctx:
        return None
    return entry if answers(entry.url) else None


def publish(settings: Settings, url: str, model: str, idle_s: float | None = None) -> bool:
    """Publish this process's server unless a live, answering one is published already."""
    if not settings.local_share:
        return False
    path, lock, _ = _paths(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with portalocker.Lock(str(lock), timeout=5):
        current = read_entry(settings)
        if (current is not None and current.pid != os.getpid() and alive(current.pid)
                and answers(current.url)):
            return False
        entry = SharedServer(pid=os.getpid(), url=url, model=model, n_ctx=settings.local_n_ctx,
                             started=time.time(), idle_s=idle_s)
        write_atomic(path, entry.model_dump_json(indent=2))
    touch(settings)
    return True


def unpublish(settings: Settings, pid: int | None = None) -> None:
    """Remove the entry if it is `pid`'s (default: this process's)."""
    path, lock, _ = _paths(settings)
    if not path.exists():
        return
    with portalocker.Lock(str(lock), timeout=5):
        current = read_entry(settings)
        if current is not None and current.pid == (pid or os.getpid()):
            path.unlink(missing_ok=True)


def touch(settings: Settings) -> None:
    """Mark the shared server used now (a dedicated owner's idle clock starts again)."""
    used = _paths(settings)[2]
    used.parent.mkdir(parents=True, exist_ok=True)
    used.touch()


def idle_for(settings: Settings) -> float:
    try:
        return time.time() - _paths(settings)[2].stat().st_mtime
    except OSError:
        return 0.0


def stop_shared(settings: Settings) -> SharedServer | None:
    """Stop the published server's owner (SIGTERM; it unpublishes and stops its child)."""
    entry = read_entry(settings)
    if entry is None:
        return None
    if alive(entry.pid):
        os.kill(entry.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and alive(entry.pid):
            time.sleep(0.2)
    unpublish(settings, entry.pid)
    return entry


def status(settings: Settings) -> dict[str, Any]:
    entry = read_entry(settings)
    if entry is None:
        return {"state": "none published"}
    running, answering = alive(entry.pid), answers(entry.url)
    return {"state": "ready" if running and answering else "stale", **json.loads(
        entry.model_dump_json()), "owner_alive": running, "answers": answering,
        "idle_for_s": round(idle_for(settings), 1)}
