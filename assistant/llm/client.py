"""One chat-model seam for every provider: local llama.cpp server, any OpenAI endpoint, fake.

`local` and `openai` share one code path (langchain-openai's `ChatOpenAI`); they differ
only in base URL, key and model name. Structured output asks for JSON in the form each
provider accepts (llama.cpp rejects `json_schema` but grammar-constrains `json_object` with
a schema) and validates it with pydantic; validation errors go back to the model for a
bounded number of re-asks, then one `GenerationError`.

Every complete output passes the output guard (`core.output_guard`, issue 27) with the
context its prompt recorded (`llm.prompts.guard_context`): no image, no link to a host that
is not allowed, no code or address that only the retrieved documents hold. Streamed pieces
are shown as they come; callers that stream guard the whole text with `guard`.
"""

from __future__ import annotations

import dataclasses
import math
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, ValidationError

from assistant.core.config import LOCAL_MODEL_ALIAS, Settings
from assistant.core.errors import ConfigError, GenerationError, KeelError, ModelError
from assistant.core.output_guard import GuardContext, guard_text
from assistant.llm.model_server import LocalModelServer
from assistant.llm.prompts import guard_context

__all__ = ["LLM", "Progress"]

T = TypeVar("T", bound=BaseModel)
Progress = Callable[[int, int, str], None]
_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


class LLM:
    """The application's language model, built from settings (or injected in tests)."""

    def __init__(self, settings: Settings, chat_model: BaseChatModel | None = None,
                 progress: Progress | None = None,
                 server: LocalModelServer | None = None) -> None:
        self.settings = settings
        self._chat = chat_model
        self._server = server
        if server is None and chat_model is None and settings.llm_provider == "local":
            self._server = LocalModelServer(settings)
        self._chat_url: str | None = None  # the local server URL `_chat` talks to
        self._progress = progress
        self._build_lock = threading.Lock()  # UI threads must not start two servers
        self._usage_lock = threading.Lock()
        # running totals: tokens as the endpoint reported them, and model requests made
        self.tokens = {"input": 0, "output": 0, "calls": 0}
        self.endpoint = "in-process fake" if settings.llm_provider == "fake" else ""

    # --- construction --------------------------------------------------------------
    @property
    def chat(self) -> BaseChatModel:
        """The chat model; for the local server, one that talks to a running child (started,
        or restarted after a crash, by the supervisor before every request)."""
        if self._server is not None:
            with self._build_lock:
                url = self._server.ensure(self._progress)
                if self._chat is None or url != self._chat_url:
                    self._chat, self._chat_url = self._build(url), url
            return self._chat
        if self._chat is None:
            with self._build_lock:
                if self._chat is None:
                    self._chat = self._build()
        return self._chat

    @property
    def started(self) -> bool:
        """True once the chat model is built (the local server is up)."""
        if self._server is not None:
            return self._server.alive
        return self._chat is not None

    @property
    def state(self) -> str:
        """'ready', or for the local server its supervisor's state (restarting, failed: why)."""
        if self._server is not None:
            return self._server.state
        return "ready" if self._chat is not None else "not started"

    def restart_model(self) -> None:
        """After a given-up local server: allow it to start again on the next request."""
        if self._server is not None:
            self._server.reset()

    @property
    def model_name(self) -> str:
        provider = self.settings.llm_provider
        if provider == "local":
            return LOCAL_MODEL_ALIAS
        return "keel-fake" if provider == "fake" else self.settings.llm_model

    def _build(self, local_url: str | None = None) -> BaseChatModel:
        settings = self.settings
        if settings.llm_provider == "fake":
            from assistant.llm.fake_model import FakeChatModel

            return FakeChatModel()
        from langchain_openai import ChatOpenAI

        base_url: str | None
        key: str | None
        if settings.llm_provider == "local":
            base_url, key = local_url, "local"
        else:
            base_url = settings.llm_base_url
            key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
            if key is None and base_url is None:
                raise ConfigError("The openai provider needs OPENAI_API_KEY (and optionally "
                                  "OPENAI_BASE_URL), or KEEL_LLM_BASE_URL for a local server.")
        self.endpoint = base_url or "https://api.openai.com/v1"
        local = settings.llm_provider == "local"
        return ChatOpenAI(
            model=self.model_name, base_url=base_url, api_key=key or "not-needed",
            timeout=settings.local_timeout_s if local else settings.llm_timeout_s,
            max_retries=0 if local else settings.llm_max_retries,
            temperature=settings.llm_temperature, max_completion_tokens=settings.llm_max_tokens,
            stream_usage=True,
            # llama.cpp's server reads `max_tokens`, not `max_completion_tokens`; without it
            # the limit would silently be the whole context window.
            extra_body={"max_tokens": settings.llm_max_tokens} if local else None,
        )

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()

    def describe(self) -> dict[str, str]:
        return {"provider": self.settings.llm_provider, "model": self.model_name,
                "endpoint": self.endpoint or "(not started)"}

    # --- calls -----------------------------------------------------------------------
    def _guard(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except KeelError:
            raise
        except Exception as exc:  # openai/httpx raise many types; one readable error out
            why = self._server.explain_failure(exc) if self._server is not None else None
            if why:
                raise ModelError(why) from exc
            raise ModelError(
                f"The model endpoint ({self.endpoint or self.settings.llm_provider}) failed: "
                f"{type(exc).__name__}: {str(exc)[:300]}"
            ) from exc

    def _limit(self, max_tokens: int | None) -> dict[str, Any]:
        if max_tokens is None or self.settings.llm_provider == "fake":
            return {}
        if self.settings.llm_provider == "local":
            return {"max_completion_tokens": max_tokens, "extra_body": {"max_tokens": max_tokens}}
        return {"max_completion_tokens": max_tokens}

    def text(self, messages: list[BaseMessage], max_tokens: int | None = None,
             **kwargs: Any) -> str:
        """One complete text answer (at most `max_tokens`, default from settings)."""
        kwargs.update(self._limit(max_tokens))
        self._called()
        message = self._guard(lambda: self.chat.invoke(messages, **kwargs))
        self._count(message)
        return self.guard(messages, str(message.content))[0]

    def guard(self, messages: list[BaseMessage], text: str) -> tuple[str, list[str]]:
        """(text as it may be shown, warnings): the output guard for this conversation."""
        return guard_text(text, self._guard_context(messages))

    def _guard_context(self, messages: list[BaseMessage]) -> GuardContext:
        context = guard_context([str(m.content) for m in messages])
        hosts = tuple(h.strip().lower() for h in self.settings.allowed_link_hosts.split(",")
                      if h.strip())
        return dataclasses.replace(context, allowed_hosts=hosts)

    def _called(self) -> None:
        with self._usage_lock:
            self.tokens["calls"] += 1

    def _count(self, message: Any) -> None:
        usage = getattr(message, "usage_metadata", None) or {}
        with self._usage_lock:
            self.tokens["input"] += int(usage.get("input_tokens", 0) or 0)
            self.tokens["output"] += int(usage.get("output_tokens", 0) or 0)

    def stream(self, messages: list[BaseMessage],
               raw: list[str] | None = None) -> Iterator[str]:
        """Text pieces as the model produces them, guarded: a piece is shown once the word it
        ends in is complete and the text so far has passed the output guard (a code or link
        is never shown half-way, before the guard can recognise it). `raw` receives the
        model's own pieces."""
        written, shown, boundary = "", "", 0
        context = self._guard_context(messages)  # once per stream, not once per word
        for piece in self._pieces(messages):
            if raw is not None:
                raw.append(piece)
            written += piece
            cut = max(written.rfind(" "), written.rfind("\n"))
            if cut <= boundary:
                continue
            boundary = cut
            safe = guard_text(written[:cut], context)[0]
            if safe.startswith(shown) and len(safe) > len(shown):
                yield safe[len(shown):]
                shown = safe
        final = guard_text(written, context)[0]
        if final.startswith(shown) and len(final) > len(shown):
            yield final[len(shown):]

    def _pieces(self, messages: list[BaseMessage], **kwargs: Any) -> Iterator[str]:
        """Streamed text; a stream that stops without a finish reason is an error.

        An endpoint that drops the connection half-way ends the SSE stream quietly; without
        this check a truncated answer would pass as a complete one.
        """
        self._called()
        iterator = self._guard(lambda: iter(self.chat.stream(messages, **kwargs)))
        finished = self.settings.llm_provider == "fake"
        while (chunk := self._guard(lambda: next(iterator, None))) is not None:
            finished = finished or bool(chunk.response_metadata.get("finish_reason"))
            self._count(chunk)
            if chunk.content:
                yield str(chunk.content)
        if not finished:
            raise ModelError(f"The model endpoint ({self.endpoint}) closed the answer half-way "
                             "(no finish reason). Try again; check the server's log if it "
                             "repeats.")

    def structured(self, messages: list[BaseMessage], schema: type[T],
                   context: dict[str, Any] | None = None, max_tokens: int | None = None,
                   on_text: Callable[[str], None] | None = None) -> T:
        """A validated `schema` instance; validation errors are fed back for re-asks.

        With `on_text`, the answer is streamed and `on_text` receives the JSON written so far
        (for progress displays); the result is validated the same way.
        """
        response_format = self._response_format(schema)
        history = list(messages)
        last = ""
        attempts = self.settings.structured_retries + 1
        for _ in range(attempts):
            if on_text is None:
                last = self.text(history, max_tokens=max_tokens, response_format=response_format)
            else:
                last = self._streamed(history, max_tokens, response_format, on_text)
            try:
                return schema.model_validate_json(_FENCE.sub("", last), context=context)
            except ValidationError as exc:
                history += [AIMessage(content=last), HumanMessage(content=_reask(exc))]
        raise GenerationError(
            f"The model's answer did not fit the {schema.__name__} schema after {attempts} "
            "attempts.", last_output=last, attempts=attempts,
        )

    def _streamed(self, messages: list[BaseMessage], max_tokens: int | None,
                  response_format: dict[str, Any], on_text: Callable[[str], None]) -> str:
        text = ""
        for piece in self._pieces(messages, **self._limit(max_tokens),
                                  response_format=response_format):
            text += piece
            on_text(text)
        return self.guard(messages, text)[0]

    def choice_probabilities(self, messages: list[BaseMessage],
                             choices: list[str]) -> dict[str, float]:
        """The model's probability that its answer starts with each choice (e.g. yes / no).

        Local model: the server's `/keel/choice` route (`model_process`); OpenAI-compatible
        endpoints: `logprobs` of the first answer token; fake: the fake model's own rule.
        Probabilities are over the whole vocabulary, so they need not sum to 1.
        """
        provider = self.settings.llm_provider
        self._called()
        if provider == "fake":
            fake: Any = self.chat
            if not hasattr(fake, "choice_probabilities"):
                raise GenerationError("This test model gives no probabilities.")
            return dict(fake.choice_probabilities(messages, choices))
        if provider == "local":
            import httpx

            _ = self.chat  # starts (or restarts) the server
            assert self._server is not None and self._chat_url
            url = self._chat_url.removesuffix("/v1") + "/keel/choice"
            body = {"messages": [_as_dict(m) for m in messages], "choices": choices}

            def post() -> dict[str, float]:
                reply = httpx.post(url, json=body, timeout=self.settings.local_timeout_s)
                reply.raise_for_status()
                return dict(reply.json()["probabilities"])

            return dict(self._guard(post))
        bound = self.chat.bind(logprobs=True, top_logprobs=20, **self._limit(1))
        message = self._guard(lambda: bound.invoke(messages))
        self._count(message)
        content = (message.response_metadata.get("logprobs") or {}).get("content") or []
        if not content:
            raise GenerationError(f"The model endpoint ({self.endpoint}) returned no logprobs; "
                                  "it cannot be used for probability-scored checks.")
        out = dict.fromkeys(choices, 0.0)
        for top in content[0].get("top_logprobs", []):
            token = str(top["token"]).strip().lower()
            for choice in choices:
                if token and token == choice.lower():
                    out[choice] += math.exp(float(top["logprob"]))
        return out

    def _response_format(self, schema: type[BaseModel]) -> dict[str, Any]:
        method = self.settings.structured_output
        if method == "auto":
            method = "json_schema" if self.settings.llm_provider == "openai" else "json_object"
        json_schema = schema.model_json_schema()
        if method == "json_schema":
            return {"type": "json_schema",
                    "json_schema": {"name": schema.__name__, "schema": json_schema}}
        return {"type": "json_object", "schema": json_schema}


def _as_dict(message: BaseMessage) -> dict[str, str]:
    role = {"system": "system", "human": "user", "ai": "assistant"}.get(message.type, "user")
    return {"role": role, "content": str(message.content)}


def _reask(exc: ValidationError) -> str:
    problems = [f"- {'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}"
                for e in exc.errors()[:8]]
    return ("Your answer was not valid:\n" + "\n".join(problems)
            + "\nReply again with the corrected JSON object only.")
