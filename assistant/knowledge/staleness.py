"""Is a saved citation still true? Re-indexing can change or remove the passage it quotes.

One rule for everything that cites (map elements, saved OKR sets, saved checks): a citation is
stale when its chunk is gone or its quote is no longer in the chunk's text; what stands there
now is the chunk's text, or else the text now under the same document section ("" when the
section is gone too), so a person sees the old quote next to the new wording.
"""

from __future__ import annotations

from assistant.core.schemas import Citation
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.grounding import quote_in_chunk

__all__ = ["text_now_if_stale"]


def text_now_if_stale(citation: Citation, kb: KnowledgeBase) -> str | None:
    """None while the quote is still in its chunk; else the passage's text now ("" if gone)."""
    hit = kb.get_chunks([citation.chunk_id]).get(citation.chunk_id)
    if hit is not None and quote_in_chunk(citation.quote, hit.text):
        return None
    if hit is not None:
        return hit.text
    return next((h.text for h in kb.chunks_of(citation.document)
                 if h.section == citation.section), "")
