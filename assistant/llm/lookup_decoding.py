"""Prompt-lookup decoding without llama-cpp-python's logits for every position (issue 28).

Much of what Keel asks the model for copies its input: a repair round rewrites the draft it was
shown, a KR repeats the JSON keys of the KR before it and the metric names of its passage.
Prompt-lookup decoding guesses the next few tokens by finding the text's last few tokens
earlier in the prompt or answer and proposing what followed them there; one batched decode
then checks the guess, and every guessed token the model would have chosen anyway comes
almost for free. Greedy decoding keeps its own choice at every position, so the answer is the
model's either way (`python -m benchmarks.bench_speed --compare` counts identical outputs:
llama.cpp's batched and single-token arithmetic can differ in the last bits).

llama-cpp-python has this (`draft_model`), but turns `logits_all` on with it: the logits of
every prompt position are computed and kept (151,936 floats, 0.6 MB, per token; ~5 GB at
Keel's context), which the 3 GB memory target forbids. Its sampler reads the logits of the
positions it checks straight from llama.cpp (`llama_get_logits_ith`), so only those positions
need them: `install()` asks for logits at the last `guess + 1` positions of a short decode (a
guess and the token before it) and at the last position of a prompt, nothing more.

`RecentLookup` guesses from the most recent earlier occurrence of the longest suffix of two to
four tokens (llama-cpp-python's own takes the first occurrence of one or two tokens, which in a
JSON answer is often the system prompt's example rather than the last key result). On two
cores a guessed token costs about 25 ms to check against ~38 ms to generate one
(docs/measurements.md), so a wrong guess is not free: matches shorter than three tokens are not
used. Measured on this machine kind it was slower and changed answers, so it is off by default.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["RecentLookup", "install"]


class RecentLookup:
    """The tokens that followed the most recent earlier occurrence of the input's longest
    suffix (`max_ngram` down to `min_ngram` tokens), at most `num_pred` of them."""

    def __init__(self, num_pred: int, max_ngram: int = 6, min_ngram: int = 3) -> None:
        self.num_pred = num_pred
        self.max_ngram = max_ngram
        self.min_ngram = min_ngram

    def __call__(self, input_ids: npt.NDArray[np.intc], /, **_: Any) -> npt.NDArray[np.intc]:
        ids = np.asarray(input_ids)
        n = len(ids)
        for size in range(min(self.max_ngram, n - 1), self.min_ngram - 1, -1):
            windows = np.lib.stride_tricks.sliding_window_view(ids[:-1], size)
            found = np.nonzero(np.all(windows == ids[n - size:], axis=1))[0]
            if len(found):
                start = int(found[-1]) + size
                return ids[start:min(start + self.num_pred, n)].astype(np.intc)
        return np.array([], dtype=np.intc)


def install(num_pred: int) -> None:
    """Give every `Llama` made in this process a `RecentLookup` of `num_pred` tokens, with logits
    only where its guesses are checked (in the model server child only)."""
    from llama_cpp import Llama

    if getattr(Llama.eval, "keel_lookup", False) or num_pred <= 0:
        return
    original_init, original_eval = Llama.__init__, Llama.eval

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if self.draft_model is None:
            self.draft_model = RecentLookup(num_pred)

    def eval(self: Any, tokens: Any) -> None:
        if not isinstance(self.draft_model, RecentLookup) or self._logits_all:
            original_eval(self, tokens)
            return
        checked = len(tokens) <= self.draft_model.num_pred + 1  # a token and its guess
        self._ctx.kv_cache_seq_rm(-1, self.n_tokens, -1)
        for i in range(0, len(tokens), self.n_batch):
            batch = tokens[i:i + self.n_batch]
            n_past, n = self.n_tokens, len(batch)
            self._batch.set_batch(batch=batch, n_past=n_past, logits_all=False)
            if checked:
                for j in range(n):
                    self._batch.batch.logits[j] = True
            self._ctx.decode(self._batch)
            self.input_ids[n_past:n_past + n] = batch
            self.n_tokens += n
            self._requires_eval = False

    eval.keel_lookup = True  # type: ignore[attr-defined]
    Llama.__init__ = __init__  # type: ignore[method-assign]
    Llama.eval = eval  # type: ignore[method-assign]
