"""Deterministic evaluators: retrieval hit@k, MRR, ID-based context precision and recall."""

from __future__ import annotations

import math
import statistics

__all__ = ["mean", "percentile", "retrieval_scores"]


def retrieval_scores(retrieved: list[str], relevant: list[str], k: int) -> dict[str, float]:
    """hit@k, reciprocal rank, context precision@k and recall@k for one query."""
    top = retrieved[:k]
    wanted = set(relevant)
    hits = [cid for cid in top if cid in wanted]
    rank = next((i for i, cid in enumerate(retrieved, 1) if cid in wanted), None)
    return {"hit_at_k": 1.0 if hits else 0.0,
            "mrr": 1.0 / rank if rank else 0.0,
            "context_precision": len(hits) / len(top) if top else 0.0,
            "context_recall": len(set(hits)) / len(wanted) if wanted else math.nan}


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else math.nan


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
