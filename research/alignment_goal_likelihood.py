"""Goal support read from the model's likelihood of the text, not its answer. Re-scored.

    .venv/bin/python research/alignment_goal_likelihood.py collect OUT.json RUN/report.json ...
    .venv/bin/python research/alignment_goal_likelihood.py analyse OUT.json DEV/report.json ...

Every question-form probe so far (measurements "More second opinions") met the same wall: asked
about a goal, the 1.5B model says "yes, it helps" to nearly anything, and its yes/no
probabilities sit at 0.2-0.65 whatever the phrasing. Small language models are often better
*scorers of text* than answerers of questions ("noisy channel" prompting, Min et al. 2022;
domain-conditional PMI, Holtzman et al. 2021). So this probe never asks: for every goal or
initiative a recorded run judged "supports", it measures with the plain language model
(no chat template, `logits_all`) how much the goal makes the text more likely:

  forward:  mean log P(proposal | "strategy says: GOAL; a proposal to carry it out:")
            - mean log P(proposal | "a proposal to carry out the company's strategy:")
  backward: mean log P(GOAL | "proposal: PROPOSAL; the strategy it carries out:")
            - mean log P(GOAL | "the part of the company's strategy:")

(per token, nats). `analyse` re-scores every row with a "supports" counting only when the
chosen measure is above t (`alignment_support_gate.recompute`, checked to reproduce every
recorded verdict with no gate), grouped by split and corpus. Choose on the dev rows; test rows
are printed for the record.

Run of 2026-11-28 (`research/reports/alignment-goal-likelihood/`, 216 pairs, ~5 s each): it
measures topic, like MiniLM. The best supported goal (forward + backward) of the five dev
proposals that serve no goal scored 0.53-0.94, of the nine aligned sample dev ones 0.62-1.66,
of the 18F aligned ones 0.01-1.01 (another scale for another corpus). No dev threshold moved
sample dev by more than two rows, and every positive one collapsed 18F. Not shipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from alignment_rescore import by_split_and_corpus
from alignment_support_gate import collect_supported, probe_main, recompute, recorded, supported

from assistant.core.config import Settings
from assistant.llm.local_model import ensure_model

PROMPTS = {
    "forward": ("The company's strategy says:\n{goal}\n\nA project proposal written to carry "
                "out exactly this part of the strategy:\n", "A project proposal written to "
                "carry out the company's strategy:\n"),
    "backward": ("Project proposal:\n{proposal}\n\nThe part of the company's strategy this "
                 "project carries out:\n", "The part of the company's strategy:\n"),
}
MEASURES = ("forward", "backward", "both")


class Scorer:
    """Log-likelihood of a continuation after a prefix, reusing the evaluated common prefix."""

    def __init__(self, model_path: Path) -> None:
        from llama_cpp import Llama
        self.llama = Llama(model_path=str(model_path), n_ctx=2048, n_threads=2, n_batch=256,
                           logits_all=True, verbose=False)

    def mean_logprob(self, prefix: str, continuation: str) -> float:
        ll = self.llama
        head = ll.tokenize(prefix.encode(), add_bos=False, special=False)
        tail = ll.tokenize(continuation.encode(), add_bos=False, special=False)
        ids = head + tail
        keep = 0
        for a, b in zip(ll.input_ids[: ll.n_tokens], ids[:-1], strict=False):
            if a != b:
                break
            keep += 1
        ll.n_tokens = keep
        ll.eval(ids[keep:])
        logits = np.asarray(ll.scores[len(head) - 1: len(ids) - 1], dtype=np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return float(np.mean(logp[np.arange(len(tail)), tail]))


def measures(scorer: Scorer, proposal: str, goal: str,
             plain: dict[tuple[str, str], float]) -> dict[str, float]:
    """Both measures for one pair; `plain` caches the unconditioned likelihoods."""
    out = {}
    for name, text, other, key in (("forward", proposal, "goal", goal),
                                   ("backward", goal, "proposal", proposal)):
        cond, base = PROMPTS[name]
        if (name, text) not in plain:
            plain[(name, text)] = scorer.mean_logprob(base, text)
        out[name] = round(scorer.mean_logprob(cond.format(**{other: key}), text)
                          - plain[(name, text)], 4)
    return out


def collect(out: Path, paths: list[Path]) -> None:
    scorer = Scorer(ensure_model(Settings()))
    plain: dict[tuple[str, str], float] = {}
    collect_supported(out, paths, lambda row, element, proposal: measures(
        scorer, proposal.strip(), " ".join(row["statements"][element].split()), plain),
        lambda a: f"fwd {a['forward']:+.3f} bwd {a['backward']:+.3f}")


def value(answers: dict[str, float], measure: str) -> float:
    if measure == "both":
        return answers["forward"] + answers["backward"]
    return answers[measure]


def analyse(found_path: Path, paths: list[Path]) -> None:
    found, rows = recorded(found_path, paths)
    print("no gate        " + by_split_and_corpus(rows, lambda r: recompute(r, lambda r, e: True)))
    for measure in MEASURES:
        values = sorted(value(a, measure) for a in found.values())
        for q in (0.1, 0.2, 0.3, 0.4, 0.5):
            t = values[int(q * (len(values) - 1))]

            def gate(r: dict[str, Any], e: str, t: float = t, m: str = measure) -> bool:
                return value(found[f"{r['id']}\x00{e}"], m) > t

            print(f"{measure:>8} > {t:+.3f} " + by_split_and_corpus(
                rows, lambda r, g=gate: recompute(r, g)))  # type: ignore[misc]
    print("\nsupported goals (row, expected, forward, backward, element):")
    for r in rows:
        for e in supported(r):
            a = found[f"{r['id']}\x00{e}"]
            print(f"{r['split']:4} {r['id']:16} {r['expected'][:7]:8} {a['forward']:+.3f} "
                  f"{a['backward']:+.3f} {e[:55]}")


if __name__ == "__main__":
    probe_main(__doc__, "JSON of the two measures per supported goal", collect, analyse)
