"""Entry point of the local model server child: llama.cpp's server plus a parent watchdog.

`python -m assistant.model_process PARENT_PID <llama_cpp.server arguments>`. The watchdog
exits the child as soon as its parent process is gone, even after SIGKILL. (Linux's
PR_SET_PDEATHSIG is not enough: it fires when the *thread* that started the child exits, and
the UI starts the model from a short-lived warm-up thread.)
"""

from __future__ import annotations

import os
import sys
import threading
import time


def _watch(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(1.0)


def main() -> None:
    parent = int(sys.argv[1])
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    sys.argv = ["llama_cpp.server", *sys.argv[2:]]
    import runpy

    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
