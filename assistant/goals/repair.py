"""Repair rounds of a drafted OKR set: only the objectives with problems are rewritten.

A repair round used to ask for the whole set again: about 800 generated tokens for three
objectives, at ~13 tokens/s on two cores, most of them copies of objectives that had no
problem. When every problem listed names its objective ("Objective 2, KR 1: …", "objective 3:
source …"), only those objectives are asked for and put back in their places; a problem that
names no objective ("Write exactly 3 objective(s)") still asks for the whole set. The model sees
the whole draft either way (it is the last assistant message), so a rewritten objective can
avoid repeating the ones kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from assistant.goals.draft_model import DraftObjective, DraftOKRs
from assistant.llm.client import LLM
from assistant.llm.prompts import render

__all__ = ["objectives_named", "repair"]

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


def _beside(kept: list[DraftObjective], on_text: Callable[[str], None]) -> Callable[[str], None]:
    """Progress text of a partial repair: the kept objectives, then the ones being written
    (the UI outlines the JSON written so far)."""
    head = '{"objectives": [' + ", ".join(json.dumps(o.model_dump()) for o in kept)

    def show(text: str) -> None:
        rest = text.split("[", 1)[1] if "[" in text else ""
        on_text(head + (", " + rest if rest.strip() else ""))

    return show
