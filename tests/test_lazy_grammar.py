"""The lazy grammar sampler gives llama-cpp-python's own tokens (real model; marked)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.llm.lazy_grammar import LazyGrammarSampler, install

pytestmark = pytest.mark.local_model

SCHEMA = {"type": "object", "required": ["statement", "metric", "unit", "owner_role"],
          "properties": {"statement": {"type": "string"}, "metric": {"type": "string"},
                         "unit": {"type": "string"}, "owner_role": {"type": "string"}}}
ASKS = [
    "Write one key result for a coffee roaster's marketing team as JSON: a statement that "
    "moves repeat orders from 30% to 40% by March, its metric, unit and owner role.",
    "Give a key result for reducing support response time from 9 hours to 4 hours, as JSON "
    "with statement, metric, unit (use \"hours\") and owner_role; mention Zürich in it.",
]


@pytest.fixture(scope="module")
def llama(assembled_model: Path) -> Iterator[Any]:
    from llama_cpp import Llama

    model = Llama(model_path=str(assembled_model), n_ctx=2048, n_threads=2, logits_all=False,
                  use_mmap=False, verbose=False)
    yield model
    model.close()


def _answers(llama: Any) -> list[str]:
    out = []
    for ask in ASKS:
        llama.reset()  # no prefix cache between runs: each starts from the same state
        done = llama.create_chat_completion(
            messages=[{"role": "user", "content": ask}], temperature=0.0, max_tokens=96,
            repeat_penalty=1.1, response_format={"type": "json_object", "schema": SCHEMA})
        out.append(done["choices"][0]["message"]["content"])
    return out


def test_lazy_grammar_gives_the_full_scans_tokens(llama: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from llama_cpp import Llama

    full = _answers(llama)
    monkeypatch.setattr(Llama, "_init_sampler", Llama._init_sampler)  # undone after the test
    install()
    lazy = _answers(llama)
    sampler = llama._sampler
    assert isinstance(sampler, LazyGrammarSampler) and sampler.tokens > 10  # it ran
    assert lazy == full
    for text in lazy:
        assert set(json.loads(text)) >= {"statement", "metric", "unit", "owner_role"}
