"""Chroma clients: an embedded store guarded by a file lock, or a Chroma server.

Chroma's embedded `PersistentClient` is single-process: a second process on the same
directory can hang for many minutes on SQLite's busy timeout (chroma-core/chroma#7040).
Keel therefore takes an exclusive lock file next to the store before opening it and holds
it for the life of the client; a second process gets `StoreLockedError` within
`store_lock_timeout_s`. For several processes or machines, use Chroma's own server
(`chroma run`) with `KEEL_CHROMA_MODE=server`.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import portalocker

from assistant.core.config import Settings
from assistant.core.errors import KnowledgeError, StoreLockedError

__all__ = ["StoreHandle", "open_store"]

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


class StoreHandle:
    """A Chroma client plus the lock that makes it ours."""

    def __init__(self, client: Any, lock: portalocker.Lock | None, location: str) -> None:
        self.client = client
        self.location = location
        self._lock = lock

    def close(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(Exception):
                self._lock.release()
            self._lock = None


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def _lock_store(path: Path, timeout: float) -> portalocker.Lock:
    path.mkdir(parents=True, exist_ok=True)
    lock_file = path / "keel.lock"
    lock = portalocker.Lock(
        str(lock_file), mode="a", timeout=timeout, check_interval=0.2,
        flags=portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING,
    )
    try:
        handle = lock.acquire()
    except (portalocker.LockException, portalocker.AlreadyLocked) as exc:
        owner = lock_file.read_text(errors="replace").strip() or "another process"
        raise StoreLockedError(
            f"The knowledge store {path} is in use by {owner}. Stop that process, or run "
            "Chroma as a server (KEEL_CHROMA_MODE=server) to share one store."
        ) from exc
    handle.seek(0)
    handle.truncate()
    handle.write(f"Keel process {os.getpid()}")
    handle.flush()
    return lock


def open_store(settings: Settings) -> StoreHandle:
    """Open the workspace's store as the settings say (embedded path or server)."""
    import chromadb

    if settings.chroma_mode == "server":
        headers = {}
        if settings.chroma_token is not None:
            headers["Authorization"] = f"Bearer {settings.chroma_token.get_secret_value()}"
        where = f"{settings.chroma_host}:{settings.chroma_port}"
        try:
            client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, ssl=settings.chroma_ssl,
                headers=headers, settings=_chroma_settings(),
            )
            client.heartbeat()
        except Exception as exc:
            raise KnowledgeError(
                f"Chroma server at {where} is not reachable ({type(exc).__name__}). Start one "
                f"with: chroma run --path DIR --host {settings.chroma_host} "
                f"--port {settings.chroma_port}"
            ) from exc
        return StoreHandle(client, None, f"chroma server {where}")
    path = settings.workspace_dir / "chroma"
    lock = _lock_store(path, settings.store_lock_timeout_s)
    try:
        client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:
        lock.release()
        raise KnowledgeError(f"Cannot open the knowledge store at {path}: {exc}") from exc
    return StoreHandle(client, lock, str(path))
