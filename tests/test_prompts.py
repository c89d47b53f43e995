import pytest

from assistant.core.errors import PromptError
from assistant.llm.prompts import list_prompts, load_prompt


@pytest.mark.parametrize("name", list_prompts())
def test_every_prompt_renders_with_its_declared_variables(name: str) -> None:
    prompt = load_prompt(name)
    values = {v: f"<{v}-value>" for v in prompt.variables}
    system, user = prompt.render(**values)
    assert system and user
    for v in prompt.variables:
        assert f"<{v}-value>" in system + user, f"{name} declares {v} but never uses it"


def test_missing_variable_fails_loudly() -> None:
    prompt = load_prompt("answer")
    with pytest.raises(PromptError, match="needs variables"):
        prompt.render(question="q")


def test_undeclared_variable_fails_loudly() -> None:
    prompt = load_prompt("answer")
    values = {v: "x" for v in prompt.variables}
    with pytest.raises(PromptError, match="does not declare"):
        prompt.render(**values, surprise="x")


def test_missing_prompt_file() -> None:
    with pytest.raises(PromptError, match="missing"):
        load_prompt("no-such-prompt")


def test_there_are_prompts() -> None:
    assert "answer" in list_prompts()
