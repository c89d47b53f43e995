"""Indirect prompt injection: BIPIA's 75 attacks planted in an indexed document.

Superseded as the headline figure (issue 27): its request templates ("… in your answer") were
what the old detector matched, so it measured its own wording. The independent attack set is
`benchmarks/bench_injection_set.py`; this one stays as a regression run.

Run `python benchmarks/bench_injection.py --help`. The harness lives in
`tests/support/injection.py`, which the tests import too.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # as a file or with -m
from tests.support.injection import main

if __name__ == "__main__":
    main()
