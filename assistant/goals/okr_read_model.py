"""The local model reads what the rules cannot: OKRs written as free prose.

Only when the rules found no objective, and only on request (`keel lint --model-read`, the
Goals tab's checkbox). The model gets a small schema (objectives with an owner and up to five
key results) and is told to copy the document's words; code then keeps only what the document
says — an objective or KR whose content words are not in the text is dropped and the drop is
listed — and reads the numbers and the period itself. The result is marked `source="model"`
and shown as a proposal to confirm, never trusted silently.
"""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.core.text import content_stems
from assistant.goals.okr_numbers import period_in, placeholders_in, target_of
from assistant.goals.okr_read import ReadDocument, ReadKR, ReadObjective, ReadSet
from assistant.llm.client import LLM
from assistant.llm.prompts import render

__all__ = ["MAX_CHARS", "ProseOKRs", "read_with_model"]

MAX_CHARS = 6000  # what fits the local model's context with room for the answer
_IN_TEXT = 0.8  # share of an item's content words that must occur in the document


class ProseObjective(BaseModel):
    title: str = Field(max_length=300)
    owner: str = Field("", max_length=80)
    key_results: list[str] = Field(default=[], max_length=5)


class ProseOKRs(BaseModel):
    objectives: list[ProseObjective] = Field(default=[], max_length=12)


def _in_text(item: str, words: set[str]) -> bool:
    stems = content_stems(item)
    return bool(stems) and len(stems & words) / len(stems) >= _IN_TEXT


def read_with_model(text: str, llm: LLM, name: str = "document") -> ReadDocument:
    """A proposed reading of free prose; what the document does not say is dropped."""
    shown = text[:MAX_CHARS]
    system, user = render("read_okrs", document=shown)
    answer = llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                            ProseOKRs, max_tokens=700)
    words = content_stems(shown)
    doc = ReadDocument(name, [ReadSet(period=period_in(shown[:600]))], source="model")
    if len(text) > MAX_CHARS:
        doc.skipped.append(f"the model read the first {MAX_CHARS} characters of {len(text)}")
    for o in answer.objectives:
        if not _in_text(o.title, words):
            doc.skipped.append(f"the model proposed '{o.title}', which the document does not "
                               "say: dropped")
            continue
        owner = o.owner if o.owner and _in_text(o.owner, words) else ""
        objective = ReadObjective(o.title.strip(), 0, owner)
        for statement in o.key_results:
            if not _in_text(statement, words):
                doc.skipped.append(f"the model proposed the KR '{statement}', which the "
                                   "document does not say: dropped")
                continue
            kr = ReadKR(statement.strip(), 0, placeholders=placeholders_in(statement))
            if target := target_of(statement):
                kr.target, kr.unit, kr.baseline = target.value, target.unit, target.baseline
            objective.krs.append(kr)
        doc.sets[0].objectives.append(objective)
    doc.period = doc.sets[0].period
    return doc
