"""Concurrent UI sessions: error rate, p50/p95 latency, state bleed, and "busy" past capacity.

    .venv/bin/python benchmarks/bench_load.py [--sessions 8] [--rounds 2] [--provider fake]

Starts the real app (`webapp.serve`, the production queue settings) on loopback over a copy of
the sample company, then runs `--sessions` gradio_client sessions at once. Each session, per
round: drafts OKRs for its own department in the chat, asks a follow-up that refines "the last
draft" (kept in that session's server-side state), searches, uploads a document carrying its
own canary and checks a proposal. Bleed = a follow-up answered with another session's
department. Then it floods the queue (`ui_queue_size` small) and counts requests answered
"busy" (queue full) against requests that hung past the timeout (must be 0).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gradio_client import Client, handle_file

from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.ui.services import Services
from assistant.ui.webapp import serve
from tests.support import PROJECT_ROOT

DEPARTMENTS = ["Marketing", "Sales", "Finance", "Operations", "People", "Customer Service"]
PROPOSAL = ("Build a self-service onboarding portal so new customers go live in a week "
            "without staff help; two engineers for one quarter; measured by time to go live.")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_app(settings: Settings) -> tuple[str, Services, Any]:
    """The app on a free loopback port over the sample company (indexed if needed)."""
    with KnowledgeBase(settings) as kb:
        kb.index([PROJECT_ROOT / "knowledge"])
    services = Services(settings)
    port = _port()
    demo = serve(services, port=port, block=False)
    return f"http://127.0.0.1:{port}/", services, demo


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.bleed: list[str] = []

    def timed(self, name: str, call: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            result = call()
        except Exception as exc:  # recorded, never hidden
            with self.lock:
                self.errors.append(f"{name}: {type(exc).__name__}: {str(exc)[:200]}")
            return None
        with self.lock:
            self.latencies.setdefault(name, []).append(time.perf_counter() - start)
        return result


def session(url: str, n: int, rounds: int, rec: Recorder, folder: Path) -> None:
    client = Client(url, verbose=False)
    department = DEPARTMENTS[n % len(DEPARTMENTS)]
    others = [d for d in DEPARTMENTS if d != department]
    for r in range(rounds):
        rec.timed("chat: draft", lambda: client.predict(
            f"Draft Q1 2027 OKRs for {department.lower()}", [], "sample", api_name="/chat"))
        reply = rec.timed("chat: follow-up", lambda: client.predict(
            "make KR1 more ambitious", [], "sample", api_name="/chat"))
        if reply is not None:
            text = _answer(reply[0])
            if department not in text or any(f"# {o}" in text for o in others):
                with rec.lock:
                    rec.bleed.append(f"session {n} ({department}) got: {text[:120]!r}")
        rec.timed("search", lambda: client.predict("what will we not do", "sample",
                                                   api_name="/search"))
        doc = folder / f"load-note-{n}-{r}.md"
        doc.write_text(f"# Load note {n}\n\nSession {n} round {r}. Marker LOAD-{n}-{r}.\n")
        rec.timed("upload", lambda doc=doc: client.predict(  # type: ignore[misc]
            [handle_file(str(doc))], "sample", api_name="/upload"))
        rec.timed("check", lambda: client.predict("sample", PROPOSAL, None,
                                                  api_name="/check"))


def _answer(history: list[dict[str, Any]]) -> str:
    """The assistant's answer in a returned chat history (citation messages have a title)."""
    return " ".join(str(m["content"]) for m in history
                    if m.get("role") == "assistant" and not (m.get("metadata") or {}).get("title"))


def run_load(url: str, sessions: int, rounds: int, folder: Path) -> Recorder:
    rec = Recorder()
    threads = [threading.Thread(target=session, args=(url, n, rounds, rec, folder))
               for n in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return rec


def flood(url: str, requests: int, timeout: float) -> dict[str, int]:
    """Many chat requests at once against a small queue: each is served or told 'busy'."""
    outcome = {"served": 0, "busy": 0, "other error": 0, "hung": 0}
    lock = threading.Lock()
    clients = [Client(url, verbose=False) for _ in range(requests)]  # connected beforehand
    errors: list[str] = []

    def one(n: int) -> None:
        job = clients[n].submit(
            f"Draft Q1 2027 OKRs for {DEPARTMENTS[n % 6].lower()}", [], "sample",
            api_name="/chat")
        try:
            job.result(timeout=timeout)
            key = "served"
        except TimeoutError:
            key = "hung"
        except Exception as exc:
            key = "busy" if "queue is full" in str(exc).lower() else "other error"
            if key == "other error":
                errors.append(f"{type(exc).__name__}: {str(exc)[:160]}")
        with lock:
            outcome[key] += 1

    threads = [threading.Thread(target=one, args=(n,)) for n in range(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for line in sorted(set(errors))[:3]:
        print("  flood error:", line)
    return outcome


def summary(rec: Recorder) -> list[str]:
    lines = []
    for name, values in rec.latencies.items():
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        lines.append(f"{name:<16} n={len(values):>3}  p50 {statistics.median(values):6.2f} s  "
                     f"p95 {p95:6.2f} s")
    total = sum(len(v) for v in rec.latencies.values()) + len(rec.errors)
    lines.append(f"errors {len(rec.errors)}/{total} ({len(rec.errors) / max(total, 1):.1%}); "
                 f"state bleed {len(rec.bleed)}")
    return lines + rec.errors[:5] + rec.bleed[:5]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--provider", default="fake", choices=["fake", "local"])
    parser.add_argument("--flood", type=int, default=24)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="keel-load-"))
    settings = Settings(data_dir=work / "data", workspace="sample", llm_provider=args.provider)
    url, services, demo = start_app(settings)
    try:
        start = time.perf_counter()
        rec = run_load(url, args.sessions, args.rounds, work)
        print(f"{args.sessions} sessions x {args.rounds} rounds ({args.provider} model) in "
              f"{time.perf_counter() - start:.0f} s, queue size {settings.ui_queue_size}, "
              f"concurrency {settings.ui_concurrency} per event")
        print("\n".join(summary(rec)))
    finally:
        demo.close()
        services.close()
    if args.flood:  # the same app with a small queue, to see what happens past capacity
        small = settings.model_copy(update={"ui_queue_size": 6})
        url, services, demo = start_app(small)
        try:
            print(f"flood of {args.flood} chats at once, queue size 6: "
                  f"{flood(url, args.flood, 600)}")
        finally:
            demo.close()
            services.close()

if __name__ == "__main__":
    main()
