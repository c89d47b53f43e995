"""The model's share of the map: strategy stated in prose that the rules cannot read.

One model call per passage (grammar-constrained JSON, validation errors fed back for a bounded
number of re-asks by `LLM.structured`). The model only *proposes*; code disposes:

* a proposal whose quote is not found verbatim in the passage is dropped (counted);
* a number the quote does not write is dropped (left unknown);
* a passage some rule already read is not sent (the rules' reading wins);
* everything the model proposes arrives as `proposed` with origin `model`, for a person to
  confirm, edit or discard in the Strategy tab or with `keel map`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.core.errors import GenerationError
from assistant.core.schemas import Citation
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.grounding import number_in_text, quote_in_chunk
from assistant.llm.client import LLM
from assistant.llm.prompts import render
from assistant.strategy.build import slug
from assistant.strategy.model import MapElement

__all__ = ["ExtractReport", "ExtractedElements", "extract_prose"]

Progress = Callable[[int, int, str], None]
_KINDS = ("statement", "pillar", "value", "non_goal", "key_result", "limit", "initiative")
# document kinds whose passages may state strategy ("other": pages without a known kind)
_READ_KINDS = ("mission", "vision", "strategy", "values", "non-goals", "plan", "department",
               "other")


class ExtractedElement(BaseModel):
    kind: Literal["statement", "pillar", "value", "non_goal", "key_result", "limit",
                  "initiative"]
    title: str = Field(max_length=120)
    quote: str = Field(max_length=400)
    target: float | None = None


class ExtractedElements(BaseModel):
    """What the model answers for one passage (LLM boundary)."""

    elements: list[ExtractedElement] = Field(max_length=8)


class ExtractReport(BaseModel):
    passages: int = 0
    proposed: int = 0
    dropped_quotes: int = 0  # the quote was not in the passage
    failed: int = 0  # the model's answer never fitted the schema


def extract_prose(kb: KnowledgeBase, llm: LLM, covered: set[str],
                  progress: Progress | None = None, limit: int = 80
                  ) -> tuple[list[MapElement], ExtractReport]:
    """Elements the model finds in the passages no rule read (`covered`: chunk ids read)."""
    hits = [h for d in kb.documents() if d.kind in _READ_KINDS
            for h in kb.chunks_of(d.doc_id) if h.chunk_id not in covered and len(h.text) > 80]
    hits = hits[:limit]
    report = ExtractReport(passages=len(hits))
    found: list[MapElement] = []
    for n, hit in enumerate(hits):
        if progress:
            progress(n, len(hits), "reading prose with the model")
        try:
            answer = _ask(llm, hit)
        except GenerationError:
            report.failed += 1
            continue
        for item in answer.elements:
            element = _checked(item, hit)
            if element is None:
                report.dropped_quotes += 1
            else:
                found.append(element)
    report.proposed = len(found)
    if progress:
        progress(len(hits), len(hits), "prose read")
    return found, report


def _ask(llm: LLM, hit: SearchHit) -> ExtractedElements:
    system, user = render("extract_strategy", document=hit.title, section=hit.section,
                          passage=hit.text[:2500])
    return llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                          ExtractedElements, max_tokens=600)


def _checked(item: ExtractedElement, hit: SearchHit) -> MapElement | None:
    quote = " ".join(item.quote.split()).strip()
    if len(quote) < 8 or not quote_in_chunk(quote, hit.text):
        return None
    target = item.target if item.target is not None and number_in_text(item.target, quote) \
        else None
    number = {"amount": target} if item.kind == "limit" else {"target": target}
    return MapElement(key=f"{item.kind}:{slug(item.title)[:60]}", kind=item.kind,
                      title=item.title.strip() or quote[:80], text=quote, origin="model",
                      department=hit.department or "", **number,
                      citations=[Citation(chunk_id=hit.chunk_id, document=hit.doc_id,
                                          section=hit.section, quote=quote)])
