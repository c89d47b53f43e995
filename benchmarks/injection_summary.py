"""One table of attack success per BIPIA category and task, over several injection runs.

Run `python benchmarks/injection_summary.py --help`. The harness lives in
`tests/support/injection_summary.py`, which the tests import too.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # as a file or with -m
from tests.support.injection_summary import main

if __name__ == "__main__":
    main()
