"""Follow-ups on a draft: "make KR2 more ambitious", "add a health metric", or one linter fix.

The refinement replays the drafting conversation (same passages, same prompt, so the same
grounding checks apply), shows the model the current draft as its own last answer, adds the
person's request, and runs the usual check-and-repair loop. Edits a person made in the UI are
part of the current draft, so they are kept unless the request changes them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from langchain_core.messages import AIMessage, HumanMessage

from assistant.core.errors import InputError
from assistant.core.schemas import OKRSet
from assistant.goals.draft import DraftReport, finish, start_session
from assistant.goals.draft_model import DraftKR, DraftObjective, DraftOKRs
from assistant.goals.lint import Finding, LintConfig
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.llm.client import LLM
from assistant.llm.prompts import render
from assistant.strategy.model import MapElement

__all__ = ["MAX_INSTRUCTION_CHARS", "finding_instruction", "refine_okrs", "to_draft"]

MAX_INSTRUCTION_CHARS = 1000


def _source(chunk_ids: list[str], passages: dict[str, SearchHit]) -> str:
    for pid, hit in passages.items():
        if hit.chunk_id in chunk_ids:
            return pid
    return "S1"


def to_draft(okrs: OKRSet, passages: dict[str, SearchHit]) -> DraftOKRs:
    """An OKR set back in the model's own format (passage ids instead of citations)."""
    objectives = []
    for o in okrs.objectives:
        krs = [DraftKR(
            statement=k.statement[:220], metric=k.metric[:80] or k.statement[:80],
            unit=k.unit[:24], owner_role=k.owner_role[:60],
            measurement_source=k.measurement_source[:80],
            source=_source([c.chunk_id for c in k.citations], passages)) for k in o.key_results]
        objectives.append(DraftObjective.model_construct(
            title=o.title[:140], why_now=o.why_now[:240], perspective=o.perspective or "Customer",
            ambition=o.ambition or "committed", parent=o.parent[:100],
            source=_source([c.chunk_id for c in o.citations], passages),
            initiatives=o.initiatives[:2], key_results=krs))
    return DraftOKRs.model_construct(objectives=objectives)


def finding_instruction(finding: Finding) -> str:
    """The request that fixes one linter finding."""
    return f"Fix this problem in {finding.where}: {finding.message} {finding.fix}"


def refine_okrs(kb: KnowledgeBase, llm: LLM, okrs: OKRSet, instruction: str,
                lint_config: LintConfig | None = None, repair_rounds: int = 1,
                on_text: Callable[[str], None] | None = None,
                strategy: list[MapElement] | None = None) -> DraftReport:
    """The draft revised as asked, re-checked and re-linted (from the same sources as a
    draft: `strategy` is the workspace's map, see `draft.start_session`)."""
    instruction = instruction.strip()
    if not instruction:
        raise InputError("Say what to change in the draft.")
    if len(instruction) > MAX_INSTRUCTION_CHARS:
        raise InputError(f"The request is {len(instruction)} characters; the limit is "
                         f"{MAX_INSTRUCTION_CHARS}.")
    if not okrs.objectives:
        raise InputError("There is no draft to change yet: draft OKRs first.")
    started = time.monotonic()
    ambition = okrs.objectives[0].ambition or "committed"
    session = start_session(kb, okrs.department, okrs.period, len(okrs.objectives), ambition,
                            strategy=strategy)
    current = to_draft(okrs, session.passages)
    session.history += [AIMessage(content=current.model_dump_json()),
                        HumanMessage(content=render("refine_okrs", instruction=instruction)[1])]
    draft = llm.structured(session.history, session.draft_schema, max_tokens=2400,
                           on_text=on_text)
    report = finish(session, llm, draft, lint_config, repair_rounds, started, on_text)
    report.okrs.id = okrs.id
    return report
