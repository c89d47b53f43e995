"""An element a person adds to the strategy map: like every element, it cites the passage of
the company's documents it comes from — the person copies a sentence, code finds its chunk.

A strategy that is written nowhere cannot be cited, so it cannot enter the map; the error says
to write it down (a document, indexed) first. The element is the person's (origin `person`,
status `edited`): rebuilds never touch it.
"""

from __future__ import annotations

from assistant.core.errors import InputError
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.grounding import quote_in_chunk
from assistant.strategy.model import KINDS, MapElement
from assistant.strategy.reading import cite, slug

__all__ = ["person_element"]


def _chunk_with(kb: KnowledgeBase, quote: str) -> SearchHit | None:
    for hit in kb.search(quote, k=8):  # the likely chunks first, then every chunk
        if quote_in_chunk(quote, hit.text):
            return hit
    for doc in kb.documents():
        for hit in kb.chunks_of(doc.doc_id):
            if quote_in_chunk(quote, hit.text):
                return hit
    return None


def person_element(kb: KnowledgeBase, kind: str, title: str, quote: str,
                   **fields: object) -> MapElement:
    """A validated element citing the chunk that holds `quote` (InputError when none does)."""
    if kind not in KINDS:
        raise InputError(f"Kind must be one of: {', '.join(KINDS)}.")
    title, quote = " ".join(title.split()), " ".join(quote.split())
    if len(title) < 3:
        raise InputError("Give the element a title (a few words).")
    if len(quote) < 12:
        raise InputError("Copy the sentence the element comes from (at least a few words) "
                         "from one of your documents.")
    hit = _chunk_with(kb, quote)
    if hit is None:
        raise InputError("That sentence is not in any indexed document. Copy it exactly from "
                         "the document it comes from, or write it down in a document and "
                         "index it first: every element of the map cites its source.")
    try:
        return MapElement.model_validate({
            "key": f"person:{kind}:{slug(title)}", "kind": kind, "title": title, "text": quote,
            "citations": [cite(hit, quote)], "origin": "person", "status": "edited", **fields})
    except ValueError as exc:  # pydantic: a field the element does not accept
        raise InputError(f"The element is not valid: {str(exc).splitlines()[-1]}") from None
