"""One typed `Settings` object, built once at the edge (CLI, UI, tests) and passed in.

Sources, highest priority first: keyword arguments, environment (`KEEL_*`; the standard
`OPENAI_API_KEY` / `OPENAI_BASE_URL` are honoured too), a `.env` file, a TOML file
(`KEEL_CONFIG` or `./keel.toml`), then the defaults below.
"""

from __future__ import annotations

import os
import re
from importlib.resources import files
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["LOCAL_MODEL_ALIAS", "PACKAGE_DATA", "PROMPTS_DIR", "SAMPLE_KNOWLEDGE", "Settings",
           "UiUser"]

# Shipped inside the package (a wheel installs them too), read through importlib.resources;
# the repository's top-level `prompts/` and `knowledge/` are links to these folders.
PACKAGE_DATA = Path(str(files("assistant") / "data"))
PROMPTS_DIR = PACKAGE_DATA / "prompts"
SAMPLE_KNOWLEDGE = PACKAGE_DATA / "knowledge"  # the bundled sample company
LOCAL_MODEL_ALIAS = "qwen2.5-coder-1.5b-instruct-q4_k_m"
_WORKSPACE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _alias(name: str, *extra: str) -> AliasChoices:
    return AliasChoices(name, f"KEEL_{name.upper()}", *extra)


class UiUser(BaseModel):
    """One UI account: its password and the workspaces it may use (`*` = all)."""

    password: SecretStr
    workspaces: list[str] = Field(default_factory=lambda: ["*"])


class Settings(BaseSettings):
    """Everything Keel can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="KEEL_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # --- storage -------------------------------------------------------------------
    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("keel", appauthor=False)),
        description="All state lives here: stores, the assembled model, saved goals, logs.",
    )
    workspace: str = Field("default", description="Workspace name; one collection each.")

    # --- language model --------------------------------------------------------------
    llm_provider: Literal["local", "openai", "fake"] = Field(
        "local", description="local: embedded llama.cpp server; openai: any compatible endpoint."
    )
    llm_base_url: str | None = Field(
        None, validation_alias=_alias("llm_base_url", "OPENAI_BASE_URL"),
        description="Base URL of an OpenAI-compatible endpoint (vLLM, Ollama, OpenAI…).",
    )
    llm_api_key: SecretStr | None = Field(
        None, validation_alias=_alias("llm_api_key", "OPENAI_API_KEY"),
        description="API key for the endpoint.",
    )
    llm_model: str = Field("gpt-4o-mini", description="Model name for the openai provider.")
    llm_timeout_s: float = Field(60.0, gt=0, description="Per-request timeout in seconds.")
    llm_max_retries: int = Field(2, ge=0, le=10, description="Transport retries (429/5xx).")
    llm_temperature: float = Field(0.0, ge=0, le=2)
    llm_max_tokens: int = Field(1024, ge=16, le=32768, description="Generation limit.")
    structured_retries: int = Field(
        2, ge=0, le=5, description="Re-asks after output fails validation."
    )
    structured_output: Literal["auto", "json_schema", "json_object"] = Field(
        "auto",
        description="auto: json_schema for openai, json_object+schema (grammar) for local.",
    )

    # --- embedded local model ----------------------------------------------------------
    local_model_path: Path | None = Field(
        None, description="Use this GGUF instead of the bundled Qwen2.5-Coder-1.5B."
    )
    local_n_ctx: int = Field(8192, ge=512, le=32768)
    local_n_threads: int | None = Field(None, ge=1, description="Default: all cores.")
    local_start_timeout_s: float = Field(180.0, gt=0)
    local_timeout_s: float = Field(
        600.0, gt=0, description="Per-request timeout for the embedded model: a CPU draft of "
        "2,000 tokens takes minutes. Transport retries are off locally (a retry would only "
        "queue behind the same busy server).")
    local_max_restarts: int = Field(
        1, ge=0, le=10, description="Automatic restarts of a crashed or hung model server "
        "within local_restart_window_s; past that, requests fail fast with the reason.")
    local_restart_window_s: float = Field(600.0, gt=0)
    local_share: bool = Field(
        True, description="Use another Keel process's running local model server on the same "
        "data directory (and offer this one's): no model load per command. "
        "`keel model start` keeps one warm.")
    local_lazy_grammar: bool = Field(
        True, description="Grammar-constrained greedy decoding tests the best token against "
        "the JSON grammar and scans the whole vocabulary only when it is rejected (as "
        "llama.cpp's own sampler does); same output, less time per token. False: "
        "llama-cpp-python's full scan on every token.")
    local_lookup_tokens: int = Field(
        0, ge=0, le=16, description="Prompt-lookup decoding: guess up to this many next "
        "tokens from where the text's last tokens occurred before (a repair copying its draft, "
        "JSON keys) and check the guess in one batched decode; the model's own greedy choice "
        "is kept at every position. 0: off (llm/lookup_decoding.py).")
    local_server_command: str | None = Field(
        None, description="Run this OpenAI-compatible server instead of llama-cpp-python's, "
        "supervised the same way; '{port}' is replaced by the port, e.g. "
        "'llama-server -m model.gguf --port {port}'.")
    local_server_args: str | None = Field(
        None, description="Extra arguments for llama-cpp-python's server, appended to Keel's "
        "(e.g. '--n_batch 256'); `python -m benchmarks.bench_speed` measures a change. "
        "Ignored with local_server_command.")

    # --- embeddings ------------------------------------------------------------------------
    embeddings_provider: Literal["local", "openai", "fake"] = "local"
    embeddings_model: str = Field(
        "text-embedding-3-small", description="Model name for the openai embeddings provider."
    )
    embedding_batch_size: int = Field(16, ge=1, le=512)

    # --- Chroma ------------------------------------------------------------------------------
    chroma_mode: Literal["embedded", "server"] = "embedded"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = Field(8000, ge=1, le=65535)
    chroma_token: SecretStr | None = None
    chroma_ssl: bool = False
    store_lock_timeout_s: float = Field(
        3.0, ge=0, description="How long to wait for another process's lock on the store."
    )

    # --- relational database (strategy map, goal sets, reports) ------------------------------
    database_url: SecretStr | None = Field(
        None, description="A SQLAlchemy URL, e.g. postgresql+psycopg://keel:…@host/keel. "
        "Unset: SQLite at <data_dir>/keel.db.")
    database_timeout_s: float = Field(
        10.0, gt=0, description="How long a write waits for another process's write.")

    draft_from: Literal["map", "passages"] = Field(
        "map", description="What drafting reads: map = the workspace's strategy map (its "
        "company slice and the department's elements, plus the department's own passages); "
        "passages = ~20 retrieved passages. An empty map falls back to passages. "
        "docs/measurements.md compares the two.")

    alignment_verdicts: Literal["score", "evidence"] = Field(
        "evidence", description="evidence (default): decisive only on rules over confirmed "
        "map elements or a traced confirmed KR, else needs_review with the questions that "
        "decide it (issue 23); score: the first design, a score from the model's stances and "
        "code rules, which approves most proposals that serve no goal (docs/architecture.md).")
    checkin_stale_days: int = Field(
        14, ge=1, le=365, description="A KR whose latest check-in is older is flagged stale.")

    # --- evaluation judge (optional) ---------------------------------------------------------
    eval_judge_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint of an LLM judge for `keel eval` "
        "(faithfulness of answers). Unset: the judge does not run.")
    eval_judge_model: str = Field("gpt-4o-mini", description="The judge's model name.")
    eval_judge_api_key: SecretStr | None = None

    # --- ingest and retrieval ---------------------------------------------------------------
    chunk_size: int = Field(800, ge=200, le=8000, description="Max characters per chunk.")
    chunk_overlap: int = Field(100, ge=0, le=2000)
    max_document_mb: float = Field(20.0, gt=0, description="Larger files are refused.")
    allowed_link_hosts: str = Field(
        "", description="Comma-separated hosts a link in Keel's output may point to, and only "
                        "when the company's documents hold that link; default none (issue 27).")
    max_chunks_per_document: int = Field(
        3000, ge=1, description="A document cut into more chunks is refused (embedding "
        "thousands of chunks takes minutes on a CPU; a 20 MB text file would be ~28,000).")
    retrieval_k: int = Field(6, ge=1, le=50)
    min_relevance: float = Field(
        0.30, ge=-1, le=1, description="Cosine similarity below which a chunk is not relevant."
    )

    # --- web UI ---------------------------------------------------------------------------------
    ui_username: str | None = Field(None, description="Required with a non-loopback bind.")
    ui_password: SecretStr | None = None
    ui_users: dict[str, UiUser] = Field(
        default_factory=dict,
        description="Accounts limited to workspaces, e.g. KEEL_UI_USERS='{\"ana\": "
        "{\"password\": \"…\", \"workspaces\": [\"sales\"]}}' or [ui_users.ana] in "
        "keel.toml. ui_username/ui_password is one more account with every workspace.")
    ui_max_upload_mb: float = Field(10.0, gt=0, description="Largest upload the UI accepts.")
    ui_concurrency: int = Field(2, ge=1, le=64, description="Requests served at once.")
    ui_queue_size: int = Field(32, ge=1, description="Waiting requests before 'busy'.")

    @field_validator("data_dir", mode="before")
    @classmethod
    def _check_data_dir(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():  # KEEL_DATA_DIR= would mean "here"
            raise ValueError("data_dir is empty: unset KEEL_DATA_DIR for the default folder, "
                             "or name a folder")
        return value

    @field_validator("workspace")
    @classmethod
    def _check_workspace(cls, value: str) -> str:
        if not _WORKSPACE_RE.match(value):
            raise ValueError(
                "workspace names use lower-case letters, digits, '-' and '_' (1-40 characters)"
            )
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get("KEEL_CONFIG", "keel.toml"))
        toml = TomlConfigSettingsSource(settings_cls, toml_file=toml_path)
        return init_settings, env_settings, dotenv_settings, toml, file_secret_settings

    # --- derived paths ------------------------------------------------------------------------
    @property
    def workspace_dir(self) -> Path:
        return self.data_dir / "workspaces" / self.workspace

    @property
    def model_dir(self) -> Path:
        return self.data_dir / "models"

    def with_workspace(self, workspace: str) -> Settings:
        """A copy of these settings pointing at another workspace (validated)."""
        return self.model_copy(update={"workspace": self._check_workspace(workspace)})
