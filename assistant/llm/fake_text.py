"""What the fake model's builders share: the registry of structured answers, prompt reading."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["BUILDERS", "documents_in"]

_DOC = re.compile(r'<document id="(S\d+)"[^\n]*>\n(.*?)\n</document>', re.DOTALL)
# schema title -> function(prompt text) -> dict; `fake_builders` registers them.
BUILDERS: dict[str, Callable[[str], dict[str, Any]]] = {}


def documents_in(prompt: str) -> list[tuple[str, str]]:
    """(id, text) of every `<document>` block in a prompt."""
    return _DOC.findall(prompt)
