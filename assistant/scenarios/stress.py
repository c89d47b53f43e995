"""Scenario stress test (issue 29, item 1): "our green-coffee importer raises prices 30%".

1. The model proposes the scenario's consequences in plain words, one step at a time ("green
   coffee costs more", "roasting costs rise", "margins shrink"; `scenario_effects` prompt,
   schema `ScenarioEffects`). It is not shown the goals: asked to pick from a list, the 1.5B
   model listed the first eight every time (dev rows, issue 29).
2. Code decides what is exposed in the strategy map (`exposure.expose`), each element with
   its reason and the passage it cites; the closest elements the evidence does not decide are
   put to the owner as questions (`exposure.closest`), never counted as exposed.
3. For each exposed key result (at most `MAX_PLANS`), the model drafts leading indicators, a
   trigger and one or two contingency actions (`scenario_plan`, `PlanDraft`); code lints each
   line (`checks`) and shows the findings next to it.

A dead or confused model never loses the answer: exposure then comes from the scenario's own
words, and the report says the model's part is missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from langchain_core.messages import HumanMessage, SystemMessage

from assistant.core.errors import GenerationError, InputError, ModelError
from assistant.core.text import format_amount
from assistant.knowledge.embeddings import Embedder
from assistant.llm.client import LLM
from assistant.llm.prompts import render
from assistant.scenarios.checks import lint_action, lint_trigger, lint_watch
from assistant.scenarios.exposure import EXPOSABLE, Phrase, closest, expose, profile
from assistant.scenarios.model import (
    Contingency,
    Exposed,
    PlanDraft,
    ScenarioEffects,
    ScenarioReport,
)
from assistant.strategy.model import MapElement

__all__ = ["MAX_PLANS", "check_text", "company", "live_map", "stress_test"]

MAX_PLANS = 4  # exposed key results that get a drafted contingency plan
MAX_CHARS = 1500
Progress = Callable[[int, int, str], None]


def check_text(text: str, what: str = "scenario") -> str:
    text = " ".join(text.split())
    if len(text.split()) < 3:
        raise InputError(f"Describe the {what} in a sentence (who does what, how much, when).")
    if len(text) > MAX_CHARS:
        raise InputError(f"The {what} is {len(text)} characters; keep it under {MAX_CHARS} "
                         "(one situation at a time).")
    return text


def live_map(strategy: list[MapElement]) -> tuple[list[MapElement], list[str]]:
    """The elements a stress test reads (not rejected), and a note when none is confirmed;
    InputError when the map has nothing to expose."""
    live = [e for e in strategy if e.status != "rejected"]
    if not [e for e in live if e.kind in EXPOSABLE]:
        raise InputError("The strategy map has no key results, limits or pillars yet: run "
                         "`keel map build` (and confirm it) first.")
    if any(e.status in ("confirmed", "edited") for e in live):
        return live, []
    return live, ["The strategy map is not confirmed yet: what is exposed is read from "
                  "proposed elements; confirm the map in the Strategy tab."]


def stress_test(scenario: str, llm: LLM, embedder: Embedder, strategy: list[MapElement],
                progress: Progress | None = None, plans: bool = True) -> ScenarioReport:
    """The exposure of the strategy map to one scenario, with drafted contingency plans."""
    start = time.perf_counter()
    scenario = check_text(scenario)
    live, notes = live_map(strategy)
    report = ScenarioReport(scenario=scenario, model=llm.model_name, notes=notes,
                            map_confirmed=not notes)
    (progress or _silent)(1, 3, "Thinking the scenario through")
    effects = _effects(scenario, company(live), llm, report)
    report.consequences = [c.strip() for c in effects.consequences if c.strip()]
    phrases = [Phrase(scenario, "scenario")] + [Phrase(c, "model")
                                                for c in report.consequences]
    (progress or _silent)(2, 3, "Finding what it exposes in the strategy map")
    report.exposed = expose(phrases, live, embedder)
    report.to_check = closest(phrases, live, embedder, {x.key for x in report.exposed})
    if plans:
        (progress or _silent)(3, 3, "Drafting what to watch and what to do")
        report.plans = draft_plans(scenario, report.exposed, live, llm, report.notes)
    report.seconds = round(time.perf_counter() - start, 2)
    report.created_at = datetime.now(UTC)
    return report


def company(live: list[MapElement]) -> str:
    """One line about the company for the model: its mission, else its pillars' names."""
    mission = [e.text or e.title for e in live if e.kind == "statement"]
    if mission:
        return mission[0][:300]
    pillars = [profile(e)[:60] for e in live if e.kind == "pillar"]
    return ("a small company focused on " + "; ".join(pillars[:4])) if pillars else (
        "a small company")


def _effects(scenario: str, about: str, llm: LLM, report: ScenarioReport) -> ScenarioEffects:
    system, user = render("scenario_effects", scenario=scenario, company=about)
    try:
        return llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                              ScenarioEffects, max_tokens=220)
    except (ModelError, GenerationError) as exc:
        report.notes.append(f"The model's reading failed ({exc}); exposure is found from the "
                            "scenario's own words only.")
        return ScenarioEffects()


def _kr_line(n: int, e: MapElement) -> str:
    numbers = (f"{format_amount(e.baseline, e.unit)} → {format_amount(e.target, e.unit)}"
               if e.target is not None else "no target stated")
    owner = f", owner {e.owner}" if e.owner else ""
    return f"{n}. {e.title.split('. Owner')[0][:140]} ({numbers}{owner})"


def draft_plans(scenario: str, exposed: list[Exposed], live: list[MapElement], llm: LLM,
                notes: list[str]) -> list[Contingency]:
    by_key = {e.key: e for e in live}
    krs = [by_key[x.key] for x in exposed if x.kind == "key_result"][:MAX_PLANS]
    if not krs:
        return []
    system, user = render("scenario_plan", scenario=scenario,
                          key_results="\n".join(_kr_line(n, e) for n, e in enumerate(krs, 1)))
    try:
        draft = llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                               PlanDraft, max_tokens=130 * len(krs) + 60)
    except (ModelError, GenerationError) as exc:
        notes.append(f"The model could not draft contingency plans ({exc}); the exposure "
                     "above stands on its own.")
        return []
    out: dict[str, Contingency] = {}
    for item in draft.plans:
        if not 0 < item.number <= len(krs) or krs[item.number - 1].key in out:
            continue
        kr = krs[item.number - 1]
        findings = lint_trigger(item.trigger, kr) + [
            f"{f} — “{w[:60]}”" for w in item.watch for f in lint_watch(w, kr)] + [
            f"{f} — “{a[:60]}”" for a in item.actions for f in lint_action(a)]
        if not item.actions:
            findings.append("A1 no action drafted")
        out[kr.key] = Contingency(key=kr.key, title=kr.title, watch=item.watch,
                                  trigger=item.trigger, actions=item.actions,
                                  findings=findings)
    missing = [kr.title for kr in krs if kr.key not in out]
    if missing:
        notes.append(f"No plan drafted for: {'; '.join(m[:60] for m in missing)}.")
    return list(out.values())


def _silent(done: int, total: int, step: str) -> None:
    return None
