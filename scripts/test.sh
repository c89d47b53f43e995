#!/usr/bin/env bash
# Set up and run the whole test suite, as CI does: unit tests with fakes, the knowledge-base
# tests against a real Chroma server, and the marked tests that run the real local model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/ruff check assistant tests benchmarks evals ui.py
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
