"""The `alignment_check` task: verdicts against labels, per corpus."""

from __future__ import annotations

import math
import time
from typing import Any

from assistant.alignment.check import check_proposal
from assistant.core.errors import KeelError
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM
from assistant.strategy.model import MapElement

from .cases import Case
from .metrics import classification_scores, mean, percentile, wilson

__all__ = ["LABELS", "alignment_case", "summarise_alignment"]

LABELS = ["aligned", "partially_aligned", "misaligned"]


def alignment_case(case: Case, kb: KnowledgeBase, llm: LLM,
                   strategy: list[MapElement] | None = None) -> dict[str, Any]:
    """One proposal checked; an error is a wrong answer ("error"), never a skipped case.
    `strategy`: the map the second design decides from (KEEL_ALIGNMENT_VERDICTS=evidence)."""
    row: dict[str, Any] = {"id": case.id, "corpus": case.corpus, "task": case.task,
                           "expected": case.reference,
                           "split": case.metadata.get("split", "test")}
    start = time.perf_counter()
    try:
        report = check_proposal(case.input["proposal"], kb, llm, strategy=strategy)
        row.update(predicted=report.verdict, score=report.score,
                   confidence=report.confidence, basis=report.basis,
                   stances={f.element: f.stance for f in report.findings},
                   duplicate=any(f.duplicate for f in report.findings),
                   kinds={f.element: f.kind for f in report.findings},
                   margins={f.element: round(f.p_against - f.p_helps, 4)
                            for f in report.findings
                            if f.p_against is not None and f.p_helps is not None},
                   reasons={f.element: f.reason[:240] for f in report.findings},
                   # to re-score stance rules later without asking the model again
                   similarity={f.element: round(f.similarity, 4) for f in report.findings},
                   evidence={f.element: f.proposal_evidence for f in report.findings
                             if f.proposal_evidence},
                   statements={f.element: f.statement for f in report.findings},
                   score_parts=report.score_parts)  # reasons: to read a wrong row later
        if report.review is not None:  # the second design: re-score TRACE_AT offline
            review = report.review
            row["review"] = {
                "rule_decided": review.basis.startswith(("A confirmed element",
                                                         "Needs changing")),
                "trace": review.trace.model_dump() if review.trace else None,
                "closest": [t.model_dump() for t in review.closest],
                "questions": review.questions}
    except KeelError as exc:
        row.update(predicted="error", error=f"{type(exc).__name__}: {exc}")
    row["latency_s"] = time.perf_counter() - start
    return row


def summarise_alignment(rows: list[dict[str, Any]]) -> dict[str, Any]:
    scores = classification_scores([(r["expected"], r["predicted"]) for r in rows], LABELS)
    recall = scores["recall"]
    assert isinstance(recall, dict)
    latencies = [r["latency_s"] for r in rows if not math.isnan(r["latency_s"])]
    return {"cases": float(len(rows)), "errors": float(sum("error" in r for r in rows)),
            "accuracy": scores["accuracy"], "macro_f1": scores["macro_f1"],
            **{f"recall_{label}": recall.get(label, math.nan) for label in LABELS},
            "confusion": scores["confusion"],
            # is "high" confidence earned? [right, checked] per level (errors count as low)
            "right_by_confidence": {level: [
                sum(r["expected"] == r["predicted"] for r in rows
                    if r.get("confidence", "low") == level),
                sum(r.get("confidence", "low") == level for r in rows)]
                for level in ("high", "medium", "low")},
            **_decisive(rows),
            "latency_p50_s": percentile(latencies, 0.5),
            "latency_p95_s": percentile(latencies, 0.95),
            "latency_mean_s": mean(latencies),
            "tokens_in_mean": mean([r.get("tokens_in", math.nan) for r in rows]),
            "tokens_out_mean": mean([r.get("tokens_out", math.nan) for r in rows])}


DECISIVE = ("aligned", "partially_aligned", "misaligned")


def _decisive(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The second design's figures: coverage (share of decisive verdicts), precision of each
    decisive verdict with its 95% Wilson interval, and misaligned proposals approved."""
    decided = [r for r in rows if r["predicted"] in DECISIVE]
    out: dict[str, Any] = {"coverage": len(decided) / len(rows) if rows else math.nan,
                           "coverage_ci95": list(wilson(len(decided), len(rows))),
                           "misaligned_approved": float(sum(
                               r["expected"] == "misaligned" and r["predicted"] == "aligned"
                               for r in rows))}
    for label in DECISIVE:
        said = [r for r in decided if r["predicted"] == label]
        right = sum(r["expected"] == label for r in said)
        out[f"precision_{label}"] = right / len(said) if said else math.nan
        out[f"precision_{label}_n"] = [right, len(said)]
        out[f"precision_{label}_ci95"] = list(wilson(right, len(said)))
    return out
