"""Goal support by self-consistency: the pipeline's stance question sampled several times.

    .venv/bin/python research/alignment_self_consistency.py collect OUT.json RUN/report.json ...
    .venv/bin/python research/alignment_self_consistency.py analyse OUT.json DEV/report.json ...

At temperature 0 the 1.5B model answers "supports" for nearly every goal it is shown. If that
answer is shaky for a proposal that serves no goal and firm for one that does, sampling the
same question several times (self-consistency, Wang et al. 2023) and counting how often the
grounded answer is "supports" would separate them. `collect` (local model) asks, for every goal
or initiative a recorded run judged "supports", the pipeline's own stance prompt
(`prompts/judge_element.yaml`, same question and reply format) SAMPLES times at TEMPERATURE,
applying the pipeline's rule that a stance counts only when its quoted evidence is in the
proposal. `analyse` re-scores every row with a "supports" counting only when at least k of the
samples said so (`alignment_support_gate.recompute`), grouped by split and corpus. Choose on
the dev rows; test rows, if given, are printed for the record.

Run of 2026-11-28 on the 35 dev rows (`research/reports/alignment-self-consistency/`, 104 pairs,
~25 s each): the sampled answers do vary, but not with alignment. The best-supported goal of
the five dev proposals that serve no goal drew 0, 2, 3, 3 and 4 "supports" of 4 (the mobile
game 4 of 4), of the eleven aligned dev proposals 1 to 4 (nine of them 3 or 4). The best gate
(>= 1 or >= 3 of 4) turns one of 29 sample dev rows right, >= 3 costs aligned recall
(0.90 -> 0.80), and it would add twelve model calls (about a minute) per check. Not shipped;
test rows not collected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alignment_rescore import by_split_and_corpus
from alignment_support_gate import collect_supported, probe_main, recompute, recorded, supported
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.alignment.check import (
    KIND_LABELS,
    QUESTIONS,
    REPLIES,
    ElementJudgement,
    _in_proposal,
)
from assistant.core.config import Settings
from assistant.core.errors import GenerationError
from assistant.llm.client import LLM
from assistant.llm.prompts import render

SAMPLES = 4
TEMPERATURE = 0.8


def collect(out: Path, paths: list[Path]) -> None:
    settings = Settings().model_copy(update={"llm_provider": "local",
                                             "llm_temperature": TEMPERATURE})
    llm = LLM(settings)

    def measure(row: dict[str, Any], element: str, text: str) -> list[str]:
        kind = row["kinds"][element]
        system, user = render(
            "judge_element", proposal=text, kind_label=KIND_LABELS[kind], element=element,
            statement=row["statements"][element], question=QUESTIONS[kind],
            reply=REPLIES["stance"])
        stances = []
        for _ in range(SAMPLES):
            try:
                a = llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                                   ElementJudgement, max_tokens=160)
            except GenerationError:
                stances.append("unreadable")
                continue
            stances.append(a.stance if _in_proposal(a.evidence, text) else "neutral")
        return stances

    try:
        collect_supported(out, paths, measure, lambda a: " ".join(s[:4] for s in a))
    finally:
        llm.close()


def analyse(found_path: Path, paths: list[Path]) -> None:
    found, rows = recorded(found_path, paths)

    def votes(row: dict[str, Any], element: str) -> int:
        return sum(s == "supports" for s in found[f"{row['id']}\x00{element}"])

    for k in [None, *range(1, SAMPLES + 1)]:
        def gate(r: dict[str, Any], e: str, k: int | None = k) -> bool:
            return k is None or votes(r, e) >= k

        name = "no gate" if k is None else f">= {k} of {SAMPLES}"
        print(f"{name:<10} " + by_split_and_corpus(rows, lambda r: recompute(r, gate)))
    print(f"\nsupported goals (split, row, expected, 'supports' of {SAMPLES} samples, element):")
    for r in rows:
        for e in supported(r):
            said = " ".join(s[:4] for s in found[f"{r['id']}\x00{e}"])
            print(f"{r['split']:4} {r['id']:16} {r['expected'][:7]:8} {votes(r, e)} {said}  "
                  f"{e[:50]}")


if __name__ == "__main__":
    probe_main(__doc__, "JSON of the sampled stances per supported goal", collect, analyse)
