"""Time to first visible text and to completion for an OKR request in the chat, in a real
browser (system Chromium via Playwright) against the local model.

    .venv/bin/python -m benchmarks.bench_ui_stream [--runs 3]

Prints, per run and as medians: first visible text (Keel's status line naming the retrieved
passages), first text written by the model (the streamed outline of the draft), and the
complete, checked card. Target: first visible text within 3 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.ui.webapp import Services, build_app
from benchmarks import PROJECT_ROOT


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--department", default="marketing")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="keel-ui-bench-")),
                        workspace="sample", llm_provider="local")
    with KnowledgeBase(settings) as kb:
        kb.index([PROJECT_ROOT / "knowledge"])
    services = Services(settings)
    _ = services.llm.chat
    demo = build_app(services)
    demo.queue().launch(server_name="127.0.0.1", server_port=7871, prevent_thread_lock=True)
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                        headless=True, args=["--no-sandbox"])
            for run in range(1, args.runs + 1):
                page = browser.new_context().new_page()
                page.goto("http://127.0.0.1:7871")
                box = page.get_by_placeholder("What will we not do?", exact=False)
                box.fill(f"Draft Q1 OKRs for {args.department}")
                start = time.perf_counter()
                page.get_by_role("button", name="Send").click()
                page.get_by_text("Drafting", exact=False).first.wait_for(timeout=60_000)
                first = time.perf_counter() - start
                page.get_by_text("Writing…", exact=False).first.wait_for(timeout=600_000)
                model = time.perf_counter() - start
                page.get_by_text("Checks", exact=False).first.wait_for(timeout=1_200_000)
                done = time.perf_counter() - start
                rows.append((first, model, done))
                print(f"run {run}: first visible text {first:.1f} s, first model text "
                      f"{model:.1f} s, complete {done:.1f} s", flush=True)
                page.context.close()
            browser.close()
    finally:
        demo.close()
        services.close()
    first, model, done = (statistics.median(c) for c in zip(*rows, strict=True))
    print(f"median over {len(rows)} runs: first visible text {first:.1f} s (target <= 3 s), "
          f"first model text {model:.1f} s, complete {done:.1f} s")


if __name__ == "__main__":
    main()
