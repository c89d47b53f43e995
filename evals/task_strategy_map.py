"""`strategy_map`: the map built from a corpus scored against a reference written by hand.

Per element kind: precision (built elements that match a reference element) and recall
(reference elements found). A built element matches a reference element of the same kind when
the reference's `match` phrase is in its title, text or quote (case and white space folded);
each reference element is matched at most once. For key results and limits, "numbers right" is
the share of matched elements whose baseline, target or amount equal the reference's (those the
reference gives). "quotes valid" is the share of built elements whose every quote is found
verbatim in the cited chunk. Build time is reported. The smoke suite scores the rules alone;
the full suite adds the model's reading of the prose the rules did not read.
"""

from __future__ import annotations

import time
from typing import Any

from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.grounding import quote_in_chunk
from assistant.llm.client import LLM
from assistant.strategy.build import build_map
from assistant.strategy.extract import extract_prose
from assistant.strategy.model import KINDS, MapElement

from .cases import Case

__all__ = ["score_map", "strategy_map_case"]


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _haystack(e: MapElement) -> str:
    return _fold(" ".join([e.title, e.text, *(c.quote for c in e.citations)]))


def _numbers_right(e: MapElement, ref: dict[str, Any]) -> bool:
    fields = [f for f in ("baseline", "target", "amount") if f in ref]
    return all(getattr(e, f) is not None and abs(float(getattr(e, f)) - float(ref[f])) < 1e-6
               for f in fields)


def score_map(built: list[MapElement], reference: list[dict[str, Any]]) -> dict[str, Any]:
    """Metrics per kind and overall, and what was missed or extra (for the report)."""
    metrics: dict[str, Any] = {}
    missed: list[str] = []
    extra: list[str] = []
    numbers: list[bool] = []
    for kind in KINDS:
        refs = [r for r in reference if r["kind"] == kind]
        mine = [e for e in built if e.kind == kind]
        used: set[int] = set()
        found = 0
        for ref in refs:
            phrase = _fold(ref["match"])
            hit = next((i for i, e in enumerate(mine) if i not in used
                        and phrase in _haystack(e)), None)
            if hit is None:
                missed.append(f"{kind}: {ref['match']}")
                continue
            used.add(hit)
            found += 1
            if any(f in ref for f in ("baseline", "target", "amount")):
                numbers.append(_numbers_right(mine[hit], ref))
        extra += [f"{kind}: {e.title}" for i, e in enumerate(mine) if i not in used]
        if refs or mine:
            metrics[f"{kind}_precision"] = len(used) / len(mine) if mine else float("nan")
            metrics[f"{kind}_recall"] = found / len(refs) if refs else float("nan")
    total_used = len(reference) - len(missed)
    metrics["precision"] = total_used / len(built) if built else float("nan")
    metrics["recall"] = total_used / len(reference) if reference else float("nan")
    metrics["numbers_right"] = sum(numbers) / len(numbers) if numbers else float("nan")
    return {"metrics": metrics, "missed": missed, "extra": extra}


def strategy_map_case(case: Case, kb: KnowledgeBase, llm: LLM | None = None) -> dict[str, Any]:
    """Rules only; with `llm`, also the model's reading of prose (`strategy.extract`)."""
    start = time.perf_counter()
    extracted: dict[str, Any] = {}

    def read(covered: set[str]) -> list[MapElement]:
        assert llm is not None
        found, report = extract_prose(kb, llm, covered)
        extracted.update(report.model_dump())
        return found

    built = build_map(kb, prose=read if llm is not None else None)
    seconds = time.perf_counter() - start
    quotes_ok = [all(quote_in_chunk(c.quote, kb.get_chunks([c.chunk_id])[c.chunk_id].text)
                     for c in e.citations) for e in built]
    scored = score_map(built, list(case.reference or []))
    metrics = {**scored["metrics"], "quotes_valid": sum(quotes_ok) / max(len(quotes_ok), 1),
               "elements": float(len(built)), "build_s": seconds, "errors": 0.0,
               "cases": 1.0}
    metrics["model_passages"] = float(extracted.get("passages", 0))
    return {"id": case.id, "task": "strategy_map", "corpus": case.corpus, "metrics": metrics,
            "missed": scored["missed"], "extra": scored["extra"], "prose": extracted}
