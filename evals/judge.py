"""The optional LLM judge: faithfulness of grounded answers (supported claims ÷ claims).

Runs only when `KEEL_EVAL_JUDGE_BASE_URL` is set, on any OpenAI-compatible endpoint, at
temperature 0; the report records the judge's endpoint, model and settings next to its
scores, so a number is never separated from the judge that produced it.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel

from assistant.core.config import Settings
from assistant.core.errors import KeelError
from assistant.core.safety import passages_block
from assistant.llm.client import LLM
from assistant.llm.prompts import render

__all__ = ["Judge", "build_judge"]

_CLAIM = re.compile(r"[^.!?\n]+[.!?]?")
_MARKER = re.compile(r"\[S\d+(?:\s*,\s*S\d+)*\]")


class ClaimVerdict(BaseModel):
    supported: bool
    reason: str = ""


class Judge:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings.model_copy(update={
            "llm_provider": "openai", "llm_base_url": settings.eval_judge_base_url,
            "llm_api_key": settings.eval_judge_api_key, "llm_model": settings.eval_judge_model,
            "llm_temperature": 0.0})
        self.llm = LLM(self.settings)

    def describe(self) -> dict[str, Any]:
        return {"endpoint": self.settings.llm_base_url, "model": self.settings.llm_model,
                "temperature": 0.0, "metric": "faithfulness = supported claims / claims",
                "timeout_s": self.settings.llm_timeout_s,
                "structured_retries": self.settings.structured_retries}

    def faithfulness(self, answer: str, passages: list[tuple[str, str, str, str]]) -> float:
        """Share of the answer's sentences the judge finds supported by the passages."""
        claims = [c.strip() for c in _CLAIM.findall(_MARKER.sub("", answer))
                  if len(c.split()) >= 3]
        if not claims:
            return float("nan")
        block = passages_block(passages)
        supported = 0
        for claim in claims:
            system, user = render("judge_claim", passages=block, claim=claim)
            try:
                verdict = self.llm.structured(
                    [SystemMessage(content=system), HumanMessage(content=user)], ClaimVerdict)
                supported += verdict.supported
            except KeelError:
                pass  # an unanswered claim counts as unsupported
        return supported / len(claims)

    def close(self) -> None:
        self.llm.close()


def build_judge(settings: Settings) -> Judge | None:
    """A judge if one is configured, else None (the judge never runs by default)."""
    return Judge(settings) if settings.eval_judge_base_url else None
