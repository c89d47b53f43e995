"""The `okr_draft`, `smart_goal` and `lint` tasks: schema validity, lint pass rate, citation
validity, invented baselines, rule recall; a crashed case scores 0, never skipped."""

from __future__ import annotations

import math
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.core.errors import KeelError
from assistant.core.schemas import KeyResult, OKRSet
from assistant.goals.draft import draft_okrs, start_session
from assistant.goals.lint import lint_okrs
from assistant.goals.okr_io import read_okrs
from assistant.goals.okr_numbers import target_of
from assistant.goals.smart import draft_smart
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.grounding import number_in_text, quote_in_chunk
from assistant.llm.client import LLM
from assistant.strategy.model import MapElement

from .cases import Case
from .metrics import mean, percentile

__all__ = ["draft_case", "lint_case", "smart_case", "summarise_rows"]

_ZERO = {"schema_valid": 0.0, "kr_pass": 0.0, "kr_pass_returned": 0.0, "citation_validity": 0.0}
_PLAIN = re.compile(r"[^a-z0-9]+")


def _repeated(okrs: OKRSet) -> int:
    """Objectives and KRs whose text, letters and digits only, repeats an earlier item of the
    set (an objective restating a KR counts): what a reader sees as the same line twice. Kept
    apart from the linter's own duplicate rule (content stems), which it measures."""
    seen: set[str] = set()
    repeats = 0
    for text in [t for o in okrs.objectives for t in (o.title, *[k.statement
                                                                  for k in o.key_results])]:
        plain = _PLAIN.sub(" ", text.lower()).strip()
        repeats += plain in seen
        seen.add(plain)
    return repeats


def _disagreeing(krs: list[KeyResult]) -> int:
    """KRs whose target or baseline field differs from the number their own statement states
    (read with the OKR reader's `target_of`), e.g. "from 70% to 75%" with baseline 0.74."""
    out = 0
    for kr in krs:
        stated = target_of(kr.statement)
        if stated is None:
            continue
        out += (kr.target is None or not math.isclose(kr.target, stated.value)) or (
            stated.baseline is not None and kr.baseline is not None
            and not math.isclose(kr.baseline, stated.baseline))
    return out


def _citations_valid(citations: list[Any], kb: KnowledgeBase) -> list[bool]:
    chunks = kb.get_chunks([c.chunk_id for c in citations])
    return [c.chunk_id in chunks and quote_in_chunk(c.quote, chunks[c.chunk_id].text)
            for c in citations]


def draft_case(case: Case, kb: KnowledgeBase, llm: LLM,
               strategy: list[MapElement] | None = None) -> dict[str, Any]:
    """One drafting case; `strategy` (the corpus's map as the rules read it, unconfirmed)
    makes it draft from the map (KEEL_DRAFT_FROM=map), else from passages."""
    row: dict[str, Any] = {"id": case.id, "corpus": case.corpus, "task": case.task,
                           "department": case.input["department"]}
    start = time.perf_counter()
    try:
        report = draft_okrs(kb, llm, case.input["department"], case.input["period"],
                            count=int(case.input.get("objectives", 2)), strategy=strategy)
    except KeelError as exc:
        row.update(_ZERO, error=f"{type(exc).__name__}: {exc}")
        row["latency_s"] = time.perf_counter() - start
        return row
    krs = [k for o in report.okrs.objectives for k in o.key_results]
    cites = [c for o in report.okrs.objectives for c in o.citations] + [
        c for k in krs for c in k.citations]
    valid = _citations_valid(cites, kb)
    chunks = kb.get_chunks([c.chunk_id for k in krs for c in k.citations])
    with_baseline = [k for k in krs if k.baseline is not None]
    invented = [k for k in with_baseline if not any(
        c.chunk_id in chunks and number_in_text(k.baseline or 0.0, chunks[c.chunk_id].text)
        for c in k.citations)]
    failing = {f.where for f in report.findings if f.severity == "error" and ", KR " in f.where}
    first = start_session(kb, case.input["department"], case.input["period"],
                          int(case.input.get("objectives", 2)), "committed", strategy=strategy)
    row.update(source=report.source,
               prompt_chars=float(sum(len(str(m.content)) for m in first.history)),
               schema_valid=1.0, kr_pass=report.kr_pass_final, kr_pass_first=report.kr_pass_first,
               kr_pass_returned=1 - len(failing) / len(krs) if krs else 0.0,
               problems_left=report.problems_left[:6],
               repair_rounds=float(report.repair_rounds),
               kr_pass_rounds=report.kr_pass_rounds,
               citation_validity=sum(valid) / len(valid) if valid else 0.0,
               invented_baseline_rate=len(invented) / len(with_baseline) if with_baseline
               else 0.0, unknown_baseline_share=1 - len(with_baseline) / len(krs) if krs
               else math.nan, unsupported_objectives=float(sum(
                   o.support != "supported" for o in report.okrs.objectives)),
               foreign_items=float(sum(" repeats " in p for p in report.problems_left)),
               repeated_items=float(_repeated(report.okrs)),
               numbers_disagree=_share(_disagreeing(krs), krs),
               krs_moved=float(report.krs_moved),
               objectives_short=float(max(0, int(case.input.get("objectives", 2))
                                          - len(report.okrs.objectives))),
               objectives=[o.title for o in report.okrs.objectives],
               notes=report.okrs.notes[:8],
               latency_s=time.perf_counter() - start)
    return row


def smart_case(case: Case, kb: KnowledgeBase, llm: LLM) -> dict[str, Any]:
    row: dict[str, Any] = {"id": case.id, "corpus": case.corpus, "task": case.task}
    start = time.perf_counter()
    try:
        goal, findings = draft_smart(kb, llm, case.input["rough_goal"],
                                     case.input.get("department", ""))
    except KeelError as exc:
        row.update(_ZERO, error=f"{type(exc).__name__}: {exc}")
    else:
        valid = _citations_valid(goal.citations, kb)
        row.update(schema_valid=1.0, kr_pass=0.0 if any(f.severity == "error" for f in findings)
                   else 1.0, citation_validity=sum(valid) / len(valid) if valid else 0.0)
    row["latency_s"] = time.perf_counter() - start
    return row


def lint_case(case: Case) -> dict[str, Any]:
    """Rules expected to fire (reference) against those that did; no model involved."""
    row: dict[str, Any] = {"id": case.id, "corpus": case.corpus, "task": case.task}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "okrs.md"
        path.write_text(case.input["markdown"], encoding="utf-8")
        try:
            fired = {f.rule for f in lint_okrs(read_okrs(path))}
        except KeelError as exc:
            row.update(rule_recall=0.0, rule_precision=0.0, error=str(exc))
            return row
    expected = set(case.reference or [])
    forbidden = set(case.input.get("must_not_fire", []))
    row.update(rule_recall=len(expected & fired) / len(expected) if expected else 1.0,
               rule_precision=0.0 if forbidden & fired else 1.0,
               fired=sorted(fired), expected=sorted(expected))
    return row


def _share(count: int, items: list[Any]) -> float:
    return count / len(items) if items else 0.0


def summarise_rows(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, float]:
    def column(key: str) -> list[float]:
        return [float(r[key]) for r in rows if key in r and not math.isnan(float(r[key]))]

    summary = {key: mean(column(key)) for key in keys}
    summary["cases"] = float(len(rows))
    summary["errors"] = float(sum(1 for r in rows if "error" in r))
    latencies = column("latency_s")
    summary["latency_p50_s"] = percentile(latencies, 0.5)
    summary["latency_p95_s"] = percentile(latencies, 0.95)
    summary["tokens_in_mean"] = mean(column("tokens_in"))
    summary["tokens_out_mean"] = mean(column("tokens_out"))
    return summary
