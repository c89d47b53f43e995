"""What the answer checks of issue 25 add to a grounded answer, in one run (no model time).

    .venv/bin/python benchmarks/bench_answer_checks.py [--rounds 5]

For every non-blind QA question of the eval datasets, with a scripted reply standing in for the
model (it costs nothing, so only Keel's own work is timed), the script times
`finish_answer` alone (what an answer cost before) and `settle` (finish + the checks) on three
replies: a plain answer, a "Yes" answer, and a decline (the path with sentence ranking, a
second ask and the quoted answer). It prints per path the median milliseconds of each and
their ratio, and how many questions took the second ask. Real MiniLM embeddings; the sample
and 18F corpora indexed into a temporary data directory.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.qa import finish_answer, settle
from assistant.llm.client import LLM
from assistant.llm.fake_model import ScriptedChatModel
from evals.cases import CORPORA, load_cases

REPLIES = {"plain": "The documents answer this [S1].",
           "yes": "Yes, that is what we do [S1].",
           "decline": "NOT COVERED"}


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    cases = [c for c in load_cases() if c.task == "qa"]
    base: dict[str, list[float]] = {k: [] for k in REPLIES}
    checked: dict[str, list[float]] = {k: [] for k in REPLIES}
    second_asks = 0
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in ("sample", "18f"):
            settings = Settings(data_dir=Path(tmp), workspace=f"bench-{corpus}",
                                llm_provider="fake")
            with KnowledgeBase(settings) as kb:
                kb.index([CORPORA[corpus]])
                for case in (c for c in cases if c.corpus == corpus):
                    question = case.input["question"]
                    hits = [h for h in kb.search(question) if h.score >= settings.min_relevance]
                    if not hits:
                        continue
                    for path, reply in REPLIES.items():
                        for _ in range(args.rounds):
                            model = ScriptedChatModel(replies=[reply])
                            llm = LLM(settings, chat_model=model)
                            start = time.perf_counter()
                            finish_answer(question, reply, hits, kb)
                            base[path].append(time.perf_counter() - start)
                            start = time.perf_counter()
                            settle(question, reply, hits, kb, llm)
                            checked[path].append(time.perf_counter() - start)
                        second_asks += path == "decline" and model.calls > 0
    print(f"questions: {len(cases)} ({args.rounds} rounds each; scripted replies, real MiniLM)")
    print("| reply | finish_answer p50 ms | settle p50 ms | ratio |")
    print("|---|---|---|---|")
    for path in REPLIES:
        before, after = _median_ms(base[path]), _median_ms(checked[path])
        print(f"| {path} | {before:.1f} | {after:.1f} | {after / before:.2f} |")
    print(f"declines that took a second ask: {second_asks} of {len(cases)}")


if __name__ == "__main__":
    main()
