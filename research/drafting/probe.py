"""Where a draft's time goes (issue 28): per department, the first draft's generated tokens,
its problems (what a repair round would be asked to fix), and the same after repairs.

    .venv/bin/python -m research.drafting.probe [Marketing,Operations,Sales] [--rounds 2]

Local model, sample company, confirmed rules map (as bench_speed). Prints per draft: calls,
output tokens per call, problems by kind, KR pass first/final, seconds.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

from langchain_core.messages import HumanMessage

from assistant.core.config import Settings
from assistant.goals.draft import draft_okrs
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM
from assistant.strategy.build import build_map
from benchmarks import PROJECT_ROOT


def kind(problem: str) -> str:
    """A problem's kind: the linter rule id or the grounding/ownership check."""
    if "is not written in" in problem:
        return "baseline not in source"
    if "is not one of the passages" in problem:
        return "unknown source"
    if "repeats work owned by" in problem:
        return "ownership"
    rule = re.search(r"\b([A-Z]{1,2}\d{1,2})\b", problem)
    return rule.group(1) if rule else problem[:60]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("departments", nargs="?", default="Marketing,Operations,Sales")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    from assistant.llm.local_model import MODEL_FILE
    default = Settings()
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="keel-draftprobe-")),
                        workspace="sample", llm_provider="local", local_share=False,
                        local_model_path=default.local_model_path
                        or default.model_dir / MODEL_FILE)
    llm = LLM(settings)
    kb = KnowledgeBase(settings)
    kb.index([PROJECT_ROOT / "knowledge"])
    strategy = [e.model_copy(update={"status": "confirmed"}) for e in build_map(kb)]
    try:
        llm.text([HumanMessage(content="Say OK.")], max_tokens=4)
        for department in args.departments.split(","):
            calls, out = llm.tokens["calls"], llm.tokens["output"]
            start = time.perf_counter()
            report = draft_okrs(kb, llm, department, "2027-Q1", count=3, strategy=strategy,
                                repair_rounds=args.rounds)  # not streamed: usage counted
            seconds = time.perf_counter() - start
            kinds = Counter(kind(p) for p in report.problems_left)
            print(f"{department}: {seconds:.0f} s, calls {llm.tokens['calls'] - calls}, "
                  f"output tokens {llm.tokens['output'] - out}, rounds "
                  f"{report.repair_rounds}, KR pass {report.kr_pass_first:.2f} -> "
                  f"{report.kr_pass_final:.2f}, left {dict(kinds)}", flush=True)
            for note in report.okrs.notes:
                print("   note:", note)
            for o in report.okrs.objectives:
                print("   O:", o.title)
                for k in o.key_results:
                    print("     KR:", k.statement, "| base", k.baseline, "| tgt", k.target)
    finally:
        llm.close()


if __name__ == "__main__":
    main()
