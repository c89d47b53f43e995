"""Grounded answers: retrieve, answer from the passages only, cite each sentence.

The model cites passages as `[S1]`; the markers are checked against what it was shown
(unknown ones are removed and reported) and each citation carries a verbatim quote chosen
from the cited chunk. A sentence the model left uncited gets a marker only when it restates
one passage nearly word for word (`grounding.attribute`), and the answer says so; small
models often drop markers, and an uncited restatement is no less grounded. When retrieval
finds nothing relevant the answer says the documents do not cover the question, without
asking the model to invent one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.core.errors import InputError, KnowledgeError
from assistant.core.safety import clean_model_text, passages_block, strip_echoes
from assistant.core.schemas import Citation, GroundedAnswer
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.grounding import attribute, best_quote, quote_in_chunk
from assistant.llm.client import LLM
from assistant.llm.prompts import render

__all__ = ["MAX_QUESTION_CHARS", "answer_question", "best_quote", "quote_in_chunk", "stream_answer"]

MAX_QUESTION_CHARS = 4000
_MARKER = re.compile(r"\[((?:S\d+)(?:\s*,\s*S\d+)*)\]")
# Sentence and line breaks, except a break right before a citation marker ("... craft. [S1]").
_BREAK = re.compile(r"((?<=[.!?])[ \t]+(?!\[S\d)|\n+)")
_END = re.compile(r"[.!?:;]*\s*$")


def _prepare(question: str, kb: KnowledgeBase, today: date | None
             ) -> tuple[list[SearchHit], list[BaseMessage]]:
    question = question.strip()
    if not question:
        raise InputError("The question is empty.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(f"The question is {len(question)} characters; the limit is "
                         f"{MAX_QUESTION_CHARS}. Shorten it.")
    if kb.count() == 0:
        raise KnowledgeError(f"Workspace '{kb.workspace}' has no documents yet. Index some "
                             f"first: keel --workspace {kb.workspace} index PATH")
    hits = [h for h in kb.search(question) if h.score >= kb.settings.min_relevance]
    passages = passages_block([(f"S{i}", h.doc_id, h.section, h.text)
                               for i, h in enumerate(hits, 1)])
    system, user = render("answer", passages=passages, question=question,
                          today=(today or date.today()).isoformat())
    return hits, [SystemMessage(content=system), HumanMessage(content=user)]


def _not_covered(question: str, kb: KnowledgeBase, hits: list[SearchHit]) -> GroundedAnswer:
    return GroundedAnswer(
        question=question.strip(), covered=False, sources=[h.chunk_id for h in hits],
        answer=f"The documents in workspace '{kb.workspace}' do not cover this question.",
    )


def answer_question(question: str, kb: KnowledgeBase, llm: LLM,
                    today: date | None = None) -> GroundedAnswer:
    """Answer from the workspace's documents, with citations."""
    hits, messages = _prepare(question, kb, today)
    if not hits:
        return _not_covered(question, kb, hits)
    return finish_answer(question, llm.text(messages), hits, kb)


def stream_answer(question: str, kb: KnowledgeBase, llm: LLM,
                  today: date | None = None) -> Iterator[str | GroundedAnswer]:
    """Yield text pieces as they arrive, then the checked `GroundedAnswer`."""
    hits, messages = _prepare(question, kb, today)
    if not hits:
        yield _not_covered(question, kb, hits)
        return
    pieces = []
    for piece in llm.stream(messages):
        pieces.append(piece)
        yield piece
    yield finish_answer(question, "".join(pieces), hits, kb)


def finish_answer(question: str, raw: str, hits: list[SearchHit],
                  kb: KnowledgeBase) -> GroundedAnswer:
    """Validate citation markers, attach quotes, clean the text."""
    text, warnings = clean_model_text(raw.strip())
    text, echoes = strip_echoes(text, [h.text for h in hits])
    warnings += echoes
    if text.upper().startswith("NOT COVERED") or not text:
        return _not_covered(question, kb, hits)
    text, added = _cite_restatements(text, [h.text for h in hits])
    if added:
        warnings.append(f"Keel cited {added} sentence(s) the model left uncited, each restating "
                        "one passage nearly word for word.")
    citations: dict[str, Citation] = {}
    bad: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        kept = []
        sentence = text[max(0, match.start() - 400) : match.start()]
        for marker in re.split(r"\s*,\s*", match.group(1)):
            index = int(marker[1:]) - 1
            if 0 <= index < len(hits):
                hit = hits[index]
                citations.setdefault(hit.chunk_id, Citation(
                    chunk_id=hit.chunk_id, document=hit.doc_id, section=hit.section,
                    quote=best_quote(sentence, hit.text)))
                kept.append(marker)
            else:
                bad.add(marker)
        return f"[{', '.join(kept)}]" if kept else ""

    answer = _MARKER.sub(replace, text).strip()
    if bad:
        warnings.append(f"Removed citations to passages that were not retrieved: {sorted(bad)}")
    if not citations:
        warnings.append("The model cited no passage; check the sources listed below.")
    return GroundedAnswer(question=question.strip(), answer=answer, covered=True,
                          citations=list(citations.values()),
                          sources=[h.chunk_id for h in hits], warnings=warnings)


def _cite_restatements(text: str, passages: list[str]) -> tuple[str, int]:
    """(text with a marker after each uncited sentence that restates a passage, how many)."""
    parts = _BREAK.split(text)
    added = 0
    for i in range(0, len(parts), 2):  # even items are sentences, odd ones the breaks
        sentence = parts[i]
        if _MARKER.search(sentence) or (index := attribute(sentence, passages)) is None:
            continue
        end = _END.search(sentence)
        cut = end.start() if end else len(sentence)
        parts[i] = f"{sentence[:cut]} [S{index + 1}]{sentence[cut:]}"
        added += 1
    return "".join(parts), added
