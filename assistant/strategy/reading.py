"""Small readers the strategy map's rules share: headings, first sentences, verified quotes,
keys, perspectives."""

from __future__ import annotations

import re

from assistant.core.safety import without_planted_sentences
from assistant.core.schemas import Citation
from assistant.core.text import content_words, split_sentences
from assistant.knowledge.base import SearchHit
from assistant.knowledge.grounding import quote_in_chunk

__all__ = ["PERSPECTIVES", "RULE", "cite", "depth", "first_sentence", "heading", "perspective",
           "sentences", "slug"]

RULE = re.compile(r"\b(?:never|always|only|do not|don't|will not|won't|must)\b", re.IGNORECASE)

PERSPECTIVES = {
    "Financial": ("revenue", "margin", "profit", "cost", "price", "cash", "budget"),
    "Customer": ("customer", "subscriber", "subscription", "café", "partner", "guest", "client"),
    "Internal process": ("roastery", "roast", "waste", "process", "shift", "utilisation",
                         "efficiency", "quality"),
    "Learning & growth": ("people", "staff", "training", "career", "skill", "hire", "pay",
                          "learning"),
}


def slug(text: str) -> str:
    return "-".join(re.findall(r"[^\W_]+", text.lower()))[:80] or "untitled"


def perspective(text: str) -> str | None:
    words = content_words(text)
    counts = {name: sum(any(w.startswith(k) for k in keys) for w in words)
              for name, keys in PERSPECTIVES.items()}
    best = max(counts, key=lambda name: counts[name])
    return best if counts[best] else None


def cite(hit: SearchHit, quote: str) -> Citation:
    quote = " ".join(quote.split())
    if not quote_in_chunk(quote, hit.text):
        raise ValueError(f"quote not in {hit.chunk_id}: {quote[:80]}")  # a defect, not input
    return Citation(chunk_id=hit.chunk_id, document=hit.doc_id, section=hit.section, quote=quote)


def heading(hit: SearchHit) -> str:
    return hit.section.split(" > ")[-1].strip()


def depth(hit: SearchHit) -> int:
    return len(hit.section.split(" > "))


def sentences(text: str) -> list[str]:
    """The text's sentences without the planted ones (`core.safety`): a planted "value" or
    instruction never becomes an element, a rule or a quote of the map (issue 27: the rules'
    map showed a planted table note as a value's quote)."""
    return without_planted_sentences(text, split_sentences(text))


def first_sentence(hit: SearchHit) -> str:
    found = sentences(hit.text)
    return found[0] if found else ""
