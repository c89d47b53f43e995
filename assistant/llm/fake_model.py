"""A deterministic stand-in for the language model (`KEEL_LLM_PROVIDER=fake`).

It reads the prompt it is given and answers from it, so tests, demos and CI exercise the
whole pipeline (retrieval, prompts, citations, validation) without a model:
- plain text: the first sentence of the first `<document>` it was shown, cited as `[S1]`;
  `NOT COVERED` when it was shown no documents;
- structured output: a builder registered for the requested schema's title.

`ScriptedChatModel` returns fixed replies in order, for tests of retries and failures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from assistant.llm import fake_builders  # noqa: F401  (registers the schema builders)
from assistant.llm.fake_text import BUILDERS, documents_in

__all__ = ["BUILDERS", "FakeChatModel", "ScriptedChatModel", "documents_in"]



def _first_sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    match = re.match(r"(.{20,400}?[.!?])(\s|$)", text)
    return match.group(1) if match else text[:200]


class FakeChatModel(BaseChatModel):
    """Answers from its prompt; deterministic."""

    @property
    def _llm_type(self) -> str:
        return "keel-fake"

    def _reply(self, messages: list[BaseMessage], **kwargs: Any) -> str:
        prompt = "\n".join(str(m.content) for m in messages)
        response_format = kwargs.get("response_format")
        if isinstance(response_format, dict):
            title = str((response_format.get("schema") or response_format.get(
                "json_schema", {}).get("schema", {})).get("title", ""))
            if title in BUILDERS:
                return json.dumps(BUILDERS[title](prompt))
            return "{}"
        docs = documents_in(prompt)
        if not docs:
            return "NOT COVERED"
        return f"{_first_sentence(docs[0][1])} [{docs[0][0]}]"

    def choice_probabilities(self, messages: list[BaseMessage],
                             choices: list[str]) -> dict[str, float]:
        """First choice: the share of the last `<statement>`'s long words found in the
        `<proposal>` (0.5 when the prompt has neither); the rest share the remainder."""
        prompt = "\n".join(str(m.content) for m in messages)
        proposal = re.search(r"<proposal>(.*?)</proposal>", prompt, re.DOTALL)
        statements = re.findall(r"<statement>(.*?)</statement>", prompt, re.DOTALL)
        first = 0.5
        if proposal and statements:
            words = set(re.findall(r"[a-z]{5,}", statements[-1].lower()))
            have = set(re.findall(r"[a-z]{5,}", proposal.group(1).lower()))
            first = round(len(words & have) / len(words), 4) if words else 0.0
        rest = (1.0 - first) / max(len(choices) - 1, 1)
        return {c: first if i == 0 else rest for i, c in enumerate(choices)}

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None,
                  **kwargs: Any) -> ChatResult:
        text = self._reply(messages, **kwargs)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for piece in re.findall(r"\S+\s*", self._reply(messages, **kwargs)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


class ScriptedChatModel(BaseChatModel):
    """Returns `replies` in order (the last one repeats); records every prompt."""

    replies: list[str]
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "keel-scripted"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None,
                  **kwargs: Any) -> ChatResult:
        reply = self.replies[min(self.calls, len(self.replies) - 1)]
        self.calls += 1
        self.prompts.append(list(messages))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply))])
