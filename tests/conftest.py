"""Test isolation: no network beyond loopback, no real model unless marked, state in tmp_path."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.local_model import ensure_model

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "knowledge"
SHARED = ROOT.parent / "shared"
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = str(address[0]) if isinstance(address, tuple) and address else ""
    return host in {"localhost", "::1"} or host.startswith("127.")


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise ConnectionRefusedError(f"tests may only connect to loopback, not {address!r}")
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local(address):
        raise ConnectionRefusedError(f"tests may only connect to loopback, not {address!r}")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


@pytest.fixture(scope="session", autouse=True)
def _network_guard() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("KEEL_") or key.startswith("OPENAI_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("KEEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KEEL_LLM_PROVIDER", "fake")
    monkeypatch.setenv("KEEL_CONFIG", str(tmp_path / "no-such-keel.toml"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def assembled_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The local model's GGUF, assembled once per session and deleted after it.

    Each copy is 1.1 GB: when every marked test's fresh data dir assembled its own and pytest
    kept the last three sessions' temp dirs, a CI disk ran out. Tests link this one in.
    """
    data = tmp_path_factory.mktemp("model-once")
    yield ensure_model(Settings(data_dir=data))
    shutil.rmtree(data, ignore_errors=True)


def link_model(model: Path, data_dir: Path) -> None:
    """Make `data_dir` hold `model` as if assembled there (a hard link: no space, no copy)."""
    target = Settings(data_dir=data_dir).model_dir / model.name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(model, target)
    except OSError:  # another filesystem
        target.symlink_to(model)
    stamp = model.with_name(model.name + ".sha256")
    shutil.copy(stamp, target.with_name(stamp.name))


def _design(request: pytest.FixtureRequest) -> dict[str, str]:
    """Tests marked `first_design` read the alignment check's first design (scores and
    stances); every other test gets the default (evidence) design."""
    return {"alignment_verdicts": "score"} if request.node.get_closest_marker(
        "first_design") else {}


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """Fake model, real local embeddings, embedded store under tmp_path."""
    return Settings(data_dir=tmp_path / "data", llm_provider="fake", **_design(request))


@pytest.fixture(scope="session")
def _indexed_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("sample-data")
    with KnowledgeBase(Settings(data_dir=data, workspace="sample", llm_provider="fake")) as kb:
        kb.index([SAMPLE])
    return data


@pytest.fixture
def sample_settings(_indexed_sample: Path, tmp_path: Path,
                    request: pytest.FixtureRequest) -> Settings:
    """Settings whose workspace 'sample' already holds the bundled company (a private copy)."""
    data = tmp_path / "data"
    shutil.copytree(_indexed_sample, data, dirs_exist_ok=True)
    for lock in data.rglob("keel.lock"):
        lock.unlink()
    return Settings(data_dir=data, workspace="sample", llm_provider="fake", **_design(request))


@pytest.fixture
def sample_kb(sample_settings: Settings) -> Iterator[KnowledgeBase]:
    with KnowledgeBase(sample_settings) as kb:
        yield kb


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real Chroma server (`chroma run`) on loopback, for the whole session."""
    import subprocess
    import sys
    import time

    import httpx

    chroma = Path(sys.executable).parent / "chroma"
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = (path / "server.log").open("wb")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path / "db"), "--host",
                             "127.0.0.1", "--port", str(port)], stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).is_success:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"chroma run did not start; see {path / 'server.log'}")
    yield "127.0.0.1", port
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.chroma_server)])
def store_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """The same knowledge-base tests against an embedded store and a real Chroma server."""
    if request.param == "embedded":
        return settings
    import uuid

    host, port = request.getfixturevalue("chroma_server")
    return settings.model_copy(update={"chroma_mode": "server", "chroma_host": host,
                                       "chroma_port": port,
                                       "workspace": f"t{uuid.uuid4().hex[:10]}"})


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server (Debian's package) on loopback for the session; its URL.

    Started with initdb and pg_ctl in a temporary folder (as the `postgres` user when the tests
    run as root: the server refuses root). Skips without the package, except under CI=true.
    """
    import subprocess
    import tempfile

    binaries = _postgres_bin()
    if binaries is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed (scripts/test.sh installs it)")
        pytest.skip("no PostgreSQL server binaries (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="keel-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = folder / "data"

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    run(str(binaries / "initdb"), "-D", str(data), "-U", "keel", "--auth=trust", "-E", "UTF8")
    run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
        "-o", f"-p {port} -h 127.0.0.1 -k {folder}", "start")
    try:
        yield f"postgresql+psycopg://keel@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
