import time
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from pydantic import BaseModel, Field

from assistant.core.config import Settings
from assistant.core.errors import ConfigError, GenerationError, ModelError, ModelSetupError
from assistant.llm.client import LLM
from assistant.llm.fake_model import ScriptedChatModel
from assistant.llm.local_model import require_space


class Verdict(BaseModel):
    label: str = Field(pattern="^(yes|no)$")
    score: int = Field(ge=0, le=100)


def test_validation_errors_are_fed_back_and_retried(settings: Settings) -> None:
    model = ScriptedChatModel(replies=['{"label": "maybe", "score": 7}',
                                       '```json\n{"label": "yes", "score": 70}\n```'])
    llm = LLM(settings, chat_model=model)
    result = llm.structured([HumanMessage(content="judge")], Verdict)
    assert result == Verdict(label="yes", score=70)
    assert model.calls == 2
    reask = str(model.prompts[1][-1].content)
    assert "label" in reask and "not valid" in reask


def test_retries_are_bounded_then_one_typed_error(settings: Settings) -> None:
    model = ScriptedChatModel(replies=["not json at all"])
    llm = LLM(settings.model_copy(update={"structured_retries": 2}), chat_model=model)
    with pytest.raises(GenerationError) as info:
        llm.structured([HumanMessage(content="judge")], Verdict)
    assert info.value.attempts == 3 and model.calls == 3
    assert info.value.last_output == "not json at all"
    assert llm.tokens["calls"] == 3  # what the speed benchmark reports per task


def test_streamed_and_whole_answers_each_count_as_one_model_call(settings: Settings) -> None:
    model = ScriptedChatModel(replies=["first answer", "second answer"])
    llm = LLM(settings, chat_model=model)
    assert llm.text([HumanMessage(content="one")]) == "first answer"
    assert "".join(llm.stream([HumanMessage(content="two")])) == "second answer"
    assert llm.tokens["calls"] == model.calls == 2


@pytest.mark.parametrize(("provider", "method", "expected"), [
    ("local", "auto", "json_object"),
    ("fake", "auto", "json_object"),
    ("openai", "auto", "json_schema"),
    ("openai", "json_object", "json_object"),
])
def test_structured_output_method_per_provider(settings: Settings, provider: str, method: str,
                                               expected: str) -> None:
    llm = LLM(settings.model_copy(update={"llm_provider": provider,
                                          "structured_output": method}))
    response_format = llm._response_format(Verdict)
    assert response_format["type"] == expected
    if expected == "json_object":  # llama.cpp turns the schema into a grammar
        assert response_format["schema"]["title"] == "Verdict"


def test_openai_provider_needs_a_key_or_url(settings: Settings) -> None:
    llm = LLM(settings.model_copy(update={"llm_provider": "openai"}))
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        llm.text([HumanMessage(content="hi")])


def test_endpoint_down_gives_one_readable_error_quickly(settings: Settings) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    llm = LLM(settings.model_copy(update={
        "llm_provider": "openai", "llm_base_url": f"http://127.0.0.1:{port}/v1",
        "llm_timeout_s": 2.0, "llm_max_retries": 1}))
    start = time.monotonic()
    with pytest.raises(ModelError, match=f"127.0.0.1:{port}"):
        llm.text([HumanMessage(content="hi")])
    assert time.monotonic() - start < 15
    with pytest.raises(ModelError):
        list(llm.stream([HumanMessage(content="hi")]))


def test_fake_choice_probabilities_follow_word_overlap(settings) -> None:
    llm = LLM(settings)
    ask = [HumanMessage(content="<proposal>Open a roastery in Leeds</proposal>\n"
                                "<statement>A roastery near Leeds</statement>")]
    p = llm.choice_probabilities(ask, ["yes", "no"])
    assert p == {"yes": 1.0, "no": 0.0}
    other = [HumanMessage(content="<proposal>Sell pods</proposal>\n"
                                  "<statement>Open a second roastery</statement>")]
    assert llm.choice_probabilities(other, ["yes", "no"]) == {"yes": 0.0, "no": 1.0}


def test_too_little_disk_space_is_a_clear_error_before_anything_is_written(tmp_path: Path
                                                                          ) -> None:
    require_space(tmp_path, 1)
    with pytest.raises(ModelSetupError, match=r"Not enough disk space.*KEEL_DATA_DIR") as caught:
        require_space(tmp_path, 10**18)
    assert str(tmp_path) in str(caught.value) and not list(tmp_path.iterdir())
