"""Prompts are data files in `assistant/data/prompts/` (package data; `prompts/` at the
repository's top links there), rendered by one loader that fails loudly.

Each `prompts/<name>.yaml` holds `version`, `description`, `variables` (the names it
needs), `system` and `user` (Jinja templates, sandboxed, undefined variables are errors).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.core.config import PROMPTS_DIR
from assistant.core.errors import PromptError

__all__ = ["PROMPTS_DIR", "PromptTemplate", "list_prompts", "load_prompt", "render"]

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


class PromptTemplate(BaseModel):
    """A versioned prompt with its declared variables."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    version: int
    description: str
    variables: tuple[str, ...]
    system: str
    user: str

    def render(self, **values: Any) -> tuple[str, str]:
        """(system, user) text; raises PromptError when a declared variable is missing."""
        missing = sorted(set(self.variables) - set(values))
        if missing:
            raise PromptError(f"Prompt '{self.name}' needs variables: {', '.join(missing)}")
        unknown = sorted(set(values) - set(self.variables))
        if unknown:
            raise PromptError(f"Prompt '{self.name}' does not declare: {', '.join(unknown)}")
        try:
            return (_ENV.from_string(self.system).render(**values).strip(),
                    _ENV.from_string(self.user).render(**values).strip())
        except TemplateError as exc:
            raise PromptError(f"Prompt '{self.name}' failed to render: {exc}") from exc


@cache
def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> PromptTemplate:
    path = directory / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PromptError(f"Prompt file {path} is missing.") from exc
    except yaml.YAMLError as exc:
        raise PromptError(f"Prompt file {path} is not valid YAML: {exc}") from exc
    try:
        return PromptTemplate(name=name, **data)
    except (ValidationError, TypeError) as exc:
        raise PromptError(f"Prompt file {path} is malformed: {exc}") from exc


def list_prompts(directory: Path = PROMPTS_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml"))


def render(name: str, **values: Any) -> tuple[str, str]:
    """Load and render a prompt in one step."""
    return load_prompt(name).render(**values)
