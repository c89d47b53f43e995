"""Crash safety: SIGKILL indexing and re-indexing repeatedly; check everything after restart.

Run `python benchmarks/crash_cycles.py --help`. The harness lives in
`tests/support/crash_cycles.py`, which the tests import too.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # as a file or with -m
from tests.support.crash_cycles import main

if __name__ == "__main__":
    main()
