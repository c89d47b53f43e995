"""Every model task's speed and the memory it needs, measured in one run (issue 28).

    .venv/bin/python -m benchmarks.bench_speed [--repeat 3] [--tasks ask,smart,draft,check,
        scenario,map] [--server-args "--n_batch 256"] [--out results.json]
        [--compare earlier.json]

KEEL_LOCAL_LAZY_GRAMMAR=false measures llama-cpp-python's full grammar scan per token;
KEEL_LOCAL_LOOKUP_TOKENS=N prompt-lookup decoding with guesses of up to N tokens.

The sample company is indexed into a fresh data directory (the model file is not copied: set
KEEL_LOCAL_MODEL_PATH, or the default data directory's verified copy is used), the local model
server is started once and warmed with one short request, and the web UI is built in this
process (not served), so that its memory counts as the UI process's would. Each task then runs
`--repeat` times on different inputs from the sample company's eval rows (dev rows where the
task has them; timing, not judgement, is measured here). Printed per task:

* p50 / p95 wall time; for `ask`, also the time to the first shown text (streamed);
* model calls, prompt tokens processed (after llama.cpp's prefix cache) and tokens generated;
* llama.cpp's own time for the same requests (its `llama_perf_context_print` lines in the
  server log: prompt processing plus generation), and wall / llama.cpp: Keel's overhead;
* peak RSS of this process (UI + Keel + Chroma + embeddings), of the model server (the child
  alive at the end: after a restart, only the new one's peak), and both;
* for `draft`, as each draft ends: its KRs passing first and after repair, and repair rounds.

Every figure comes from this one run; the machine is shared, so compare ratios and medians.
Inputs of a task that raised are counted and printed, never timed as if they had run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage
from pydantic import BaseModel

from assistant.alignment.check import check_proposal
from assistant.core.config import Settings
from assistant.core.errors import KeelError
from assistant.goals.draft import draft_okrs
from assistant.goals.smart import draft_smart
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.embeddings import Embedder, build_embedder
from assistant.knowledge.qa import stream_answer
from assistant.llm.client import LLM
from assistant.scenarios.stress import stress_test
from assistant.strategy.build import build_map
from assistant.strategy.extract import extract_prose
from assistant.strategy.model import MapElement
from benchmarks import PROJECT_ROOT
from benchmarks.bench_draft_overhead import timings
from evals.cases import load_cases

TASKS = ("ask", "smart", "draft", "check", "scenario", "map")
DEPARTMENTS = ("Marketing", "Operations", "Sales", "Finance", "Customer Care")


Outcome = tuple[float | None, str]  # (seconds to first shown text, output fingerprint)


@dataclass
class Result:
    """One task's runs: wall seconds, first-text seconds, and per-run model figures."""

    wall: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    prompt: list[int] = field(default_factory=list)
    generated: list[int] = field(default_factory=list)
    llama: list[float] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@dataclass
class Bench:
    kb: KnowledgeBase
    llm: LLM
    log: Path
    strategy: list[MapElement]
    embedder: Embedder

    def measure(self, result: Result, run: Callable[[], Outcome]) -> None:
        """Time `run`; add its time to first text, output fingerprint and model figures."""
        before, offset = dict(self.llm.tokens), self.log.stat().st_size
        start = time.perf_counter()
        try:
            first, output = run()
        except KeelError as exc:
            result.failed.append(f"{type(exc).__name__}: {str(exc)[:120]}")
            return
        result.wall.append(time.perf_counter() - start)
        time.sleep(0.3)  # the server writes its timings after the reply
        requests = timings(self.log, offset)
        result.llama.append(sum(r.get("total", (0.0, 0))[0] for r in requests) / 1000)
        result.calls.append(self.llm.tokens["calls"] - before["calls"])
        # llama.cpp's counts: prompt tokens processed (after its prefix cache), tokens generated
        result.prompt.append(sum(r.get("prompt eval", (0.0, 0))[1] for r in requests))
        result.generated.append(sum(r.get("eval", (0.0, 0))[1] for r in requests))
        result.outputs.append(output)
        if first is not None:
            result.first.append(first)


def _ask(question: str, bench: Bench) -> Outcome:
    start, first, final = time.perf_counter(), None, None
    for piece in stream_answer(question, bench.kb, bench.llm):
        if first is None and isinstance(piece, str) and piece.strip():
            first = time.perf_counter() - start
        final = piece
    return first, _fingerprint(final)


def _smart(inputs: dict[str, str], bench: Bench) -> Outcome:
    goal, findings = draft_smart(bench.kb, bench.llm, inputs["rough_goal"], inputs["department"])
    return None, _fingerprint([goal, findings])


def _draft(department: str, bench: Bench) -> Outcome:
    report = draft_okrs(bench.kb, bench.llm, department, "2027-Q1", count=3,
                        strategy=bench.strategy)
    print(f"  {department}: KRs passing {report.kr_pass_first:.2f} first, "
          f"{report.kr_pass_final:.2f} after repair, {report.repair_rounds} repair round(s)",
          flush=True)
    return None, _fingerprint(report)


def _check(proposal: str, bench: Bench) -> Outcome:
    return None, _fingerprint(check_proposal(proposal, bench.kb, bench.llm,
                                             strategy=bench.strategy))


def _scenario(scenario: str, bench: Bench) -> Outcome:
    return None, _fingerprint(stress_test(scenario, bench.llm, bench.embedder, bench.strategy))


def _map(bench: Bench) -> Outcome:
    return None, _fingerprint(build_map(
        bench.kb, prose=lambda covered: extract_prose(bench.kb, bench.llm, covered)[0]))


_CLOCK = {"seconds", "created_at"}  # differ between runs with the same output


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in _CLOCK}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _fingerprint(result: Any) -> str:
    """SHA-256 of the task's output without its clock fields: equal outputs, equal prints."""
    text = json.dumps(_plain(result), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


Run = Callable[[Bench], Outcome]


def _inputs(task: str, n: int) -> list[Run]:
    """`n` different inputs for a task (one for `map`), each a callable of a Bench."""
    cases = [c for c in load_cases() if c.corpus == "sample"]

    def rows(kind: str, key: str) -> list[Any]:
        mine = [c for c in cases if c.task == kind]
        dev = [c for c in mine if c.metadata.get("split") == "dev"]
        return [c.input[key] if key else c.input for c in (dev or mine)[:n]]

    runs: dict[str, list[Run]] = {
        "ask": [partial(_ask, q) for q in rows("qa", "question")],
        "smart": [partial(_smart, i) for i in rows("smart_goal", "")],
        "draft": [partial(_draft, d) for d in DEPARTMENTS[:n]],
        "check": [partial(_check, p) for p in rows("alignment_check", "proposal")],
        "scenario": [partial(_scenario, s) for s in rows("scenario", "scenario")],
        "map": [_map]}
    return runs[task]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _peak_kb(pid: int) -> int:
    """VmHWM (peak resident set) of a live process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def report(results: dict[str, Result]) -> list[str]:
    lines = [f"{'task':9} {'n':>2} {'p50 s':>7} {'p95 s':>7} {'first s':>7} {'calls':>5} "
             f"{'prompt tok':>10} {'gen tok':>7} {'llama s':>7} {'wall/llama':>10}  failed"]
    for task, r in results.items():
        if not r.wall:
            lines.append(f"{task:9}  0 (all {len(r.failed)} failed: {r.failed[:1]})")
            continue
        ratio = sum(r.wall) / sum(r.llama) if sum(r.llama) else float("nan")
        first = f"{statistics.median(r.first):7.2f}" if r.first else f"{'-':>7}"
        lines.append(
            f"{task:9} {len(r.wall):>2} {statistics.median(r.wall):7.1f} {_pct(r.wall, .95):7.1f}"
            f" {first} {statistics.median(r.calls):5.0f} {statistics.median(r.prompt):10.0f}"
            f" {statistics.median(r.generated):7.0f} {statistics.median(r.llama):7.1f}"
            f" {ratio:10.3f}  {len(r.failed)}")
    return lines


def same_outputs(results: dict[str, Result], before: dict[str, Any]) -> list[str]:
    """Per task: outputs identical to the earlier run's, input by input (fingerprints)."""
    lines = []
    for task, r in results.items():
        old = before.get(task, {}).get("outputs", [])
        same = sum(a == b for a, b in zip(r.outputs, old, strict=False))
        lines.append(f"{task}: {same}/{min(len(r.outputs), len(old))} outputs identical to "
                     "the compared run")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--server-args", default=None,
                        help="extra llama_cpp.server arguments (KEEL_LOCAL_SERVER_ARGS)")
    parser.add_argument("--out", type=Path, default=None, help="also write the figures as JSON")
    parser.add_argument("--compare", type=Path, default=None,
                        help="a previous --out file: how many outputs are identical")
    args = parser.parse_args()
    tasks = [t for t in args.tasks.split(",") if t]
    unknown = set(tasks) - set(TASKS)
    if unknown:
        parser.error(f"unknown tasks {sorted(unknown)}; choose from {TASKS}")
    from assistant.llm.local_model import MODEL_FILE
    from assistant.ui.services import Services
    from assistant.ui.webapp import build_app

    default = Settings()
    model = default.local_model_path or default.model_dir / MODEL_FILE
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="keel-speed-")),
                        workspace="sample", llm_provider="local", local_share=False,
                        local_model_path=model, local_server_args=args.server_args)
    llm = LLM(settings)
    services = Services(settings, llm)
    build_app(services)  # the UI's memory counts, as in the UI process
    kb = services.kb
    kb.index([PROJECT_ROOT / "knowledge"])
    strategy = [e.model_copy(update={"status": "confirmed"}) for e in build_map(kb)]
    results: dict[str, Result] = {}
    try:
        llm.text([HumanMessage(content="Say OK.")], max_tokens=4)  # load the model first
        bench = Bench(kb, llm, settings.data_dir / "logs" / "llama-server.log", strategy,
                      build_embedder(settings))
        for task in tasks:
            results[task] = result = Result()
            for run in _inputs(task, args.repeat):
                bench.measure(result, partial(run, bench))
            print(report({task: result})[-1], flush=True)
        server = llm._server.process.pid if llm._server and llm._server.process else None
        rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        rss_server = _peak_kb(server) if server else 0
    finally:
        llm.close()
    print(f"\nsample company, local model, {os.cpu_count()} cores, server args "
          f"{args.server_args or '(default)'}, lazy grammar {settings.local_lazy_grammar} "
          f"(KEEL_LOCAL_LAZY_GRAMMAR), lookup tokens {settings.local_lookup_tokens} "
          "(KEEL_LOCAL_LOOKUP_TOKENS)")
    print("\n".join(report(results)))
    print(f"peak RSS: UI/Keel process {rss_self / 2**20:.2f} GiB, model server "
          f"{rss_server / 2**20:.2f} GiB, together {(rss_self + rss_server) / 2**20:.2f} GiB "
          "(target <= 3 GB)")
    if args.compare:
        print("\n".join(same_outputs(results, json.loads(args.compare.read_text()))))
    if args.out:
        args.out.write_text(json.dumps({t: vars(r) for t, r in results.items()}
                                       | {"rss_kib": {"self": rss_self, "server": rss_server},
                                          "server_args": args.server_args,
                                          "lazy_grammar": settings.local_lazy_grammar,
                                          "lookup_tokens": settings.local_lookup_tokens},
                                         indent=1))


if __name__ == "__main__":
    main()
