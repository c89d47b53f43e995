"""Deterministic evaluators: retrieval hit@k, MRR, ID-based context precision and recall."""

from __future__ import annotations

import math
import statistics

__all__ = ["classification_scores", "mean", "percentile", "retrieval_scores"]


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


def classification_scores(pairs: list[tuple[str, str]], labels: list[str]) -> dict[str, object]:
    """Accuracy, macro-F1 over `labels`, per-class recall and the confusion matrix.

    `pairs` are (expected, predicted); a predicted label outside `labels` (e.g. an error or
    `insufficient_information`) is a miss for its expected class, never dropped.
    """
    if not pairs:
        return {"accuracy": math.nan, "macro_f1": math.nan, "recall": {}, "confusion": {}}
    confusion = {e: {p: 0 for p in [*labels, "other"]} for e in labels}
    for expected, predicted in pairs:
        confusion[expected][predicted if predicted in labels else "other"] += 1
    f1s, recall = [], {}
    for label in labels:
        tp = confusion[label][label]
        fn = sum(confusion[label].values()) - tp
        fp = sum(confusion[e][label] for e in labels if e != label)
        recall[label] = tp / (tp + fn) if tp + fn else math.nan
        precision = tp / (tp + fp) if tp + fp else 0.0
        r = recall[label] if not math.isnan(recall[label]) else 0.0
        f1s.append(2 * precision * r / (precision + r) if precision + r else 0.0)
    return {"accuracy": sum(e == p for e, p in pairs) / len(pairs),
            "macro_f1": statistics.fmean(f1s), "recall": recall, "confusion": confusion}


def wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (95% by default) of a proportion; (nan, nan) for no trials."""
    if trials == 0:
        return math.nan, math.nan
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    denominator = 1 + z * z / trials
    return (centre - spread) / denominator, (centre + spread) / denominator
