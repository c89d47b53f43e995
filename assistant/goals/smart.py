"""Turn a rough goal into a SMART goal, grounded in the department's documents."""

from __future__ import annotations

from datetime import date

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.core.errors import InputError
from assistant.core.periods import next_quarter, parse_period
from assistant.core.safety import passages_block
from assistant.core.schemas import Citation, SmartGoal
from assistant.goals.lint import Finding, lint_smart
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.grounding import best_quote
from assistant.llm.client import LLM
from assistant.llm.prompts import render

__all__ = ["DraftSmart", "draft_smart"]


class DraftSmart(BaseModel):
    """A SMART goal as the model writes it (LLM boundary)."""

    goal: str = Field(max_length=240)
    specific: str = Field(max_length=200)
    measurable: str = Field(max_length=200)
    assignable: str = Field(max_length=80)
    realistic: str = Field(max_length=240)
    time_related: str = Field(max_length=160)
    deadline: date
    source: str = Field(max_length=6)


def draft_smart(kb: KnowledgeBase, llm: LLM, rough_goal: str, department: str,
                today: date | None = None) -> tuple[SmartGoal, list[Finding]]:
    """A SMART goal with a citation, and its S1-S5 findings."""
    rough_goal = rough_goal.strip()
    if not rough_goal or len(rough_goal) > 1000:
        raise InputError("Give a rough goal of 1 to 1,000 characters.")
    today = today or date.today()
    hits = kb.search(f"{department} {rough_goal}", k=4, department=department or None)
    hits += [h for h in kb.search(rough_goal, k=3) if h.chunk_id not in {x.chunk_id for x in hits}]
    passages = {f"S{i}": h for i, h in enumerate(hits, 1)}
    deadline = parse_period(next_quarter(today))[2]
    system, user = render(
        "smart_goal", rough_goal=rough_goal, department=department or "the company",
        today=today.isoformat(), deadline=deadline.isoformat(),
        passages=passages_block([(k, h.doc_id, h.section, h.text) for k, h in passages.items()]))
    draft = llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                           DraftSmart, max_tokens=600)
    hit = passages.get(draft.source.strip().upper())
    citations = [Citation(chunk_id=hit.chunk_id, document=hit.doc_id, section=hit.section,
                          quote=best_quote(draft.goal, hit.text))] if hit else []
    goal = SmartGoal(**draft.model_dump(exclude={"source"}), citations=citations)
    return goal, lint_smart(goal)
