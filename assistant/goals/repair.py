"""Repair rounds of a drafted OKR set: only the objectives with problems are rewritten.

A repair round used to ask for the whole set again: about 800 generated tokens for three
objectives, at ~13 tokens/s on two cores, most of them copies of objectives that had no
problem. When every problem listed names its objective ("Objective 2, KR 1: …", "objective 3:
source …"), only those objectives are asked for and put back in their places; a problem that
names no objective ("Write exactly 3 objective(s)") still asks for the whole set. The model sees
the whole draft either way (it is the last assistant message), so a rewritten objective can
avoid repeating the ones kept.

When code removed a copied objective (`repeats.py`) and the set is short, `refill` asks once for
the missing objectives, each steered to a passage no objective cites yet (the department's own
first): asked for "a different objective" in a repair round, the local model gave the copy back.
A refill that copies again is removed like any copy; it is never asked twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from assistant.goals.draft_model import DraftObjective, DraftOKRs
from assistant.goals.repeats import without_copied_objectives
from assistant.llm.client import LLM
from assistant.llm.prompts import render

__all__ = ["objectives_named", "refill", "repair", "uncited"]

_WHERE = re.compile(r"objective (\d+)\b", re.IGNORECASE)
MAX_PROBLEMS = 12  # listed per round; the rest wait for the next round's check


def objectives_named(problems: list[str], count: int) -> list[int] | None:
    """The objectives (1-based, sorted) the problems name at their start; None when one names
    none or one out of range (then the whole set is rewritten)."""
    numbers = set()
    for problem in problems:
        match = _WHERE.match(problem.strip())
        if match is None or not 1 <= int(match.group(1)) <= count:
            return None
        numbers.add(int(match.group(1)))
    return sorted(numbers)


def repair(llm: LLM, history: list[BaseMessage], draft: DraftOKRs, problems: list[str],
           schema: Callable[[int], type[DraftOKRs]], max_tokens: int,
           on_text: Callable[[str], None] | None = None) -> DraftOKRs:
    """One repair round: `history` grows by the draft and the problems; returns the new set.
    `schema(k)` is the draft's schema with exactly k objectives."""
    listed = problems[:MAX_PROBLEMS]
    text = "\n".join(f"- {p}" for p in listed)
    objectives = list(draft.objectives)
    numbers = objectives_named(listed, len(objectives))
    history.append(AIMessage(content=draft.model_dump_json()))
    if numbers is None or len(numbers) == len(objectives):
        history.append(HumanMessage(content=render("repair_okrs", problems=text)[1]))
        return llm.structured(history, schema(len(objectives)), max_tokens=max_tokens,
                              on_text=on_text)
    named = " and ".join(str(n) for n in numbers)
    history.append(HumanMessage(content=render("repair_objectives", problems=text,
                                               numbers=named, count=len(numbers))[1]))
    kept = [o for n, o in enumerate(objectives, 1) if n not in numbers]
    fixed = llm.structured(history, schema(len(numbers)), max_tokens=max_tokens,
                           on_text=_beside(kept, on_text) if on_text else None)
    for n, objective in zip(numbers, fixed.objectives, strict=True):
        objectives[n - 1] = objective
    return type(draft).model_validate({"objectives": [o.model_dump() for o in objectives]})


def uncited(draft: DraftOKRs, sources: list[tuple[str, bool]]) -> list[str]:
    """The passage labels (`sources`: label, the department's own) no objective or KR of the
    draft cites: the department's own first, then the company's, in prompt order."""
    cited = {o.source.strip().upper() for o in draft.objectives} | {
        k.source.strip().upper() for o in draft.objectives for k in o.key_results}
    free = [(label, own) for label, own in sources if label not in cited]
    return [label for label, own in free if own] + [label for label, own in free if not own]


def refill(llm: LLM, history: list[BaseMessage], draft: DraftOKRs, count: int,
           removed: list[str], sources: list[tuple[str, bool]],
           schema: Callable[[int], type[DraftOKRs]],
           on_text: Callable[[str], None] | None = None
           ) -> tuple[DraftOKRs, list[str], list[str]]:
    """After a copied objective was removed (`removed`: the removal notes) and the draft holds
    fewer than `count`, one call for the missing objectives, steered to passages no objective
    cites (`sources`: label, the department's own); a refill that copies again is removed.
    Returns (draft, removal notes, a note on what was asked); `history` grows by the request."""
    missing = count - len(draft.objectives)
    if not removed or missing <= 0:
        return draft, removed, []
    labels = uncited(draft, sources)[:4]
    titles = "\n".join(f"{n}. {o.title}" for n, o in enumerate(draft.objectives, 1))
    history.append(AIMessage(content=draft.model_dump_json()))
    history.append(HumanMessage(content=render(
        "refill_objectives", count=missing, titles=titles,
        sources=", ".join(labels) or "any passage")[1]))
    kept = list(draft.objectives)
    added = llm.structured(history, schema(missing), max_tokens=2400,
                           on_text=_beside(kept, on_text) if on_text else None)
    more = type(draft).model_validate({"objectives": [o.model_dump()
                                                      for o in kept + list(added.objectives)]})
    more, again = without_copied_objectives(more)
    asked = [f"{missing} objective(s) asked for again after the copy was removed (from "
             f"{', '.join(labels) or 'any passage'}); {missing - len(again)} kept."]
    return more, removed + again, asked


def _beside(kept: list[DraftObjective], on_text: Callable[[str], None]) -> Callable[[str], None]:
    """Progress text of a partial repair: the kept objectives, then the ones being written
    (the UI outlines the JSON written so far)."""
    head = '{"objectives": [' + ", ".join(json.dumps(o.model_dump()) for o in kept)

    def show(text: str) -> None:
        rest = text.split("[", 1)[1] if "[" in text else ""
        on_text(head + (", " + rest if rest.strip() else ""))

    return show
