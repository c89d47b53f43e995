"""The embedded model's server: llama.cpp's OpenAI server as a supervised child process.

The child is llama-cpp-python's OpenAI-compatible server (`model_process`) on 127.0.0.1 and a
free port; it dies with us. Supervision, so one crash does not leave a dead assistant:

* `ensure()` runs before every request. A child that exited (a crash, the OOM killer, someone's
  `kill`) is started again, at most `local_max_restarts` times within `local_restart_window_s`,
  after a short back-off; the state says so ("restarting: killed by SIGSEGV …", then "ready
  (restarted …)").
* A request that failed is reported with the reason the child died (its exit signal and the last
  line of its log), not a bare connection error. A request that timed out while the child no
  longer answers its health route marks it hung: it is killed and restarted like a crash.
* Past the restart budget the server is *stopped*: every request fails at once with one readable
  message naming the cause, the log file and what to do, until `reset()` (`keel status --check`,
  the UI's "check the model" button) tries again.

`state` is what the status line and `keel status` print: not started, starting, ready,
stopped (restarts on the next request), restarting, failed.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from assistant.core.config import LOCAL_MODEL_ALIAS, Settings
from assistant.core.errors import ModelError, ModelSetupError
from assistant.llm.local_model import Progress, ensure_model
from assistant.llm.shared_server import (
    SharedServer,
    alive,
    find_shared,
    publish,
    read_entry,
    touch,
    unpublish,
)

__all__ = ["Command", "LocalModelServer", "exit_reason"]

Command = Callable[[int], list[str]]  # port -> the child's argv
BACKOFF_S = 1.0
_HINTS = {
    signal.SIGSEGV: "a crash inside llama.cpp; if it happens on every prompt, the build may use "
                    "CPU instructions this machine cannot run: re-run scripts/setup.sh",
    signal.SIGILL: "an instruction this CPU does not have: re-run scripts/setup.sh on this "
                   "machine to rebuild llama.cpp for it",
    signal.SIGKILL: "killed from outside, often by the system when memory runs out",
    signal.SIGBUS: "a crash inside llama.cpp (a damaged or truncated model file?)",
}

_REAP_S = 2.0  # how long a lost connection waits for a dying child to be reaped


def exit_reason(returncode: int | None) -> str:
    """'killed by SIGSEGV (a crash inside llama.cpp …)' or 'exited with code 1'."""
    if returncode is None:
        return "still running"
    if returncode < 0:
        try:
            sig = signal.Signals(-returncode)
        except ValueError:
            return f"killed by signal {-returncode}"
        hint = _HINTS.get(sig)
        return f"killed by {sig.name}" + (f" ({hint})" if hint else "")
    return f"exited with code {returncode}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalModelServer:
    """The supervised child server; `command` replaces llama.cpp's (tests use a fake server)."""

    def __init__(self, settings: Settings, command: Command | None = None) -> None:
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None
        self.base_url: str | None = None
        self.log_path = settings.data_dir / "logs" / "llama-server.log"
        self._command = command
        self._lock = threading.RLock()
        self._restarts: list[float] = []
        self._given_up: str | None = None
        self._hung = False
        self._state = "not started"
        self.shared: SharedServer | None = None  # another process's server this one uses
        self.events: list[str] = []  # what happened, oldest first ("12:03:04 killed by …")

    # --- state -------------------------------------------------------------------------
    @property
    def state(self) -> str:
        """What the status line shows; notices a child that died since the last request."""
        if (self._given_up is None and self._state.startswith("ready") and not self.alive
                and self.shared is None):
            return f"stopped: {self._why()}; it restarts on the next request"
        return self._state

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _why(self) -> str:
        if self._hung:
            return "no answer to a health check after a request timed out"
        return exit_reason(self.process.poll() if self.process else None)

    def _event(self, text: str) -> None:
        self.events.append(f"{time.strftime('%H:%M:%S')} {text}")
        del self.events[:-20]

    # --- life cycle ----------------------------------------------------------------------
    def ensure(self, progress: Progress | None = None) -> str:
        """The /v1 base URL of a running server: started, or restarted within the budget."""
        with self._lock:
            if self._given_up is not None:
                raise ModelError(self._given_up)
            if self.alive and self.base_url:
                return self.base_url
            if self.process is None:
                if (url := self._use_shared()) is not None:
                    return url
                return self.start(progress)
            return self._restart(progress)

    def model_id(self) -> str:
        """What this server would serve: shared servers are used only when it matches."""
        if self._command is not None:
            return " ".join(self._command(0))
        if self.settings.local_server_command:
            return self.settings.local_server_command
        return str(self.settings.local_model_path or f"bundled:{LOCAL_MODEL_ALIAS}")

    def _use_shared(self) -> str | None:
        """Another process's published server (`shared_server.py`), checked cheaply while in
        use (its owner alive) and fully (it answers) when first found."""
        if self.shared is not None and read_entry(self.settings) == self.shared and \
                alive(self.shared.pid):
            touch(self.settings)
            return self.shared.url
        self.shared = find_shared(self.settings, self.model_id())
        if self.shared is None:
            return None
        touch(self.settings)
        self.base_url = self.shared.url
        self._state = f"ready (shared: the server of process {self.shared.pid})"
        self._event(f"using the shared server of process {self.shared.pid}")
        return self.shared.url

    def publish(self, idle_s: float | None = None) -> None:
        """Offer this server to other Keel processes on the same data directory."""
        if self.alive and self.base_url:
            publish(self.settings, self.base_url, self.model_id(), idle_s)

    def _restart(self, progress: Progress | None) -> str:
        why, tail = self._why(), self.log_tail()
        self._event(f"stopped: {why}")
        now = time.monotonic()
        window = self.settings.local_restart_window_s
        self._restarts = [t for t in self._restarts if now - t < window]
        self.process, self._hung = None, False
        if len(self._restarts) >= self.settings.local_max_restarts:
            self._given_up = (
                f"The local model server stopped again ({why}), and Keel stopped restarting it "
                f"({len(self._restarts)} restart(s) in the last {window / 60:.0f} minutes). "
                + (f"Its last log line: “{tail}”. " if tail else "")
                + f"Log: {self.log_path}. Check the model in the Status tab or with "
                "`keel status --check` to try again; or set KEEL_LLM_PROVIDER=openai.")
            self._state = f"failed: {why}"
            raise ModelError(self._given_up)
        self._restarts.append(now)
        self._state = f"restarting: {why}"
        time.sleep(BACKOFF_S * len(self._restarts))
        url = self.start(progress)
        self._state = f"ready (restarted at {time.strftime('%H:%M:%S')} after: {why})"
        self._event("restarted")
        return url

    def reset(self) -> None:
        """Forget the restart budget and a given-up state (an explicit "check the model")."""
        with self._lock:
            self._given_up, self._restarts = None, []
            if self.process is not None and not self.alive:
                self.process = None
            if not self.alive:
                self._state = "not started"

    def start(self, progress: Progress | None = None) -> str:
        """Start the child and wait until it answers; returns its /v1 base URL."""
        with self._lock:
            if self.alive and self.base_url:
                return self.base_url
            self._state = "starting"
            port = _free_port()
            cmd = self._command(port) if self._command else self._configured(port, progress)
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            atexit.register(self.stop)
            try:
                self._wait_ready(f"http://127.0.0.1:{port}", progress)
            except ModelSetupError as exc:
                self._state = f"failed: {exc}"
                raise
            self.base_url = f"http://127.0.0.1:{port}/v1"
            self._state = "ready"
            self.shared = None
            self.publish()
            return self.base_url

    def _configured(self, port: int, progress: Progress | None) -> list[str]:
        """KEEL_LOCAL_SERVER_COMMAND ("{port}" filled in), else llama.cpp's server."""
        if self.settings.local_server_command:
            return [a.replace("{port}", str(port))
                    for a in shlex.split(self.settings.local_server_command)]
        return self._llama_command(port, progress)

    def _llama_command(self, port: int, progress: Progress | None) -> list[str]:
        model = ensure_model(self.settings, progress)
        threads = self.settings.local_n_threads or os.cpu_count() or 2
        return [sys.executable, "-m", "assistant.llm.model_process", str(os.getpid()),
                "--keel_lazy_grammar", str(self.settings.local_lazy_grammar),
                "--keel_lookup_tokens", str(self.settings.local_lookup_tokens),
                "--model", str(model),
                "--model_alias", LOCAL_MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port),
                "--n_threads", str(threads), "--n_ctx", str(self.settings.local_n_ctx),
                # llama-cpp-python's default cuts a streaming answer short ("[DONE]" without a
                # finish reason) as soon as another request waits: one user's draft would end
                # half-way when a second user asked something. Requests queue instead.
                "--interrupt_requests", "False",
                # llama-cpp-python's server defaults to logits_all=True: the logits of every
                # prompt position are computed and kept (151,936 floats, 0.6 MB, per token), so
                # one 2,600-token prompt took the server from 2.1 to 4.3 GB and prompt
                # processing ~20% longer. Keel reads only the last position (its /keel/choice
                # route included). Without mmap the model's repacked weights are not held twice
                # (the mapped file and the repacked copy): peak 1.6 GB instead of 2.2 GB, start
                # +0.3 s (docs/measurements.md, "Speed and memory").
                "--logits_all", "False", "--use_mmap", "False",
                *shlex.split(self.settings.local_server_args or "")]

    def _wait_ready(self, url: str, progress: Progress | None) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.settings.local_start_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ModelSetupError(
                    f"The local model server {exit_reason(self.process.returncode)} while "
                    f"starting: {self.log_tail()} See {self.log_path}; or set "
                    "KEEL_LLM_PROVIDER=openai.")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/v1/models", timeout=2).status_code == 200:
                    return
            if progress:
                progress(0, 0, "starting the local model server")
            time.sleep(0.3)
        self.stop()
        raise ModelSetupError(
            "The local model server did not answer within "
            f"{self.settings.local_start_timeout_s:.0f} s. See {self.log_path}; raise "
            "KEEL_LOCAL_START_TIMEOUT_S on a slow machine.")

    # --- failures ------------------------------------------------------------------------
    def explain_failure(self, exc: BaseException) -> str | None:
        """After a failed request: why, if the child is dead or hung (then it is restarted on
        the next request); None when the child is fine and the error is the request's own."""
        with self._lock:
            if self.process is None:
                self.shared = None  # a shared server failed: look again on the next request
                return None
            if self.alive and _timed_out(exc) and not self._answers():
                self._hung = True
                self.process.kill()
                self.process.wait(timeout=10)
            if self.alive and _connection_lost(exc):
                # a dying child's sockets close before it can be reaped: a connection error
                # can arrive while it still looks alive (seen on a loaded two-core machine)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=_REAP_S)
            if self.alive:
                return None
            tail = self.log_tail()
            return (f"The local model server stopped during this request ({self._why()})"
                    + (f" (last log line: “{tail}”)" if tail else "")
                    + f". Keel restarts it on the next request; log: {self.log_path}.")

    def _answers(self) -> bool:
        if not self.base_url:
            return False
        try:
            return httpx.get(f"{self.base_url}/models", timeout=10).status_code == 200
        except httpx.HTTPError:
            return False

    def log_tail(self) -> str:
        try:
            lines = Path(self.log_path).read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1][:300] if lines else ""

    def stop(self) -> None:
        with self._lock:
            proc, self.process = self.process, None
            self.shared = None
            if proc is not None:
                unpublish(self.settings)
            if self._given_up is None:
                self._state = "not started"
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _connection_lost(exc: BaseException) -> bool:
    name = type(exc).__name__.lower()
    return not _timed_out(exc) and ("connection" in name or "connection" in str(exc).lower())


def _timed_out(exc: BaseException) -> bool:
    name = type(exc).__name__.lower()
    return "timeout" in name or "timed out" in str(exc).lower()
