"""Drafting overhead and prompt-prefix reuse, read from an `okr_draft` eval run.

    .venv/bin/python benchmarks/draft_timings_from_eval.py RUN_FOLDER SERVER_LOG

RUN_FOLDER holds the eval's report.json; SERVER_LOG is the llama.cpp server log of that run
(`$KEEL_DATA_DIR/logs/llama-server.log`, emptied before the run). Each draft made
1 + repair_rounds requests, in the order of the report's cases. Prints per draft the end-to-end
wall time against the server's own total time for its requests (overhead ratio, target
<= 1.15) and, for every draft after the first of a corpus, its first request's prompt-processing
time against the first draft's (prefix reuse, target <= 0.3). Same measures as
`bench_draft_overhead.py`, over every department of a full eval run.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from bench_draft_overhead import timings  # type: ignore[import-not-found]


def main() -> None:
    folder, log = Path(sys.argv[1]), Path(sys.argv[2])
    rows = [r for r in json.loads((folder / "report.json").read_text())["cases"]
            if r["task"] == "okr_draft" and "error" not in r]
    requests = timings(log, 0)
    needed = sum(1 + int(r["repair_rounds"]) for r in rows)
    if needed != len(requests):
        print(f"warning: {len(requests)} requests in the log, {needed} expected (re-asks?)")
    overheads, reuse, i = [], [], 0
    first_prompt: dict[str, float] = {}
    for r in rows:
        mine = requests[i:i + 1 + int(r["repair_rounds"])]
        i += len(mine)
        server = sum(q["total"][0] for q in mine) / 1000
        prompt_ms, tokens = mine[0]["prompt eval"]
        overheads.append(r["latency_s"] / server)
        note = ""
        if r["corpus"] in first_prompt:
            reuse.append(prompt_ms / first_prompt[r["corpus"]])
            note = f"prefix reuse {reuse[-1]:.2f}"
        else:
            first_prompt[r["corpus"]] = prompt_ms
        print(f"{r['corpus']:>6} {r['department']:<18} wall {r['latency_s']:6.1f} s  server "
              f"{server:6.1f} s  overhead {r['latency_s'] / server:.3f}  first prompt "
              f"{tokens} tokens in {prompt_ms / 1000:.1f} s  {note}")
    print(f"overhead ratio median {statistics.median(overheads):.3f} (target <= 1.15); "
          f"prefix reuse median {statistics.median(reuse):.2f} (target <= 0.3)")


if __name__ == "__main__":
    main()
