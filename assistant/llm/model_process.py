"""Entry point of the local model server child: llama.cpp's server plus a parent watchdog.

`python -m assistant.llm.model_process PARENT_PID [--keel_lazy_grammar True|False]
[--keel_lookup_tokens N] <llama_cpp.server arguments>`. The watchdog
exits the child as soon as its parent process is gone, even after SIGKILL. (Linux's
PR_SET_PDEATHSIG is not enough: it fires when the *thread* that started the child exits, and
the UI starts the model from a short-lived warm-up thread.)

Besides llama-cpp-python's OpenAI-compatible routes, the child serves one more:
`POST /keel/choice` with `{"messages": [...], "choices": ["yes", "no"]}` returns the model's
probability of each choice as the first token of its answer. OpenAI endpoints give the same
through `logprobs`; llama-cpp-python's server only does when the model is loaded with
`logits_all`, which keeps the logits of every position (8,192 × 151,936 floats, about 5 GB).
This route reads the first answer token's logits through a logits processor instead, under the
server's own model lock and with its prompt-prefix cache.

`--keel_lazy_grammar True` (the default) swaps in `lazy_grammar.LazyGrammarSampler` for
greedy, grammar-constrained requests: the same tokens, without scanning the vocabulary for
each one. `--keel_lookup_tokens N` (N > 0) turns on `lookup_decoding`'s prompt-lookup decoding.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ChoiceRequest(BaseModel):
    """Body of `POST /keel/choice`."""

    messages: list[dict[str, str]] = Field(min_length=1, max_length=64)
    choices: list[str] = Field(min_length=2, max_length=8)
    model: str | None = None


def _watch(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(1.0)


def first_token_probabilities(llama: Any, messages: list[dict[str, str]],
                              choices: list[str]) -> dict[str, float]:
    """P(answer starts with each choice), over the whole vocabulary; case variants summed."""
    import numpy as np
    from llama_cpp import LogitsProcessorList

    seen: list[Any] = []

    def capture(_ids: Any, scores: Any) -> Any:
        if not seen:
            seen.append(np.array(scores, dtype=np.float64))
        return scores

    llama.create_chat_completion(messages=messages, max_tokens=1, temperature=0.0,
                                 logits_processor=LogitsProcessorList([capture]))
    logits = seen[0]
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    out = {}
    for choice in choices:
        ids = set()
        for variant in {choice, choice.lower(), choice.capitalize(), choice.upper()}:
            tokens = llama.tokenize(variant.encode(), add_bos=False, special=False)
            if tokens:
                ids.add(tokens[0])
        out[choice] = float(sum(probs[i] for i in ids))
    return out


def _serve(argv: list[str]) -> None:
    """llama_cpp.server's own start-up (same arguments), plus the /keel/choice route."""
    import argparse

    import uvicorn
    from fastapi import Depends
    from llama_cpp.server.app import create_app, get_llama_proxy
    from llama_cpp.server.cli import add_args_from_model, parse_model_from_args
    from llama_cpp.server.settings import ModelSettings, ServerSettings, Settings
    parser = argparse.ArgumentParser()
    add_args_from_model(parser, Settings)
    args = parser.parse_args(argv)
    server: Any = parse_model_from_args(ServerSettings, args)
    model: Any = parse_model_from_args(ModelSettings, args)
    app = create_app(server_settings=server, model_settings=[model])

    @app.post("/keel/choice")  # type: ignore[untyped-decorator]
    def choice(body: ChoiceRequest, proxy: Any = Depends(get_llama_proxy)) -> dict[str, Any]:
        llama = proxy(body.model)
        return {"probabilities": first_token_probabilities(llama, body.messages, body.choices)}

    uvicorn.run(app, host=server.host, port=server.port)


class KeelOptions(BaseModel):
    """Keel's own options of the child, taken off before llama_cpp.server parses the rest; an
    unknown one is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    lazy_grammar: bool = True
    lookup_tokens: int = Field(0, ge=0)


def _keel_options(argv: list[str]) -> tuple[KeelOptions, list[str]]:
    """Keel's leading `--keel_<name> value` options and llama_cpp.server's rest."""
    given: dict[str, str] = {}
    while argv[:1] and argv[0].startswith("--keel_"):
        if len(argv) < 2:
            raise ValueError(f"{argv[0]} needs a value")
        given[argv[0].removeprefix("--keel_")] = argv[1]
        argv = argv[2:]
    if "lazy_grammar" in given:
        given["lazy_grammar"] = str(given["lazy_grammar"].lower() in {"true", "1", "yes"})
    return KeelOptions.model_validate(given), list(argv)


def main() -> None:
    parent = int(sys.argv[1])
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    options, rest = _keel_options(sys.argv[2:])
    if options.lazy_grammar:
        from assistant.llm.lazy_grammar import install
        install()
    if options.lookup_tokens:
        from assistant.llm import lookup_decoding
        lookup_decoding.install(options.lookup_tokens)
    _serve(rest)


if __name__ == "__main__":
    main()
