"""Endpoint faults: 429 with Retry-After, 503, a hang, a stream cut half-way, invalid JSON.

Each gives one readable, bounded error (within timeout x (retries + 1) plus the servers'
Retry-After waits), in the Python API, the CLI and the UI; the UI keeps serving other users
meanwhile; nothing is written to the store or the saved goals.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from gradio_client import Client
from langchain_core.messages import HumanMessage
from pydantic import BaseModel
from typer.testing import CliRunner

from assistant.cli.main import app as cli
from assistant.core.config import Settings
from assistant.core.errors import GenerationError, ModelError
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM
from assistant.ui.services import Services
from assistant.ui.webapp import serve

from .fault_server import FaultServer

TIMEOUT, RETRIES = 1.5, 1
# worst case: every attempt times out, plus the SDK's waits between them (Retry-After: 1 s or
# its own backoff, under 1 s for one retry), plus slack for a loaded CI machine
BOUND = TIMEOUT * (RETRIES + 1) + RETRIES * 1.5 + 5


def _llm(settings: Settings, server: FaultServer) -> LLM:
    return LLM(settings.model_copy(update={
        "llm_provider": "openai", "llm_base_url": server.url, "llm_timeout_s": TIMEOUT,
        "llm_max_retries": RETRIES, "structured_retries": 1}))


@pytest.mark.parametrize("mode", ["429", "503", "hang", "cut"])
def test_transport_faults_give_one_bounded_error(settings: Settings, mode: str) -> None:
    with FaultServer(mode) as server:
        start = time.monotonic()
        with pytest.raises(ModelError, match="model endpoint") as caught:
            _llm(settings, server).text([HumanMessage(content="hi")])
        elapsed = time.monotonic() - start
        assert elapsed < BOUND, elapsed
        assert server.hits == RETRIES + 1  # retried, but only as often as configured
        assert "Traceback" not in str(caught.value)


def test_a_stream_cut_half_way_is_an_error_not_a_short_answer(settings: Settings) -> None:
    with FaultServer("cut") as server:
        pieces: list[str] = []
        with pytest.raises(ModelError):
            for piece in _llm(settings, server).stream([HumanMessage(content="hi")]):
                pieces.append(piece)
        # shown while streaming up to the last complete word (the output guard holds back a
        # word until it ends), then the error
        assert pieces == ["Half an"]
        assert server.hits == 1  # consuming a stream is never retried


class _Answer(BaseModel):
    answer: str


def test_invalid_json_is_re_asked_a_bounded_number_of_times(settings: Settings) -> None:
    with FaultServer("badjson") as server:
        with pytest.raises(GenerationError, match="_Answer schema after 2 attempts") as caught:
            _llm(settings, server).structured([HumanMessage(content="hi")], _Answer)
        assert server.hits == 2 and caught.value.last_output == "this is not JSON {"


@pytest.mark.parametrize("mode", ["503", "hang", "badjson"])
def test_cli_draft_fails_readably_and_saves_nothing(sample_settings: Settings, mode: str,
                                                    tmp_path: Path) -> None:
    goals = sample_settings.workspace_dir / "goals"
    with KnowledgeBase(sample_settings) as kb:
        chunks = kb.count()
    out = tmp_path / "draft.md"
    with FaultServer(mode) as server:
        env = {"KEEL_LLM_PROVIDER": "openai", "KEEL_LLM_BASE_URL": server.url,
               "KEEL_LLM_TIMEOUT_S": str(TIMEOUT), "KEEL_LLM_MAX_RETRIES": str(RETRIES),
               "KEEL_STRUCTURED_RETRIES": "1"}
        start = time.monotonic()
        result = CliRunner().invoke(cli, [
            "--workspace", "sample", "--data-dir", str(sample_settings.data_dir), "okrs",
            "--department", "marketing", "--period", "2027-Q1", "--save", "-o", str(out)],
            env=env)
        elapsed = time.monotonic() - start
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and ("model endpoint" in result.output
                                                 or "did not fit" in result.output)
    assert elapsed < 3 * BOUND  # drafting may call the model up to structured_retries + 1 times
    assert not out.exists() and not (goals.is_dir() and any(goals.iterdir()))
    with KnowledgeBase(sample_settings) as kb:
        assert kb.count() == chunks


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_ui_shows_a_bounded_error_and_keeps_serving_others(sample_settings: Settings) -> None:
    with FaultServer("hang") as server:
        services = Services(sample_settings.model_copy(update={
            "llm_provider": "openai", "llm_base_url": server.url, "llm_timeout_s": 5.0,
            "llm_max_retries": 0}))
        port = _port()
        demo = serve(services, port=port, block=False)
        try:
            url = f"http://127.0.0.1:{port}/"
            stuck, other = Client(url, verbose=False), Client(url, verbose=False)
            start = time.monotonic()
            job = stuck.submit("What are our values?", [], "sample", api_name="/chat")
            time.sleep(0.5)
            rows = other.predict("values", "sample", api_name="/search")["data"]
            assert rows and not job.done()  # served while the first user waits on the model
            shown = str(job.result(timeout=60))  # the error is a message in the conversation
            assert "I could not finish this" in shown and "model endpoint" in shown
            assert time.monotonic() - start < 5.0 * 2 + 10  # router fallback + answer call
            assert "Traceback" not in shown
        finally:
            demo.close()
            services.close()
