"""Which instruction sets the bundled llama.cpp is compiled for: chosen on purpose, never AMX.

llama.cpp's default build is `-march=native` (GGML_NATIVE=ON): it compiles for whatever the
build host reports. On CPUs that report AMX (Sapphire Rapids and newer Xeons) that turns on the
AMX matrix kernels, and where the tile state is not usable (many VMs) the first prompt dies with
a general protection fault at `ldtilecfg` (llama.cpp issue #20824). So `scripts/setup.sh` builds
llama-cpp-python with an explicit list instead, read from this CPU at setup time:

* SSE4.2, AVX, AVX2, FMA, F16C, BMI2, AVX-VNNI: each on where the CPU reports it;
* AVX-512 (F, CD, VL, DQ, BW together) and its VBMI/VNNI/BF16 extensions only where present;
* AMX: always off; GGML_NATIVE: always off.

`KEEL_LLAMA_CMAKE_ARGS` replaces the whole list (e.g. `-DGGML_CUDA=ON` for a GPU build).
The arguments are part of the install stamp and key the wheel directory, so another CPU or other
flags rebuild instead of reusing a wheel built for different flags.

This module uses only the standard library: `setup.sh` runs it by path before Keel is installed
(`python assistant/llm/cpu_build.py` prints the CMake arguments).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

__all__ = ["AVX512_BASE", "build_features", "cmake_args", "cpu_flags", "main"]

# /proc/cpuinfo flag -> llama.cpp CMake option, in the order llama.cpp lists them.
SIMPLE = {
    "sse4_2": "GGML_SSE42",
    "avx": "GGML_AVX",
    "avx2": "GGML_AVX2",
    "bmi2": "GGML_BMI2",
    "fma": "GGML_FMA",
    "f16c": "GGML_F16C",
    "avx_vnni": "GGML_AVX_VNNI",
}
# GGML_AVX512 compiles with -mavx512f -mavx512cd -mavx512vl -mavx512dq -mavx512bw: all needed.
AVX512_BASE = ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw")
AVX512_EXTRA = {
    "avx512_vbmi": "GGML_AVX512_VBMI",
    "avx512vbmi": "GGML_AVX512_VBMI",
    "avx512_vnni": "GGML_AVX512_VNNI",
    "avx512_bf16": "GGML_AVX512_BF16",
}
NEVER = ("GGML_NATIVE", "GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16")


def cpu_flags(cpuinfo: str) -> set[str]:
    """The feature flags of the first processor listed in a /proc/cpuinfo text."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return set(value.split())
    return set()


def cmake_args(flags: Iterable[str]) -> str:
    """CMake arguments for llama.cpp given the CPU's flags: explicit ON/OFF for each option."""
    have = set(flags)
    options: dict[str, bool] = {name: False for name in NEVER}
    for flag, option in SIMPLE.items():
        options[option] = flag in have
    avx512 = all(flag in have for flag in AVX512_BASE)
    options["GGML_AVX512"] = avx512
    for flag, option in AVX512_EXTRA.items():
        options[option] = options.get(option, False) or (avx512 and flag in have)
    return " ".join(f"-D{name}={'ON' if on else 'OFF'}" for name, on in options.items())


def main(argv: list[str] | None = None) -> int:
    """Print the CMake arguments for this machine (or KEEL_LLAMA_CMAKE_ARGS when set)."""
    override = os.environ.get("KEEL_LLAMA_CMAKE_ARGS", "").strip()
    if override:
        print(override)
        return 0
    args = argv if argv is not None else sys.argv[1:]
    source = Path(args[0]) if args else Path("/proc/cpuinfo")
    try:
        text = source.read_text(errors="replace")
    except OSError:
        text = ""  # not Linux: no x86 extensions assumed, a portable baseline build
    print(cmake_args(cpu_flags(text)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def build_features() -> str:
    """The CPU features the installed llama.cpp was compiled for (its own report), or why not.

    llama.cpp prints e.g. "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | … | AMX_INT8 = 0 |"; only the
    features that are on are kept. A build with AMX on is named as the crash risk it is.
    """
    try:
        import llama_cpp
    except ImportError as exc:
        return f"llama-cpp-python is not installed ({exc})"
    raw = llama_cpp.llama_print_system_info()
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
    on = [part.split("=")[0].strip() for part in text.replace("CPU :", "|").split("|")
          if part.strip().endswith("= 1")]
    summary = " ".join(on) or text.strip()[:200]
    if any(name.startswith("AMX") for name in on):
        summary += (" — WARNING: built with AMX, which crashes in VMs without usable tile "
                    "state; re-run scripts/setup.sh")
    return summary
