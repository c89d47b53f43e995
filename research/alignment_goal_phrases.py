"""Goal support read like a non-goal: two copied phrases compared by MiniLM, re-scored.

    .venv/bin/python research/alignment_goal_phrases.py collect OUT.json RUN/report.json ...
    .venv/bin/python research/alignment_goal_phrases.py analyse OUT.json DEV/report.json ...

The non-goal check works because the model is only asked to *name* two short phrases (the
ruled-out action, the proposal's main action), which it does well, and MiniLM decides whether
they are the same kind of action. Goals are still judged by the model's own stance, and it
says "supports" to nearly everything. This probe asks, for every goal or initiative a run
judged "supports", the same kind of question: the statement's target (a few words copied
from the statement) and the proposal's outcome that would move it (a few words copied from
the proposal). `analyse` re-scores the rows with a "supports" counting only when both
phrases are really copied and their cosine is at least t (`alignment_support_gate.recompute`,
checked to reproduce every recorded verdict with no gate), grouped by split and corpus.
Choose on the dev rows; test rows are for the record.

Run of 2026-11-28 (`research/reports/alignment-goal-phrases/`): the model mostly copies the
proposal's own goal into both phrases (cosine near 1, not copied from the statement), so the
"copied" gate drops aligned proposals (sample dev aligned recall 0.90 -> 0.50 at 0.20). The
best dev gate without it (cosine >= 0.50: dev 21 -> 23 of 30 right) does not transfer: 18F test
macro-F1 0.41 -> 0.34 (aligned recall 0.71 -> 0.29), sample test unchanged. Not shipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alignment_rescore import by_split_and_corpus
from alignment_support_gate import collect_supported, probe_main, recompute, recorded, supported
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.alignment.check import KIND_LABELS, _in_proposal
from assistant.core.config import Settings
from assistant.core.errors import GenerationError
from assistant.knowledge.embeddings import MiniLMEmbedder
from assistant.llm.client import LLM
from assistant.llm.prompts import render

QUESTION = ("Name the outcome this statement aims at, and the proposal's own intended outcome "
            "that comes closest to it.")
REPLY = ('{"statement_target": the outcome the statement aims at, a few words copied from the '
         'statement, "proposal_outcome": the proposal\'s intended outcome, a few words copied '
         'from the proposal}')
THRESHOLDS = [round(0.2 + 0.05 * i, 2) for i in range(9)]


class GoalPhrases(BaseModel):
    statement_target: str = Field(max_length=120)
    proposal_outcome: str = Field(max_length=120)


def collect(out: Path, paths: list[Path]) -> None:
    llm = LLM(Settings().model_copy(update={"llm_provider": "local"}))
    embedder = MiniLMEmbedder()

    def measure(row: dict[str, Any], element: str, text: str) -> dict[str, Any]:
        statement = row["statements"][element]
        system, user = render(
            "judge_element", proposal=text, kind_label=KIND_LABELS[row["kinds"][element]],
            element=element, statement=statement, question=QUESTION, reply=REPLY)
        try:
            answer = llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                                    GoalPhrases, max_tokens=120)
        except GenerationError:
            return {"copied": False, "cosine": 0.0, "phrases": []}
        target, outcome = answer.statement_target, answer.proposal_outcome
        a, b = embedder.embed([target, outcome])
        return {"copied": _in_proposal(target, f"{element} {statement}")
                and _in_proposal(outcome, text),
                "cosine": round(sum(x * y for x, y in zip(a, b, strict=True)), 4),
                "phrases": [target, outcome]}

    try:
        collect_supported(out, paths, measure, lambda a: (
            f"{a['cosine']:.2f} {a['copied']!s:5} "
            + " ~ ".join(repr(p[:40]) for p in a["phrases"])))
    finally:
        llm.close()


def analyse(found_path: Path, paths: list[Path]) -> None:
    found, rows = recorded(found_path, paths)
    for copied in (False, True):
        for t in [None, *THRESHOLDS]:
            def gate(r: dict[str, Any], e: str, t: float | None = t,
                     copied: bool = copied) -> bool:
                answer = found[f"{r['id']}\x00{e}"]
                return t is None or (answer["cosine"] >= t and (answer["copied"] or not copied))

            name = "no gate" if t is None else f"cos >= {t:.2f}{' copied' if copied else ''}"
            print(f"{name:<20} " + by_split_and_corpus(rows, lambda r: recompute(r, gate)))
    print("\nsupported goals (row, expected, cosine, copied, phrases):")
    for r in rows:
        for e in supported(r):
            a = found[f"{r['id']}\x00{e}"]
            print(f"{r['id']:16} {r['expected'][:7]:8} {a['cosine']:.2f} {a['copied']!s:5} "
                  f"{' ~ '.join(a['phrases'])[:110]}")


if __name__ == "__main__":
    probe_main(__doc__, "JSON of the phrases per supported goal", collect, analyse)
