"""Indirect prompt injection, issue 27: the independent attack set in every hiding place.

Run `python benchmarks/bench_injection_set.py --help`. The harness lives in
`tests/support/injection_set.py`; the attacks in `evals/datasets/attacks/injection_attacks.yaml`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # as a file or with -m
from tests.support.injection_set import main

if __name__ == "__main__":
    main()
