"""Grammar-constrained greedy decoding that checks one token instead of the whole vocabulary.

llama-cpp-python samples a grammar-constrained answer with one sampler chain per token:
repetition penalties → grammar → greedy. The grammar step tests every one of the model's
151,936 vocabulary entries against the grammar's stacks, for every generated token. On this
2-core machine llama.cpp's log put that step (total − prompt − eval time) at 19–28 ms a token
on a quiet day and 44–50 ms on a busy one, beside 38–55 ms for the model itself. llama.cpp's
own `common_sampler` does it the other way round (`grammar_first = false`): pick the best
token without the grammar, test that one token, and only when the grammar rejects it apply
the grammar to the whole vocabulary and pick again.

For greedy decoding (temperature 0, which Keel always asks for) the two give the same token by
construction: if the unconstrained best token is allowed, it is also the best allowed token;
ties resolve to the lowest token id in both (llama.cpp's greedy keeps the first maximum, as
`numpy.argmax` does). Both samplers then see the chosen token (penalty history, grammar
stacks), as the chain's own `accept` does. `install()` swaps this in for greedy, grammar-
constrained requests only; any other request (sampling, logits processors, mirostat, no
grammar) keeps llama-cpp-python's own chain. `python -m benchmarks.bench_speed --compare`
shows the outputs are unchanged and what it saves.
"""

from __future__ import annotations

import ctypes
import math
from typing import Any

import numpy as np

__all__ = ["LazyGrammarSampler", "install"]


class LazyGrammarSampler:
    """Penalties + grammar + greedy, grammar checked lazily. Same `sample(ctx, idx)` contract as
    llama-cpp-python's `LlamaSampler`: returns the token and records it as accepted."""

    def __init__(self, llama: Any, grammar: Any, penalties: tuple[float, float, float]) -> None:
        import llama_cpp
        from llama_cpp._internals import LlamaTokenDataArray

        self._lib = llama_cpp
        self.n_vocab = int(llama.n_vocab())
        repeat, freq, present = penalties
        self._penalties = llama_cpp.llama_sampler_init_penalties(
            self.n_vocab, llama.last_n_tokens_size, repeat, freq, present)
        self._grammar = llama_cpp.llama_sampler_init_grammar(
            llama._model.vocab, grammar._grammar.encode("utf-8"),
            grammar._root.encode("utf-8"))
        if not self._grammar:
            self.close()
            raise ValueError("llama.cpp could not parse the grammar")
        self._all = LlamaTokenDataArray(n_vocab=self.n_vocab)
        self._one_data = (llama_cpp.llama_token_data * 1)()
        self._one = llama_cpp.llama_token_data_array(
            data=ctypes.cast(self._one_data, llama_cpp.llama_token_data_p), size=1,
            selected=-1, sorted=False)
        self.tokens = 0  # sampled so far (a test checks this sampler ran)

    def sample(self, ctx: Any, idx: int = -1) -> int:
        lib = self._lib
        pointer = lib.llama_get_logits_ith(ctx.ctx, idx)
        logits = np.ctypeslib.as_array(pointer, shape=(self.n_vocab,))
        self._all.copy_logits(logits)
        candidates = ctypes.byref(self._all.candidates)
        lib.llama_sampler_apply(self._penalties, candidates)
        scores = self._all.candidates_data.logit
        token = int(np.argmax(scores))
        if not self._allowed(token, float(scores[token])):
            lib.llama_sampler_apply(self._grammar, candidates)
            token = int(np.argmax(self._all.candidates_data.logit))
        self.tokens += 1
        lib.llama_sampler_accept(self._penalties, token)
        lib.llama_sampler_accept(self._grammar, token)
        return token

    def _allowed(self, token: int, logit: float) -> bool:
        self._one_data[0].id = token  # type: ignore[assignment]  # ctypes converts
        self._one_data[0].logit = logit
        self._one_data[0].p = 0.0
        self._one.size = 1
        self._one.selected = -1
        self._one.sorted = False
        self._lib.llama_sampler_apply(self._grammar, ctypes.byref(self._one))
        return not math.isinf(self._one_data[0].logit)

    def close(self) -> None:
        for name in ("_penalties", "_grammar"):
            sampler = getattr(self, name, None)
            if sampler:
                self._lib.llama_sampler_free(sampler)
            setattr(self, name, None)

    def __del__(self) -> None:
        self.close()


def install() -> None:
    """Route llama-cpp-python's greedy, grammar-constrained sampling through
    `LazyGrammarSampler` (in the model server child only)."""
    from llama_cpp import Llama

    original = Llama._init_sampler
    if getattr(original, "keel_lazy", False):
        return

    def _init_sampler(self: Any, *args: Any, **kwargs: Any) -> Any:
        grammar = kwargs.get("grammar")
        greedy = (not args and grammar is not None and kwargs.get("temp") == 0.0
                  and kwargs.get("logits_processor") is None
                  and not kwargs.get("mirostat_mode"))
        if greedy:
            try:
                return LazyGrammarSampler(self, grammar, (
                    kwargs.get("repeat_penalty", 1.0), kwargs.get("frequency_penalty", 0.0),
                    kwargs.get("presence_penalty", 0.0)))
            except ValueError:
                pass  # llama-cpp-python's own chain reports the grammar problem
        return original(self, *args, **kwargs)

    _init_sampler.keel_lazy = True  # type: ignore[attr-defined]
    Llama._init_sampler = _init_sampler  # type: ignore[method-assign]
