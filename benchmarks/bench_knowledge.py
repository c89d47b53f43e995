"""Indexing throughput and query latency, measured in one run on this machine.

    .venv/bin/python -m benchmarks.bench_knowledge [--copies 8] [--queries 200]

Prints (1) chunks/s of `KnowledgeBase.index` against the raw embedding function on the
very same chunk texts (target ratio >= 0.8), and (2) p50/p95 of `KnowledgeBase.search`
against a bare Chroma query with a precomputed embedding.
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
from assistant.knowledge.documents import chunk_document, parse_document
from assistant.knowledge.embeddings import MiniLMEmbedder
from benchmarks import PROJECT_ROOT

CORPORA = [PROJECT_ROOT / "knowledge", PROJECT_ROOT / "evals" / "corpora" / "18f-tts-consulting"]
QUERIES = ["What will we not do?", "subscriber churn", "partner satisfaction measures",
           "cost to roast a kilo", "employee engagement", "How do we plan engagements?"]


def build_corpus(root: Path, copies: int) -> Path:
    """`copies` variants of the real corpora, each edited so every chunk is distinct."""
    folder = root / "corpus"
    for n in range(copies):
        for corpus in CORPORA:
            for src in corpus.rglob("*.md"):
                dst = folder / f"copy{n}" / corpus.name / src.relative_to(corpus)
                dst.parent.mkdir(parents=True, exist_ok=True)
                text = src.read_text()
                dst.write_text(text.replace(". ", f". (v{n}) ", 3))
    return folder


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="keel-bench-"))
    try:
        corpus = build_corpus(tmp, args.copies)
        settings = Settings(data_dir=tmp / "data", workspace="bench", llm_provider="fake")
        embedder = MiniLMEmbedder(settings.embedding_batch_size)
        embedder.embed(["warm up the session"])
        with KnowledgeBase(settings, embedder=embedder) as kb:
            start = time.perf_counter()
            report = kb.index([corpus])
            index_s = time.perf_counter() - start
            chunks = report.chunks_total
            texts = []
            for path in sorted(corpus.rglob("*.md")):
                doc = parse_document(path, path.relative_to(corpus.parent).as_posix(), 10**8)
                texts += [f"{doc.title} — {c.section}\n{c.text}"
                          for c in chunk_document(doc, settings.chunk_size, settings.chunk_overlap)]
            start = time.perf_counter()
            step = max(settings.embedding_batch_size * 4, 64)
            for i in range(0, len(texts), step):
                embedder.embed(texts[i : i + step])
            raw_s = time.perf_counter() - start

            queries = [QUERIES[i % len(QUERIES)] + f" {i}" for i in range(args.queries)]
            vectors = embedder.embed(queries)
            keel_ms, bare_ms = [], []
            for query, vector in zip(queries, vectors, strict=True):
                t0 = time.perf_counter()
                kb.search(query, k=6)
                t1 = time.perf_counter()
                kb.collection.query(query_embeddings=[vector], n_results=6,
                                    include=["documents", "metadatas", "distances"])
                t2 = time.perf_counter()
                keel_ms.append((t1 - t0) * 1000)
                bare_ms.append((t2 - t1) * 1000)
        print(f"chunks indexed: {chunks} (raw embedding pass over {len(texts)} identical texts)")
        print(f"indexing: {chunks / index_s:.1f} chunks/s; raw embedding: "
              f"{len(texts) / raw_s:.1f} chunks/s; ratio {raw_s / index_s:.2f} (target >= 0.8)")
        for name, values in (("keel search", keel_ms), ("bare chroma query", bare_ms)):
            print(f"{name}: p50 {statistics.median(values):.2f} ms, "
                  f"p95 {percentile(values, 0.95):.2f} ms over {len(values)} queries")
        p50_ratio = statistics.median(keel_ms) / statistics.median(bare_ms)
        p95_ratio = percentile(keel_ms, 0.95) / percentile(bare_ms, 0.95)
        print(f"search/bare ratio: p50 {p50_ratio:.2f}, p95 {p95_ratio:.2f} "
              "(the difference is embedding the query text)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
