"""A question's rare word that the embedding missed, found by Chroma's full-text filter (issue 25).

MiniLM ranks passages by meaning, and a passage whose one distinctive word the question shares
can rank far down: "May we list our coffee on daily-deal sites?" scores the non-goals page's
"no daily-deal sites" 0.23 against the vision page's 0.53, so the answer never saw it (spent
blind-qa9; the same for "Which UK body …" style questions whose name sits in one passage).
Keyword search alongside dense search is the usual remedy (hybrid retrieval); Keel keeps it
small and uses the store's own full-text index (Chroma's `where_document`, SQLite FTS) rather
than a second index:

* a **rare word** is a content word of the question that can name a thing (`core.text.may_name`:
  not a word that only phrases it, `answer_checks.ASKING`, nor a verb or adverb such as "came",
  "bring", "far"; no number, ordinal or fraction) whose stem at least one and at most
  `RARE_CHUNKS` chunks of the workspace use (`vocabulary.stem_frequency`);
* when no retrieved passage holds a rare word, the chunk nearest the question among those that
  hold it (checked by stem, since the filter matches substrings) and share at least `SHARED` of
  the question's words (its everyday words and asking words aside: one rare word alone is
  often a verb read as a noun, "do we *work* with") **takes the last place** of the top k; at
  most `RESCUES` such places, rarest word first;
* the chunk keeps its own cosine score and is marked `lexical`, so the relevance floor, which
  is about meaning, does not drop it.

Nothing changes when the dense top k already holds every rare word, or the question has none.
"""

from __future__ import annotations

from typing import Any

from assistant.core.text import FRACTION_WORDS, NUMBER_WORDS, content_words, may_name, stem
from assistant.knowledge.answer_checks import ASKING
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.vocabulary import common_stems, stem_frequency

__all__ = ["PHRASING", "RARE_CHUNKS", "RESCUES", "SHARED", "rare_words", "with_rare_words"]

# Chosen on the base, dev and spent blind QA rows (`python -m research.retrieval.rare_words`,
# no model): hit@5 sample 131 → 135 of 144, 18F 134 → 138 of 144, none lost; 9 of 158 "absent"
# questions got such a passage (3 × 1: fewer gains, 16 of 158).
RARE_CHUNKS = 2  # a word at most this many chunks use is rare
RESCUES = 1  # places of the top k a rare word may take
SHARED = 2  # the question's words (stems) a passage found by a rare word must hold
# verbs that phrase a goal question ("does the team aim to …"), never its topic: rare in a
# workspace whose pages say "target" or "goal", they took the one rescue from the topic word
# ("… aim to certify in MECC?": spent blind-qa15)
PHRASING = frozenset(stem(w) for w in ("aim", "aims", "aiming", "aimed"))


def rare_words(question: str, kb: KnowledgeBase) -> list[str]:
    """The question's rare words, rarest first (ties in question order)."""
    frequency = stem_frequency(kb)
    words = dict.fromkeys(w for w in content_words(question)
                          if stem(w) not in ASKING | PHRASING and _names(w)
                          and 1 <= frequency[stem(w)] <= RARE_CHUNKS)
    return sorted(words, key=lambda w: frequency[stem(w)])


def _names(word: str) -> bool:
    return (not word.isdigit() and word not in NUMBER_WORDS and word not in FRACTION_WORDS
            and not word.endswith("ing") and may_name(word))


def with_rare_words(question: str, kb: KnowledgeBase, hits: list[SearchHit],
                    k: int | None = None) -> list[SearchHit]:
    """`hits` (the dense top k, best first) with the chunks holding the rare words they lack in
    their last places (module docstring)."""
    k = k if k is not None else kb.settings.retrieval_k
    rescued: list[SearchHit] = []
    have = {h.chunk_id for h in hits}
    vector: list[float] | None = None
    asked = {stem(w) for w in content_words(question)} - ASKING - common_stems(kb)
    for word in rare_words(question, kb):
        if len(rescued) >= RESCUES:
            break
        if any(_holds(h, word) for h in [*hits, *rescued]):
            continue
        vector = vector or kb.embedder.embed([question[:4000]])[0]
        found = _nearest_holding(kb, word, vector, have, asked)
        if found is not None:
            rescued.append(found)
            have.add(found.chunk_id)
    if not rescued:
        return hits
    return hits[:max(0, k - len(rescued))] + rescued


def _stems(hit: SearchHit) -> set[str]:
    return {stem(w) for w in content_words(f"{hit.section} {hit.text}")}


def _holds(hit: SearchHit, word: str) -> bool:
    return stem(word) in _stems(hit)


def _nearest_holding(kb: KnowledgeBase, word: str, vector: list[float], have: set[str],
                     asked: set[str]) -> SearchHit | None:
    """The chunk nearest the question among those using `word`'s stem, not already retrieved.
    The full-text filter is case-sensitive and matches substrings: it is asked for the word as
    written, in lower case, capitalised and in capitals ("GDS"), and each answer is checked
    by stem."""
    forms = sorted({word, word.lower(), word.capitalize(), word.upper()})
    where_document: dict[str, Any] = ({"$contains": forms[0]} if len(forms) == 1 else
                                      {"$or": [{"$contains": f} for f in forms]})
    res = kb.collection.query(query_embeddings=[vector], n_results=RARE_CHUNKS + 2,
                              where={"workspace": kb.workspace}, where_document=where_document,
                              include=["documents", "metadatas", "distances"])
    for cid, text, meta, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0],
                                     res["distances"][0], strict=True):
        hit = SearchHit.from_row(cid, text, meta, round(1.0 - dist, 4), lexical=True)
        if cid not in have and _holds(hit, word) and len(asked & _stems(hit)) >= SHARED:
            return hit
    return None
