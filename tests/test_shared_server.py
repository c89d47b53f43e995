"""One warm model server per data directory, shared by Keel processes (stand-in servers: these
tests drive the sharing paths and judge no model)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.core.config import Settings
from assistant.llm.client import LLM
from assistant.llm.model_host import start_shared
from assistant.llm.shared_server import (
    SharedServer,
    alive,
    find_shared,
    read_entry,
    stop_shared,
)

FAULT_SERVER = Path(__file__).resolve().parent / "fault_server.py"
HI = [("user", "hi")]


def _settings(tmp_path: Path, mode: str = "ok", **extra: object) -> Settings:
    command = f"{sys.executable} {FAULT_SERVER} --port {{port}} --mode {mode}"
    return Settings(data_dir=tmp_path, llm_provider="local", embeddings_provider="fake",
                    local_server_command=command, **extra)


def _ask(llm: LLM) -> str:
    from langchain_core.messages import HumanMessage

    return llm.text([HumanMessage(content="hi")])


def test_a_second_process_uses_the_published_server_instead_of_starting_one(
        tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    entry = start_shared(settings, idle_minutes=5)
    try:
        assert entry.pid != os.getpid() and read_entry(settings) == entry
        llm = LLM(settings)
        try:
            assert _ask(llm) == "OK"
            server = llm._server
            assert server is not None and server.process is None  # nothing started here
            assert server.shared == entry and "shared" in llm.state
        finally:
            llm.close()
        assert read_entry(settings) == entry  # a user does not unpublish the owner's server
        other = LLM(_settings(tmp_path, mode="badjson"))  # another model: not shared
        try:
            _ask(other)
            assert other._server is not None and other._server.process is not None
        finally:
            other.close()
    finally:
        assert stop_shared(settings) == entry
    assert read_entry(settings) is None
    assert not alive(entry.pid)


def test_a_stale_entry_is_ignored_and_removed(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = tmp_path / "run" / "model-server.json"
    path.parent.mkdir(parents=True)
    path.write_text(SharedServer(pid=dead.pid, url="http://127.0.0.1:9/v1", model="x",
                                 n_ctx=8192, started=time.time()).model_dump_json())
    assert find_shared(settings, "x") is None and not path.exists()
    llm = LLM(settings)  # starts and publishes its own
    try:
        assert _ask(llm) == "OK"
        entry = read_entry(settings)
        assert entry is not None and entry.pid == os.getpid()
    finally:
        llm.close()
    assert read_entry(settings) is None  # the owner unpublishes when it stops


def test_an_idle_dedicated_server_stops_by_itself(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    entry = start_shared(settings, idle_minutes=0.05)  # three seconds
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and read_entry(settings) is not None:
        time.sleep(0.5)
    assert read_entry(settings) is None
    # it unpublishes first, then stops its model child (up to 10 s) and exits: poll, do not race
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and alive(entry.pid):
        time.sleep(0.2)
    assert not alive(entry.pid)


def test_keel_model_start_status_stop(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    env = {"KEEL_DATA_DIR": str(tmp_path), "KEEL_LLM_PROVIDER": "local",
           "KEEL_EMBEDDINGS_PROVIDER": "fake",
           "KEEL_LOCAL_SERVER_COMMAND": str(settings.local_server_command)}
    runner = CliRunner()
    started = runner.invoke(app, ["model", "start", "--json"], env=env)
    try:
        assert started.exit_code == 0, started.output
        pid = json.loads(started.stdout)["pid"]
        status = json.loads(runner.invoke(app, ["model", "status", "--json"], env=env).stdout)
        assert status["state"] == "ready" and status["pid"] == pid
        again = json.loads(runner.invoke(app, ["model", "start", "--json"], env=env).stdout)
        assert again["pid"] == pid  # one server per data directory
    finally:
        stopped = runner.invoke(app, ["model", "stop"], env=env)
    assert stopped.exit_code == 0 and "Stopped" in stopped.output
    assert "No shared model server" in runner.invoke(app, ["model", "status"], env=env).output
    fake = runner.invoke(app, ["model", "start"], env={**env, "KEEL_LLM_PROVIDER": "fake"})
    assert fake.exit_code == 1 and "embedded local model" in fake.output
