"""The dedicated owner of a shared local model server (`keel model start`).

`python -m assistant.llm.model_host IDLE_SECONDS` starts a supervised server, publishes it
(`shared_server.py`), restarts it if it dies (within the supervisor's budget), and exits —
unpublishing and stopping its child — once nobody has used it for IDLE_SECONDS, or on SIGTERM
(`keel model stop`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from assistant.core.config import Settings
from assistant.core.errors import ModelSetupError
from assistant.llm.model_server import LocalModelServer
from assistant.llm.shared_server import (
    SharedServer,
    answers,
    find_shared,
    idle_for,
    read_entry,
    unpublish,
)

__all__ = ["serve", "start_shared"]


def serve(settings: Settings, idle_s: float) -> None:
    """The dedicated owner (`python -m assistant.llm.model_host`): start the supervised
    server, publish it, restart it if it dies, exit when idle or on SIGTERM."""
    server = LocalModelServer(settings)
    stopping = {"now": False}

    def stop(*_: Any) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.start()
    server.publish(idle_s)
    try:
        while not stopping["now"] and idle_for(settings) < idle_s:
            time.sleep(1.0)
            if not server.alive and not stopping["now"]:
                server.ensure()  # supervised: restarts within the budget, else raises
                server.publish(idle_s)
    finally:
        unpublish(settings)
        server.stop()


def start_shared(settings: Settings, idle_minutes: float = 30.0) -> SharedServer:
    """The published server, or a dedicated one started in the background (waits until it
    answers)."""
    model = LocalModelServer(settings).model_id()
    if (entry := find_shared(settings, model)) is not None:
        return entry
    log = settings.data_dir / "logs" / "shared-model-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KEEL_DATA_DIR": str(settings.data_dir), "KEEL_LOCAL_SHARE": "true",
           "KEEL_LLM_PROVIDER": "local", "KEEL_LOCAL_N_CTX": str(settings.local_n_ctx)}
    for name in ("local_server_command", "local_server_args", "local_model_path",
                 "local_n_threads", "local_lazy_grammar",
                 "local_lookup_tokens"):
        value = getattr(settings, name)  # what this command was given, not only its env
        if value is not None:
            env[f"KEEL_{name.upper()}"] = str(value)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant.llm.model_host", str(idle_minutes * 60)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            start_new_session=True)  # it outlives this command
    deadline = time.monotonic() + settings.local_start_timeout_s + 30
    while time.monotonic() < deadline:
        entry = read_entry(settings)
        if entry is not None and entry.pid == process.pid and answers(entry.url):
            return entry
        if process.poll() is not None:
            raise ModelSetupError(f"The shared model server stopped while starting "
                                  f"(exit code {process.returncode}); see {log}.")
        time.sleep(0.5)
    process.terminate()
    raise ModelSetupError(f"The shared model server did not answer in time; see {log}.")




if __name__ == "__main__":
    serve(Settings(), float(sys.argv[1]))
