"""Concurrent UI sessions: error rate, p50/p95 latency, state bleed, and "busy" past capacity.

Run `python benchmarks/bench_load.py --help`. The harness lives in
`tests/support/load.py`, which the tests import too.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # as a file or with -m
from tests.support.load import main

if __name__ == "__main__":
    main()
