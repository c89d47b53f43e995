"""Keel's overhead on a draft, and the reuse of the static prompt prefix, in one run.

    .venv/bin/python -m benchmarks.bench_draft_overhead [--first Marketing --second Finance]

llama.cpp prints its own timings for every request (`llama_perf_context_print`) to the
server log; this script reads them. It prints:
1. end-to-end wall time of one `draft_okrs` call against the server's own total time for the
   same requests (same prompts, same output tokens): the overhead ratio (target <= 1.15);
2. prompt-processing time of the first request of a second draft (another department, same
   workspace) against the first draft's (target <= 0.3: the company prefix is reused).
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from assistant.core.config import Settings
from assistant.goals.draft import draft_okrs
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM
from benchmarks import PROJECT_ROOT

_TIMING = re.compile(r"llama_perf_context_print:\s+(prompt eval|eval|total) time =\s+([\d.]+) ms"
                     r"\s*/\s*(\d+)")


def timings(log: Path, offset: int) -> list[dict[str, tuple[float, int]]]:
    """Per request: {'prompt eval': (ms, tokens), 'eval': …, 'total': …} after `offset`."""
    requests: list[dict[str, tuple[float, int]]] = []
    current: dict[str, tuple[float, int]] = {}
    for kind, ms, count in _TIMING.findall(log.read_text(errors="replace")[offset:]):
        current[kind] = (float(ms), int(count))
        if kind == "total":
            requests.append(current)
            current = {}
    return requests


Timings = list[dict[str, tuple[float, int]]]


def draft(kb: KnowledgeBase, llm: LLM, department: str, log: Path) -> tuple[float, Timings]:
    offset = len(log.read_text(errors="replace"))
    start = time.perf_counter()
    report = draft_okrs(kb, llm, department, "2027-Q1", count=2)
    wall = time.perf_counter() - start
    time.sleep(0.5)  # let the server finish writing its timings
    reqs = timings(log, offset)
    print(f"{department}: {len(reqs)} requests, {report.repair_rounds} repair rounds, wall "
          f"{wall:.1f} s, server total {sum(r['total'][0] for r in reqs) / 1000:.1f} s")
    return wall, reqs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--first", default="Marketing")
    parser.add_argument("--second", default="Finance")
    args = parser.parse_args()
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="keel-overhead-")),
                        workspace="sample", llm_provider="local")
    with KnowledgeBase(settings) as kb:
        kb.index([PROJECT_ROOT / "knowledge"])
        llm = LLM(settings)
        try:
            _ = llm.chat
            log = settings.data_dir / "logs" / "llama-server.log"
            wall, first = draft(kb, llm, args.first, log)
            _, second = draft(kb, llm, args.second, log)
        finally:
            llm.close()
    server = sum(r["total"][0] for r in first) / 1000
    print(f"overhead: wall {wall:.1f} s / server {server:.1f} s = {wall / server:.3f} "
          "(target <= 1.15)")
    p1, p2 = first[0]["prompt eval"], second[0]["prompt eval"]
    print(f"prompt processing, first request: draft 1 {p1[0] / 1000:.1f} s for {p1[1]} tokens; "
          f"draft 2 {p2[0] / 1000:.1f} s for {p2[1]} tokens; ratio {p2[0] / p1[0]:.2f} "
          "(target <= 0.3)")


if __name__ == "__main__":
    main()
