"""`scenario`: which strategy-map elements a scenario exposes, scored against labels (issue 29).

The map a scenario is run against is the one a person would have after confirming: the rules'
build (every element confirmed), plus each reference-map element the build missed, added as a
person would add it — the line of the corpus that states it, cited (`confirmed_map`). The 18F
rules map holds one element, so without this step the task would measure the map builder
(scored in its own task, `strategy_map`), not the stress test.

Scored per corpus, over the kinds the labels name (key results, limits, pillars; exposed
objectives are shown to users but not scored): exposure precision (exposed elements that
match a labelled one) and recall (labelled elements exposed), micro-averaged; the recall when
the "to check" questions are counted too (what a person answering them would reach); the share of
drafted triggers and actions that pass the checks (`scenarios.checks`); wall time p50. A row
whose run raised is an error, never a pass.
"""

from __future__ import annotations

import re
import time
from typing import Any

from assistant.core.schemas import Citation
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM
from assistant.scenarios.stress import stress_test
from assistant.strategy.build import build_map
from assistant.strategy.model import MapElement

from .cases import Case
from .metrics import wilson
from .task_strategy_map import _fold, _haystack

__all__ = ["PLANNED_ROWS", "SCORED", "confirmed_map", "scenario_case", "summarise_scenarios"]

SCORED = ("key_result", "limit", "pillar")
PLANNED_ROWS = 5  # rows per corpus that also get contingency plans (a second, longer call)


def _line_with(text: str, phrase: str) -> str | None:
    """The first line stating the phrase; headings first, never a link list's entry."""
    lines = [ln for ln in text.splitlines() if phrase in _fold(ln) and "](#" not in ln]
    lines.sort(key=lambda ln: not ln.lstrip().startswith("#"))
    return lines[0].strip(" #*-|") if lines else None


def _person_element(n: int, ref: dict[str, Any], hit: Any, line: str) -> MapElement:
    after = hit.text[hit.text.find(line) + len(line):].strip() if line in hit.text else hit.text
    paragraph = re.split(r"\n\s*\n|\n#", after, maxsplit=1)[0]
    text = f"{line} {paragraph[:300]}" if ref["kind"] == "pillar" else line
    return MapElement(
        key=f"person-{n}", kind=ref["kind"], title=re.sub(r"\s*\|\s*", " | ", line)[:280],
        text=text, citations=[Citation(chunk_id=hit.chunk_id, document=hit.doc_id,
                                       section=hit.section, quote=line)],
        status="confirmed", origin="person")


def confirmed_map(kb: KnowledgeBase, reference: list[dict[str, Any]]) -> list[MapElement]:
    """The rules' map, confirmed, plus the reference elements it missed, added from the line
    of the corpus that states each (a heading for a pillar, with its first paragraph), as a
    person confirming the map would add them."""
    built = [e.model_copy(update={"status": "confirmed"}) for e in build_map(kb)]
    ruled = list(built)
    chunks = [h for d in kb.documents() for h in kb.chunks_of(d.doc_id)]
    for n, ref in enumerate(reference):
        phrase = _fold(ref["match"])
        if any(e.kind == ref["kind"] and phrase in _haystack(e) for e in ruled):
            continue
        headed = [h for h in chunks if phrase in _fold(h.section.split(" > ")[-1])]
        if ref["kind"] == "pillar" and headed:  # a heading: the chunker keeps it as the section
            hit = headed[0]
            built.append(_person_element(n, ref, hit, hit.section.split(" > ")[-1].strip()))
            continue
        for hit in chunks:
            if (line := _line_with(hit.text, phrase)) is not None:
                built.append(_person_element(n, ref, hit, line))
                break
    return built


def _score(exposed: list[dict[str, Any]], strategy: list[MapElement],
           reference: list[dict[str, Any]]) -> tuple[int, int, int, list[str], list[str]]:
    by_key = {e.key: e for e in strategy}
    mine = [by_key[x["key"]] for x in exposed if x["kind"] in SCORED]
    used: set[str] = set()
    missed = []
    for ref in reference:
        phrase = _fold(ref["match"])
        hit = next((e for e in mine if e.kind == ref["kind"] and e.key not in used
                    and phrase in _haystack(e)), None)
        if hit is None:
            missed.append(f"{ref['kind']}: {ref['match']}")
        else:
            used.add(hit.key)
    extra = [f"{e.kind}: {e.title[:70]}" for e in mine if e.key not in used]
    return len(used), len(mine), len(reference), missed, extra


def scenario_case(case: Case, kb: KnowledgeBase, llm: LLM, strategy: list[MapElement],
                  plans: bool = True) -> dict[str, Any]:
    start = time.perf_counter()
    row: dict[str, Any] = {"id": case.id, "task": "scenario", "corpus": case.corpus,
                           "scenario": case.input["scenario"],
                           "labelled": len(case.reference or [])}
    try:
        report = stress_test(case.input["scenario"], llm, kb.embedder, strategy, plans=plans)
    except Exception as exc:  # an error row, counted as one
        row.update(error=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - start)
        return row
    exposed = [x.model_dump(mode="json") for x in report.exposed]
    hit, shown, wanted, missed, extra = _score(exposed, strategy, list(case.reference or []))
    asked = [x.model_dump(mode="json") for x in report.to_check]
    with_questions = _score(exposed + asked, strategy, list(case.reference or []))[0]
    lines = [(p.trigger, [f for f in p.findings if f.startswith("T")]) for p in report.plans]
    actions = [(a, [f for f in p.findings if f.startswith("A") and a[:60] in f])
               for p in report.plans for a in p.actions]
    row.update(hit=hit, hit_with_questions=with_questions, exposed_scored=shown,
               labelled=wanted, missed=missed, extra=extra,
               consequences=report.consequences, notes=report.notes,
               exposed=[f"{x['kind']}: {x['title'][:70]} ({x['via']}, {x['score']})"
                        for x in exposed],
               triggers=len(lines), triggers_ok=sum(not f for _, f in lines),
               actions=len(actions), actions_ok=sum(not f for _, f in actions),
               plans=[p.model_dump() for p in report.plans],
               seconds=time.perf_counter() - start)
    return row


def summarise_scenarios(rows: list[dict[str, Any]]) -> dict[str, float]:
    ok = [r for r in rows if "error" not in r]
    hit = sum(r["hit"] for r in ok)
    shown = sum(r["exposed_scored"] for r in ok)
    wanted = sum(r["labelled"] for r in rows)  # a crashed row's labels are all missed
    lines = sum(r["triggers"] + r["actions"] for r in ok)
    passed = sum(r["triggers_ok"] + r["actions_ok"] for r in ok)
    times = sorted(r["seconds"] for r in rows)
    planned = sorted(r["seconds"] for r in ok if r["triggers"])
    p_lo, p_hi = wilson(hit, shown)
    r_lo, r_hi = wilson(hit, wanted)
    return {"cases": float(len(rows)), "errors": float(len(rows) - len(ok)),
            "exposure_precision": hit / shown if shown else float("nan"),
            "precision_lo": p_lo, "precision_hi": p_hi, "recall_lo": r_lo, "recall_hi": r_hi,
            "p50_s_with_plans": planned[len(planned) // 2] if planned else float("nan"),
            "exposure_recall": hit / wanted if wanted else float("nan"),
            "recall_with_questions": (sum(r["hit_with_questions"] for r in ok) / wanted
                                      if wanted else float("nan")),
            "exposed_per_scenario": shown / len(ok) if ok else float("nan"),
            "drafted_lines": float(lines),
            "drafted_pass": passed / lines if lines else float("nan"),
            "p50_s": times[len(times) // 2] if times else float("nan")}
