#!/usr/bin/env bash
# Set up, index the bundled sample company and open the UI on the embedded local model.
# Extra arguments go to `keel ui` (e.g. --port 8000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "Starting Keel on the sample company: http://127.0.0.1:${KEEL_PORT:-7860}" >&2
exec .venv/bin/keel --workspace sample ui --index-sample --port "${KEEL_PORT:-7860}" "$@"
