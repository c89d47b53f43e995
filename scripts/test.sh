#!/usr/bin/env bash
# Set up and run the whole test suite, as CI does: lint and types; unit tests with fakes; the
# marked tests (the real local model, a real Chroma server, a real PostgreSQL server, the wheel
# in a fresh environment, a real browser); then the eval smoke suite with the local model,
# gated on the committed baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
# The browser tests drive the system's Chromium (no browser download) and the database tests a
# PostgreSQL server they start themselves. Install the Debian packages when they are missing
# and we may (root or password-less sudo); otherwise those tests skip with the reason (in CI,
# CI=true, they fail instead).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n";
  else sudo="skip"; fi
  if [ "$sudo" != skip ]; then
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "note: ${missing[*]} not installed and apt-get needs root; those tests will skip" >&2
  fi
fi
.venv/bin/ruff check assistant tests benchmarks evals research ui.py
.venv/bin/mypy
.venv/bin/python -m pytest -m "" "$@"
if [ "$#" -eq 0 ]; then
  data="$(mktemp -d)"
  trap 'rm -rf "$data"' EXIT
  KEEL_DATA_DIR="$data" .venv/bin/keel eval --suite smoke --provider local \
    --out test-artifacts/eval-smoke
fi
