"""Draft OKRs for every sample department with the configured model and print the figures.

    KEEL_LLM_PROVIDER=local .venv/bin/python -m benchmarks.bench_drafting [--period 2027-Q1]

Per department: share of KRs passing every error-level check (lint + grounding) in the
first draft and after repair, repair rounds used, wall time; then the checks the README
states: every citation quote is in its chunk, no baseline absent from the cited text.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path
from typing import Any

from assistant.core.config import Settings
from assistant.goals.draft import draft_okrs
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.grounding import number_in_text, quote_in_chunk
from assistant.llm.client import LLM
from benchmarks import PROJECT_ROOT

DEPARTMENTS = ["Marketing", "Sales", "Operations", "Customer Service", "Finance", "People"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--period", default="2027-Q1")
    parser.add_argument("--objectives", type=int, default=2)
    parser.add_argument("--departments", nargs="*", default=DEPARTMENTS)
    args = parser.parse_args()
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="keel-draft-")), workspace="sample")
    with KnowledgeBase(settings) as kb:
        kb.index([PROJECT_ROOT / "knowledge"])
        llm = LLM(settings)
        try:
            rows = [run_one(kb, llm, d, args.period, args.objectives) for d in args.departments]
        finally:
            llm.close()
    print(f"model: {llm.model_name}; period {args.period}; {args.objectives} objectives each")
    print("| department | KRs | pass first draft | pass after repair | repair rounds | "
          "quotes in chunk | invented baselines | wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['department']} | {r['krs']} | {r['first']:.0%} | {r['final']:.0%} | "
              f"{r['rounds']} | {r['quotes_ok']}/{r['quotes']} | {r['invented']} | "
              f"{r['seconds']:.0f} |")
    krs = sum(r["krs"] for r in rows)
    first = sum(r["first"] * r["krs"] for r in rows) / krs
    final = sum(r["final"] * r["krs"] for r in rows) / krs
    print(f"all: {krs} KRs, pass {first:.0%} first -> {final:.0%} after repair; median wall "
          f"{statistics.median(r['seconds'] for r in rows):.0f} s per department")


def run_one(kb: KnowledgeBase, llm: LLM, department: str, period: str,
            count: int) -> dict[str, Any]:
    report = draft_okrs(kb, llm, department, period, count=count)
    citations = [c for o in report.okrs.objectives
                 for c in o.citations + [c for kr in o.key_results for c in kr.citations]]
    chunks = kb.get_chunks([c.chunk_id for c in citations])
    quotes_ok = sum(quote_in_chunk(c.quote, chunks[c.chunk_id].text) for c in citations
                    if c.chunk_id in chunks)
    invented = sum(1 for o in report.okrs.objectives for kr in o.key_results
                   if kr.baseline is not None and not any(
                       number_in_text(kr.baseline, chunks[c.chunk_id].text)
                       for c in kr.citations if c.chunk_id in chunks))
    errors = [f for f in report.findings if f.severity == "error"]
    print(f"{department}: {len(errors)} error findings left; problems left "
          f"{report.problems_left}", flush=True)
    return {"department": department, "krs": sum(len(o.key_results)
                                                 for o in report.okrs.objectives),
            "first": report.kr_pass_first, "final": report.kr_pass_final,
            "rounds": report.repair_rounds, "quotes": len(citations), "quotes_ok": quotes_ok,
            "invented": invented, "seconds": report.seconds}


if __name__ == "__main__":
    main()
