#!/usr/bin/env bash
# Set up and run the whole test suite, as CI does: lint and types; unit tests with fakes; the
# knowledge-base tests against a real Chroma server; the marked tests that run the real local
# model; then the eval smoke suite with the local model, gated on the committed baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/ruff check assistant tests benchmarks evals ui.py
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
if [ "$#" -eq 0 ]; then
  data="$(mktemp -d)"
  trap 'rm -rf "$data"' EXIT
  KEEL_DATA_DIR="$data" .venv/bin/keel eval --suite smoke --provider local \
    --out test-artifacts/eval-smoke
fi
