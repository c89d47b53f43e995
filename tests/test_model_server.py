"""The supervised model server: a crashed or hung child is restarted once, then fails fast.

These tests use a stand-in child (`tests/fault_server.py` run as a program: an OpenAI-compatible
server that answers "OK"); it drives the supervisor's code paths and judges nothing. The same
cycle with the real llama.cpp child is in `test_local_model.py` (marked `local_model`).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from assistant.core.config import Settings
from assistant.core.errors import ModelError
from assistant.llm.client import LLM
from assistant.llm.cpu_build import AVX512_BASE, cmake_args, cpu_flags
from assistant.llm.model_process import _keel_options
from assistant.llm.model_server import LocalModelServer, exit_reason
from assistant.ui.chat import chat_turn
from assistant.ui.services import Services
from assistant.ui.webapp import status_markdown

from .conftest import SAMPLE

FAULT_SERVER = Path(__file__).with_name("fault_server.py")
HI = [HumanMessage(content="Say hi.")]


def stand_in(mode: str = "ok"):
    return lambda port: [sys.executable, str(FAULT_SERVER), "--port", str(port), "--mode", mode]


def supervised(tmp_path: Path, mode: str = "ok", **overrides: object) -> LLM:
    settings = Settings(data_dir=tmp_path, llm_provider="local", embeddings_provider="fake",
                        **overrides)
    return LLM(settings, server=LocalModelServer(settings, command=stand_in(mode)))


def kill(llm: LLM, sig: signal.Signals) -> int:
    server = llm._server
    assert server is not None and server.process is not None
    pid = server.process.pid
    os.kill(pid, sig)
    server.process.wait(timeout=10)
    return pid


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV])
def test_stand_in_server_killed_restarts_once_then_fails_fast(tmp_path: Path,
                                                              sig: signal.Signals) -> None:
    llm = supervised(tmp_path)
    try:
        assert llm.text(HI) == "OK"
        first = kill(llm, sig)
        # the status line notices before anyone asks anything
        assert llm.state.startswith(f"stopped: killed by {sig.name}")
        assert "restarts on the next request" in llm.state
        assert llm.text(HI) == "OK"  # the next request restarts it and succeeds
        assert llm._server is not None and llm._server.process is not None
        assert llm._server.process.pid != first
        assert llm.state.startswith("ready (restarted") and sig.name in llm.state
        kill(llm, sig)
        start = time.monotonic()
        with pytest.raises(ModelError) as error:
            llm.text(HI)
        message = str(error.value)
        assert f"stopped again (killed by {sig.name}" in message
        assert "stopped restarting" in message
        assert "llama-server.log" in message and "keel status --check" in message
        assert time.monotonic() - start < 5  # no start attempt: fast
        assert llm.state.startswith(f"failed: killed by {sig.name}")
        with pytest.raises(ModelError, match="stopped restarting"):
            llm.text(HI)  # still fast, still the same reason
        assert llm._server.process is None
        llm.restart_model()  # an explicit check tries again
        assert llm.text(HI) == "OK"
    finally:
        llm.close()


def test_a_crash_during_a_request_names_the_signal_then_recovers(tmp_path: Path) -> None:
    llm = supervised(tmp_path, mode="hang", local_timeout_s=30)
    try:
        _ = llm.chat  # started
        server = llm._server
        assert server is not None and server.process is not None
        pid = server.process.pid

        def kill_once_the_request_arrived() -> None:  # not on a timer: a loaded CI machine
            deadline = time.monotonic() + 20  # can take more than a second to send it
            while time.monotonic() < deadline and "request 1 received" not in (
                    server.log_path.read_text(errors="replace")
                    if server.log_path.exists() else ""):
                time.sleep(0.05)
            os.kill(pid, signal.SIGSEGV)

        threading.Thread(target=kill_once_the_request_arrived, daemon=True).start()
        with pytest.raises(ModelError, match=r"stopped during this request \(killed by SIGSEGV"):
            llm.text(HI)
        assert llm.state.startswith("stopped: killed by SIGSEGV")
    finally:
        llm.close()


def test_a_hung_server_is_killed_and_restarted(tmp_path: Path) -> None:
    llm = supervised(tmp_path, local_timeout_s=2)
    try:
        assert llm.text(HI) == "OK"
        pid = llm._server.process.pid  # type: ignore[union-attr]
        os.kill(pid, signal.SIGSTOP)  # alive, but answers nothing
        with pytest.raises(ModelError, match=r"during this request \(no answer to a health check"):
            llm.text(HI)
        assert llm.text(HI) == "OK"
        assert "after: no answer to a health check" in llm.state
    finally:
        llm.close()


def test_status_line_and_chat_tell_what_happened(tmp_path: Path) -> None:
    llm = supervised(tmp_path, local_max_restarts=0)
    services = Services(llm.settings, llm=llm)
    try:
        services.kb.index([SAMPLE])
        assert llm.text(HI) == "OK"
        assert "**state** ready" in status_markdown(services)
        kill(llm, signal.SIGKILL)
        assert "stopped: killed by SIGKILL" in status_markdown(services)
        history, _, _ = list(chat_turn(services, "What will we not do?", []))[-1]
        reply = history[-1]["content"]
        assert reply.startswith("⛔ **I could not finish this.**")
        assert "killed by SIGKILL" in reply and "Status" in reply
        assert "failed: killed by SIGKILL" in status_markdown(services)
    finally:
        services.close()


def test_exit_reasons_read_like_a_diagnosis() -> None:
    assert exit_reason(-signal.SIGSEGV).startswith("killed by SIGSEGV (a crash inside llama.cpp")
    assert "memory" in exit_reason(-signal.SIGKILL)
    assert "instruction this CPU does not have" in exit_reason(-signal.SIGILL)
    assert exit_reason(1) == "exited with code 1"


CPUINFO = "processor\t: 0\nflags\t\t: {}\n\nprocessor\t: 1\nflags\t\t: {}\n"
BASE = "fpu sse sse2 sse4_2 avx avx2 fma f16c bmi2"


@pytest.mark.parametrize(("flags", "on", "off"), [
    (BASE, {"AVX", "AVX2", "FMA", "F16C", "BMI2", "SSE42"},
     {"AVX512", "AVX512_VNNI", "AVX512_BF16", "AVX_VNNI"}),
    (BASE + " " + " ".join(AVX512_BASE) + " avx512_vnni avx512_bf16 avx512vbmi avx_vnni",
     {"AVX2", "AVX512", "AVX512_VNNI", "AVX512_BF16", "AVX512_VBMI", "AVX_VNNI"}, set()),
    # AMX reported: still off; AVX-512 without BW is not enough for GGML_AVX512
    (BASE + " avx512f avx512cd avx512vl avx512dq avx512_vnni amx_tile amx_int8 amx_bf16",
     {"AVX2"}, {"AVX512", "AVX512_VNNI"}),
    ("fpu sse sse2", set(), {"AVX", "AVX2", "FMA", "F16C"}),
])
def test_build_flags_follow_the_cpu_and_never_amx(flags: str, on: set[str],
                                                  off: set[str]) -> None:
    args = cmake_args(cpu_flags(CPUINFO.format(flags, flags)))
    options = dict(part.removeprefix("-D").split("=") for part in args.split())
    for name in on:
        assert options[f"GGML_{name}"] == "ON", name
    for name in off:
        assert options[f"GGML_{name}"] == "OFF", name
    for never in ("GGML_NATIVE", "GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16"):
        assert options[never] == "OFF"
    assert "-march=native" not in args


def test_setup_script_runs_the_flag_chooser_it_names(tmp_path: Path) -> None:
    """scripts/setup.sh runs the chooser by path with the system Python, before Keel exists."""
    import re
    import subprocess

    root = Path(__file__).resolve().parent.parent
    setup = (root / "scripts" / "setup.sh").read_text()
    script = re.search(r'"\$py" (\S+\.py)\)', setup)
    assert script, "setup.sh no longer runs the CMake flag chooser"
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(CPUINFO.format(BASE + " amx_tile amx_int8", BASE))
    done = subprocess.run([sys.executable, "-I", script.group(1), str(cpuinfo)], cwd=root,
                          capture_output=True, text=True, check=True)
    assert "-DGGML_AVX2=ON" in done.stdout and "-DGGML_AMX_INT8=OFF" in done.stdout
    assert "-DGGML_NATIVE=OFF" in done.stdout


def test_extra_server_arguments_are_appended_after_keels_own(tmp_path: Path) -> None:
    model = tmp_path / "model.gguf"
    model.write_bytes(b"stand-in")  # an explicit model path is used as given
    settings = Settings(data_dir=tmp_path, llm_provider="local", local_model_path=model,
                        local_server_args="--n_batch 256 --flash_attn True")
    argv = LocalModelServer(settings)._llama_command(8123, None)
    assert argv[argv.index("--model") + 1] == str(model)
    assert argv[-4:] == ["--n_batch", "256", "--flash_attn", "True"]
    assert argv.index("--interrupt_requests") < argv.index("--n_batch")
    # the server's defaults keep every prompt position's logits (GBs) and map the model file
    # beside its repacked copy: Keel turns both off (bench_speed measures the difference)
    assert argv[argv.index("--logits_all") + 1] == "False"
    assert argv[argv.index("--use_mmap") + 1] == "False"
    # Keel's own option comes first and is taken off before llama_cpp.server parses the rest
    assert argv[argv.index("--keel_lazy_grammar") + 1] == "True"
    options, rest = _keel_options(argv[argv.index("--keel_lazy_grammar"):])
    assert (options.lazy_grammar, options.lookup_tokens) == (True, 0)
    assert rest == argv[argv.index("--model"):]
    full = settings.model_copy(update={"local_lazy_grammar": False, "local_lookup_tokens": 6})
    argv = LocalModelServer(full)._llama_command(8123, None)
    assert argv[argv.index("--keel_lazy_grammar") + 1] == "False"
    options, rest = _keel_options(argv[argv.index("--keel_lazy_grammar"):])
    assert (options.lazy_grammar, options.lookup_tokens) == (False, 6)
    assert rest[0] == "--model"
    for wrong in (["--keel_lookup_tokens"], ["--keel_lookup", "4", "--model", "m.gguf"]):
        with pytest.raises(ValueError):  # a typo or a missing value is not silently ignored
            _keel_options(wrong)
