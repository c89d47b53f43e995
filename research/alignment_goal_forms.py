"""The goal-support question asked in two opposite forms, re-scored on recorded runs.

    .venv/bin/python research/alignment_goal_forms.py collect OUT.json RUN/report.json ...
    .venv/bin/python research/alignment_goal_forms.py analyse OUT.json DEV/report.json TEST...

The 1.5B model says "supports" to nearly every goal it is shown: a mobile game, a bakery, a
hockey sponsorship, a loyalty token and an energy drink (dev rows written for this probe) all
"support" a pillar or the annual plan and come out aligned. A bias towards "yes" cancels out
when the same question is also asked the other way round, where "yes" means *no* support:
`collect` (local model) asks, for every goal or initiative a run judged "supports", the
pipeline's yes/no prompt (`prompts/judge_yes_no.yaml`, first-token probability) with
  helps:     "Would carrying out this proposal directly help ... ?" (the strain check's)
  unrelated: "Is this proposal unrelated to what this statement describes ... ?"
`analyse` re-scores every row with a "supports" counting only when P(helps) - P(unrelated)
is above t (`alignment_support_gate.recompute`: the shipped formula over the recorded stances,
checked to reproduce every recorded verdict with no gate), grouped by split and corpus.
Choose on the dev rows; test rows are for the record.

Run of 2026-11-28 (`research/reports/alignment-goal-forms/`): both answers sit at 0.22-0.65 and
"unrelated" is above "helps" for nearly every pair, aligned or not. The best dev gate (gap >
-0.20) turned one dev proposal right (the loyalty token; sample dev macro-F1 0.70 -> 0.73) and
changed no test verdict. Not shipped: eight more model calls per check for nothing on test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alignment_rescore import by_split_and_corpus
from alignment_support_gate import collect_supported, probe_main, recompute, recorded, supported
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.alignment.check import KIND_LABELS, YES_NO
from assistant.core.config import Settings
from assistant.llm.client import LLM
from assistant.llm.prompts import render

FORMS = {"helps": YES_NO["helps"],
         "unrelated": ("Is this proposal unrelated to what this statement describes, so that "
                       "carrying it out would not move it forward? Answer yes or no.")}
THRESHOLDS = [round(-0.2 + 0.05 * i, 2) for i in range(11)]


def collect(out: Path, paths: list[Path]) -> None:
    llm = LLM(Settings().model_copy(update={"llm_provider": "local"}))

    def measure(row: dict[str, Any], element: str, proposal: str) -> dict[str, float]:
        answers = {}
        for form, question in FORMS.items():
            system, user = render(
                "judge_yes_no", proposal=proposal, kind_label=KIND_LABELS[row["kinds"][element]],
                element=element, statement=row["statements"][element], question=question)
            p = llm.choice_probabilities([SystemMessage(content=system),
                                          HumanMessage(content=user)], ["yes", "no"])
            answers[form] = round(p["yes"], 4)
        return answers

    try:
        collect_supported(out, paths, measure,
                          lambda a: f"helps {a['helps']:.3f} unrelated {a['unrelated']:.3f}")
    finally:
        llm.close()


def analyse(found_path: Path, paths: list[Path]) -> None:
    found, rows = recorded(found_path, paths)

    def gap(row: dict[str, Any], element: str) -> float:
        answers = found[f"{row['id']}\x00{element}"]
        return float(answers["helps"] - answers["unrelated"])

    for t in [None, *THRESHOLDS]:
        def gate(r: dict[str, Any], e: str, t: float | None = t) -> bool:
            return t is None or gap(r, e) > t

        name = "no gate" if t is None else f"gap > {t:+.2f}"
        print(f"{name:<12} " + by_split_and_corpus(rows, lambda r: recompute(r, gate)))
    print("\nsupported goals (row, expected, P(helps), P(unrelated), element):")
    for r in rows:
        for e in supported(r):
            a = found[f"{r['id']}\x00{e}"]
            print(f"{r['id']:16} {r['expected'][:7]:8} {a['helps']:.3f} {a['unrelated']:.3f} "
                  f"{e[:60]}")


if __name__ == "__main__":
    probe_main(__doc__, "JSON of the two answers per supported goal", collect, analyse)
