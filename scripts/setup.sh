#!/usr/bin/env bash
# Create .venv and install Keel into it (editable). Usage: scripts/setup.sh [extra]
#
# llama-cpp-python is compiled here for an instruction set chosen on purpose (never AMX, never
# -march=native; see assistant/llm/cpu_build.py): KEEL_LLAMA_CMAKE_ARGS overrides it (a GPU build).
# The wheel is kept in a directory keyed by its version and CMake arguments
# (${KEEL_WHEEL_CACHE:-~/.cache/keel/llama-wheels}/<key>/), and pip's own wheel cache is not used
# for it, so a wheel built with other flags never comes back. Re-running is cheap: pip is skipped
# while pyproject.toml and the build flags are unchanged since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
py="${PYTHON:-}"
if [ -z "$py" ]; then
  if command -v python3.11 >/dev/null 2>&1; then py=python3.11; else py=python3; fi
fi
if ! "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Keel needs Python 3.11; $py is $("$py" --version 2>&1). Set PYTHON=/path/to/python3.11." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$py" -m venv .venv
pip=(.venv/bin/python -m pip install --disable-pip-version-check -q)

llama_version="$(sed -n 's/.*"llama-cpp-python\[server\]==\([0-9.]*\)".*/\1/p' pyproject.toml)"
cmake_args="$("$py" assistant/llm/cpu_build.py)"
key="$(printf '%s\n%s\n' "$llama_version" "$cmake_args" | sha256sum | cut -c1-16)"
stamp=".venv/.keel-installed${extra:+-$extra}"
want="$(cat pyproject.toml | sha256sum | cut -c1-16)-$key"
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi

wheels="${KEEL_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/keel/llama-wheels}/$key"
if ! ls "$wheels"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "Compiling llama.cpp $llama_version for this CPU (first time: ~5 min on 2 cores)" >&2
  echo "  CMAKE_ARGS=$cmake_args" >&2
  rm -rf "$wheels.partial" && mkdir -p "$wheels.partial"
  .venv/bin/python -m pip install --disable-pip-version-check -q --upgrade pip
  CMAKE_ARGS="$cmake_args" .venv/bin/python -m pip wheel --disable-pip-version-check -q \
    --no-deps --no-cache-dir --no-binary llama-cpp-python \
    -w "$wheels.partial" "llama-cpp-python==$llama_version"
  printf '%s\n' "$cmake_args" > "$wheels.partial/CMAKE_ARGS"
  rm -rf "$wheels" && mv "$wheels.partial" "$wheels"
fi
echo "Installing Keel and its dependencies into .venv (first time: a few minutes)..." >&2
# The keyed wheel first (replacing any llama-cpp-python built with other flags), then Keel.
"${pip[@]}" --force-reinstall --no-deps "$wheels"/llama_cpp_python-*.whl
"${pip[@]}" --find-links "$wheels" -e ".${extra:+[$extra]}"
printf '%s\n' "$cmake_args" > .venv/.keel-llama-cmake-args
echo "$want" > "$stamp"
