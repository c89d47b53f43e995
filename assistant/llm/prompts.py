"""Prompts are data files in `assistant/data/prompts/` (package data; `prompts/` at the
repository's top links there), rendered by one loader that fails loudly.

Each `prompts/<name>.yaml` holds `version`, `description`, `variables` (the names it
needs), `documents` (those of them that carry the company's documents, or text taken from
them), `system` and `user` (Jinja templates, sandboxed, undefined variables are errors).

The one guard for every task (issue 27) starts here: document variables are quarantined
(`core.safety.quarantine`: sentences that direct a machine reader become a marker), and the
codes and links of the document text versus what the user typed are recorded for the
rendered prompt (`guard_context`), so `LLM` can check whatever the model writes back
(`core.output_guard`) without each task remembering to.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.core.config import PROMPTS_DIR
from assistant.core.errors import PromptError
from assistant.core.output_guard import GuardContext
from assistant.core.safety import quarantine

__all__ = ["PROMPTS_DIR", "PromptTemplate", "guard_context", "list_prompts", "load_prompt",
           "render"]

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_CONTEXTS: OrderedDict[str, GuardContext] = OrderedDict()  # rendered user text -> context
_CONTEXTS_LOCK = threading.Lock()
_CONTEXTS_KEPT = 256


class PromptTemplate(BaseModel):
    """A versioned prompt with its declared variables."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    version: int
    description: str
    variables: tuple[str, ...]
    documents: tuple[str, ...]
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
        if stray := sorted(set(self.documents) - set(self.variables)):
            raise PromptError(f"Prompt '{self.name}' lists undeclared documents: "
                              f"{', '.join(stray)}")
        values = {k: quarantine(v) if k in self.documents and isinstance(v, str) else v
                  for k, v in values.items()}
        try:
            system = _ENV.from_string(self.system).render(**values).strip()
            user = _ENV.from_string(self.user).render(**values).strip()
        except TemplateError as exc:
            raise PromptError(f"Prompt '{self.name}' failed to render: {exc}") from exc
        _remember(user, GuardContext.build(
            " ".join(str(values[k]) for k in self.documents),
            " ".join(str(v) for k, v in values.items() if k not in self.documents)))
        return system, user


def _remember(user: str, context: GuardContext) -> None:
    with _CONTEXTS_LOCK:
        _CONTEXTS[user] = context
        _CONTEXTS.move_to_end(user)
        while len(_CONTEXTS) > _CONTEXTS_KEPT:
            _CONTEXTS.popitem(last=False)


def guard_context(texts: list[str]) -> GuardContext:
    """The output guard's context for a conversation (its messages' texts): the context
    recorded when its prompt was rendered, or an empty one (no document codes are known, so
    only images, HTML and links are removed)."""
    with _CONTEXTS_LOCK:
        for text in texts:
            if text in _CONTEXTS:
                return _CONTEXTS[text]
    return GuardContext()


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
