from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.core.config import Settings


def test_env_prefix_and_openai_standard_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_WORKSPACE", "acme")
    monkeypatch.setenv("KEEL_LLM_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    s = Settings()
    assert s.workspace == "acme"
    assert s.llm_provider == "openai"
    assert s.llm_api_key is not None and s.llm_api_key.get_secret_value() == "sk-test"
    assert s.llm_base_url == "http://127.0.0.1:9/v1"
    assert "sk-test" not in repr(s)


def test_keel_variable_wins_over_openai_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    monkeypatch.setenv("KEEL_LLM_BASE_URL", "http://127.0.0.1:2/v1")
    assert Settings().llm_base_url == "http://127.0.0.1:2/v1"


def test_toml_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "my.toml"
    config.write_text('workspace = "from-toml"\nretrieval_k = 9\nchroma_mode = "server"\n')
    monkeypatch.setenv("KEEL_CONFIG", str(config))
    s = Settings()
    assert (s.workspace, s.retrieval_k, s.chroma_mode) == ("from-toml", 9, "server")


@pytest.mark.parametrize("name", ["", "Has Space", "UPPER", "../escape", "a" * 41, "-lead"])
def test_invalid_workspace_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        Settings(workspace=name)


def test_workspace_dirs_are_separate(tmp_path: Path) -> None:
    a = Settings(data_dir=tmp_path, workspace="a")
    b = a.with_workspace("b")
    assert a.workspace_dir != b.workspace_dir
    assert b.workspace_dir.parent == a.workspace_dir.parent


def test_an_empty_data_dir_is_refused_not_read_as_the_current_folder(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_DATA_DIR", "")
    with pytest.raises(ValidationError, match="data_dir is empty"):
        Settings()
