"""Run the eval suites, write a report, compare with the committed baseline.

Today the harness covers the `qa` task (retrieval and grounded answers) on both corpora;
the drafting, SMART, alignment and lint tasks come with their issues. A crashed case counts
as a failure (score 0), never as skipped.
"""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import KeelError
from assistant.grounding import quote_in_chunk
from assistant.knowledge import KnowledgeBase
from assistant.llm import LLM
from assistant.qa import answer_question

from .cases import CORPORA, Case, load_cases
from .metrics import mean, percentile, retrieval_scores

__all__ = ["BASELINE", "compare", "run_suite"]

BASELINE = Path(__file__).resolve().parent / "baseline.json"
SMOKE_ANSWERS = 3  # model answers per corpus in the smoke suite (the rest: retrieval only)


def run_suite(settings: Settings, suite: str = "smoke", k: int = 5,
              only: str | None = None, llm: LLM | None = None) -> dict[str, Any]:
    """Metrics per corpus for every task present, plus case-level rows."""
    cases = [c for c in load_cases() if only in (None, c.task)]
    report: dict[str, Any] = {"suite": suite, "provider": settings.llm_provider, "k": k,
                              "started": datetime.now(UTC).isoformat(timespec="seconds"),
                              "metrics": {}, "cases": []}
    llm = llm or LLM(settings)
    try:
        for corpus in sorted({c.corpus for c in cases}):
            ws = settings.with_workspace(f"eval-{corpus}")
            with KnowledgeBase(ws) as kb:
                kb.index([CORPORA[corpus]])
                rows = [_qa_case(c, kb, llm, k, answer=suite == "full" or n < SMOKE_ANSWERS)
                        for n, c in enumerate(c for c in cases
                                              if c.corpus == corpus and c.task == "qa")]
            report["cases"] += rows
            report["metrics"][f"{corpus}.qa"] = _summarise(rows)
    finally:
        llm.close()
    return report


def _qa_case(case: Case, kb: KnowledgeBase, llm: LLM, k: int, answer: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"id": case.id, "corpus": case.corpus, "task": case.task}
    try:
        hits = kb.search(case.input["question"], k=k) if k > 0 else []
        row.update(retrieval_scores([h.chunk_id for h in hits], case.reference_chunks, k))
        if answer:
            start = time.perf_counter()
            result = answer_question(case.input["question"], kb, llm)
            row["latency_s"] = time.perf_counter() - start
            chunks = kb.get_chunks([c.chunk_id for c in result.citations])
            valid = [c.chunk_id in chunks and quote_in_chunk(c.quote, chunks[c.chunk_id].text)
                     for c in result.citations]
            row["answered"] = 1.0 if result.covered else 0.0
            row["citation_validity"] = (sum(valid) / len(valid)) if valid else 0.0
            row["cites_reference"] = 1.0 if {c.chunk_id for c in result.citations} & set(
                case.reference_chunks) else 0.0
    except (KeelError, KeyError) as exc:
        row["error"] = f"{type(exc).__name__}: {exc}"
        for key in ("hit_at_k", "mrr", "context_precision", "context_recall"):
            row[key] = 0.0
    return row


def _summarise(rows: list[dict[str, Any]]) -> dict[str, float]:
    def column(key: str) -> list[float]:
        return [float(r[key]) for r in rows if key in r and not math.isnan(float(r[key]))]

    summary = {key: mean(column(key)) for key in (
        "hit_at_k", "mrr", "context_precision", "context_recall", "answered",
        "citation_validity", "cites_reference")}
    summary["cases"] = float(len(rows))
    summary["errors"] = float(sum(1 for r in rows if "error" in r))
    latencies = column("latency_s")
    summary["latency_p50_s"] = percentile(latencies, 0.5)
    summary["latency_p95_s"] = percentile(latencies, 0.95)
    return summary


# metric -> largest allowed drop; latency and counts are reported, not gated
TOLERANCE = {"hit_at_k": 0.03, "mrr": 0.03, "context_recall": 0.03, "context_precision": 0.03,
             "answered": 0.34, "citation_validity": 0.05, "cites_reference": 0.34}


def compare(report: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """Regressions: a gated metric that dropped more than its tolerance, is NaN, or errors."""
    problems = []
    for group, expected in baseline.get("metrics", {}).items():
        got = report["metrics"].get(group)
        if got is None:
            problems.append(f"{group}: missing from this run")
            continue
        if got.get("errors", 0) > 0:
            problems.append(f"{group}: {got['errors']:.0f} case(s) crashed")
        for metric, tolerance in TOLERANCE.items():
            if metric not in expected or math.isnan(expected[metric]):
                continue
            value = got.get(metric, math.nan)
            if math.isnan(value) or value < expected[metric] - tolerance:
                problems.append(f"{group}.{metric}: {value:.3f} vs baseline "
                                f"{expected[metric]:.3f} (tolerance {tolerance})")
    return problems


def write_report(report: dict[str, Any], folder: Path, problems: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report, indent=2, default=str))
    lines = [f"# Keel eval: {report['suite']} suite, provider {report['provider']}",
             f"Started {report['started']}; k = {report['k']}.", "",
             "| corpus.task | cases | hit@k | MRR | ctx precision | ctx recall | answered | "
             "citation validity | cites reference | p50 s | p95 s |", "|---" * 11 + "|"]
    for group, m in report["metrics"].items():
        lines.append(f"| {group} | {m['cases']:.0f} | " + " | ".join(
            f"{m[key]:.2f}" for key in ("hit_at_k", "mrr", "context_precision",
                                        "context_recall", "answered", "citation_validity",
                                        "cites_reference", "latency_p50_s", "latency_p95_s"))
            + " |")
    lines += ["", "Regressions against the baseline:" if problems else "No regression.",
              *[f"- {p}" for p in problems]]
    (folder / "report.md").write_text("\n".join(lines) + "\n")
