"""Checks on a grounded answer that need no model (issue 25): the model proposes, code disposes.

* **Unmentioned words.** A word of the question that the workspace's documents never use (no
  stem of any chunk or section title shares its first `PREFIX` letters), leaving out the words
  that ask rather than name (`ASKING`): "How many vacation days…" names *vacation*; if no
  document does, the documents cannot answer it.
* **The best sentences.** Every sentence (and table row, list line) of the retrieved passages,
  ranked by MiniLM similarity to the question, with the share of the question's naming words
  it holds.
* **Extractive answers.** When the model declines although a passage sentence is close to the
  question (`EXTRACT_AT`) and holds at least `EXTRACT_SHARE` of its naming words, and the
  question names nothing the documents never mention, Keel answers with that sentence, quoted
  and cited ("Your documents say: …"), instead of "not covered".
* **Yes/no polarity.** For a question that opens with an auxiliary verb ("Can…", "Do…", "Is…"),
  the answer's opening "Yes"/"No" is checked against the evidence: a sentence that negates
  what the question asks about (a negation and at least `NEGATION_SHARED` of its naming
  words), states a bound the question's number exceeds ("batches larger than 40 kg" against
  "at most 30 kg"), or opens with "Yes."/"No." itself. Code decides only these plain cases;
  otherwise it leaves the model's word alone.

The thresholds were chosen on the dev rows of `evals/datasets/*_qa.yaml` and
`*_qa_kinds.yaml` (never the `blind-qa` rows); docs/measurements.md has the figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.core.quantities import limits_in, quantities_in
from assistant.core.safety import addressed
from assistant.core.text import content_words, split_sentences, stem
from assistant.knowledge.base import KnowledgeBase, SearchHit

__all__ = ["EXTRACT_AT", "Sentence", "best_sentences", "evidence_polarity", "extractive",
           "is_yes_no", "naming_stems", "passage_sentences", "stated_polarity",
           "unmentioned"]

Polarity = Literal["yes", "no"]

PREFIX = 5  # "financial" is mentioned by "finance"; shorter stems must match whole
EXTRACT_AT = 0.5  # MiniLM similarity of question and sentence for an extractive answer
EXTRACT_SHARE = 0.5  # … and the share of the question's naming words the sentence holds
NEGATION_SHARED = 2  # naming words a negated sentence must share with the question
MAX_SENTENCES = 60  # sentences compared per question (six passages of ten)

# Words that ask rather than name what is asked about (stems).
ASKING = frozenset(stem(w) for w in (
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "much", "many",
    "do", "does", "did", "done", "get", "gets", "have", "has", "had", "is", "are", "was", "were",
    "can", "could", "should", "would", "may", "might", "must", "shall", "today", "now",
    "currently", "current", "often", "long", "like", "look", "looks", "allow", "allowed",
    "problem", "problems", "learn", "learned", "tell", "know", "mean", "means", "kind", "type",
    "say", "says", "said", "ever", "also", "still", "right", "true", "really", "there",
    "exist", "exists", "any", "some", "need", "needs", "want", "wants", "use", "used", "make"))
_YES_NO = re.compile(r"^\W*(?:do|does|did|is|are|was|were|can|could|will|would|should|shall|"
                     r"may|might|must|has|have|had|am)\b", re.IGNORECASE)
_OPENING = re.compile(r"^\W*(yes|no)\b", re.IGNORECASE)
_FAQ = re.compile(r"^\W*(yes|no)\W*$", re.IGNORECASE)  # a sentence that is only "No."
_NEGATION = re.compile(r"\b(?:no|not|never|none|nothing|neither|nor|cannot|without)\b|n[’']t\b",
                       re.IGNORECASE)
_EXCEEDS = re.compile(r"\b(?:more|larger|bigger|higher|greater|longer|heavier|deeper|over|"
                      r"above|beyond|exceed\w*)\b", re.IGNORECASE)


_BLOCK = re.compile(r"\n\s*\n")
_ITEM = re.compile(r"^\s*(?:\||[-*+•]\s|\d+[.)]\s)")


@dataclass(frozen=True)
class Sentence:
    text: str
    passage: int  # index into the hits
    similarity: float  # MiniLM cosine to the question
    share: float  # share of the question's naming words it holds


def naming_stems(question: str) -> set[str]:
    """Stems of the question's words that name what it asks about."""
    return {stem(w) for w in content_words(question)} - ASKING


_VOCABULARY: dict[tuple[str, str, int], frozenset[str]] = {}


def _workspace_stems(kb: KnowledgeBase) -> frozenset[str]:
    """Every stem of the workspace's chunks, titles and sections; read again only when the
    chunk count changed (a few cached workspaces)."""
    key = (str(kb.settings.data_dir), kb.workspace, kb.count())
    if key not in _VOCABULARY:
        got = kb.collection.get(where={"workspace": kb.workspace},
                                include=["documents", "metadatas"])
        texts = [str(t) for t in got["documents"]] + [
            f"{m.get('title', '')} {m.get('section', '')}" for m in got["metadatas"]]
        if len(_VOCABULARY) >= 8:
            _VOCABULARY.clear()
        _VOCABULARY[key] = frozenset(stem(w) for t in texts for w in content_words(t))
    return _VOCABULARY[key]


def _mentioned(word: str, vocabulary: frozenset[str]) -> bool:
    if word in vocabulary:
        return True
    return len(word) >= PREFIX and any(v[:PREFIX] == word[:PREFIX] for v in vocabulary)


def unmentioned(question: str, kb: KnowledgeBase) -> list[str]:
    """The question's naming words that no document of the workspace uses."""
    vocabulary = _workspace_stems(kb)
    words = [w for w in content_words(question) if stem(w) not in ASKING]
    return list(dict.fromkeys(w for w in words if not _mentioned(stem(w), vocabulary)))


def passage_sentences(text: str) -> list[str]:
    """Sentences of prose (wrapped lines joined), and one item per table row or list item
    (a list item's indented continuation lines joined to it)."""
    out: list[str] = []
    for block in _BLOCK.split(text):
        lines = block.splitlines()
        if not any(_ITEM.match(line) for line in lines):
            out += split_sentences(block)
            continue
        items: list[str] = []
        for line in lines:
            if items and line.strip() and not _ITEM.match(line) and line[:1].isspace():
                items[-1] += " " + line.strip()
            elif line.strip():
                items.append(line)
        out += [s for item in items for s in split_sentences(item, lines=True)]
    return out


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def best_sentences(question: str, hits: list[SearchHit], kb: KnowledgeBase) -> list[Sentence]:
    """The passages' sentences and lines, most similar to the question first."""
    found = [(i, s) for i, h in enumerate(hits) for s in passage_sentences(h.text)
             if len(s.split()) >= 2 and not addressed(s)][:MAX_SENTENCES]
    if not found:
        return []
    vectors = kb.embedder.embed([question] + [s for _, s in found])
    naming = naming_stems(question)
    out = [Sentence(s, i, _cosine(vectors[0], v),
                    len(naming & {stem(w) for w in content_words(s)}) / len(naming)
                    if naming else 0.0)
           for (i, s), v in zip(found, vectors[1:], strict=True)]
    return sorted(out, key=lambda s: -s.similarity)


def extractive(question: str, sentences: list[Sentence], hits: list[SearchHit],
               gate: bool = True) -> tuple[str, int] | None:
    """("Your documents say: …" with the passage's marker, passage index) or None: the first
    sentence that is close enough (`gate=False`: the first sentence, already chosen)."""
    fit = [s for s in sentences if not gate or (s.similarity >= EXTRACT_AT
                                                and s.share >= EXTRACT_SHARE)]
    if not fit:
        return None
    best = fit[0]
    lines = [best.text]
    if best.text.rstrip().endswith(":"):  # "our goals are to:" — bring the list that follows
        rest = passage_sentences(hits[best.passage].text)
        at = rest.index(best.text) if best.text in rest else len(rest)
        lines += rest[at + 1: at + 5]
    quote = " ".join(lines)
    return f"Your documents say: “{quote}” [S{best.passage + 1}]", best.passage


def is_yes_no(question: str) -> bool:
    return bool(_YES_NO.match(question))


def stated_polarity(answer: str) -> Polarity | None:
    match = _OPENING.match(answer)
    return None if match is None else "yes" if match.group(1).lower() == "yes" else "no"


def evidence_polarity(question: str, sentence: str) -> Polarity | None:
    """What one sentence says to a yes/no question, where plain code can tell; else None."""
    if match := _FAQ.match(sentence):
        return "yes" if match.group(1).lower() == "yes" else "no"
    exceeds = bool(_EXCEEDS.search(question))
    for quantity, _ in quantities_in(question):
        for limit in limits_in(sentence):
            bound = limit.quantity
            if bound.unit == quantity.unit and (quantity.value > bound.value
                                                or (exceeds and quantity.value >= bound.value)):
                return "no"
    shared = naming_stems(question) & {stem(w) for w in content_words(sentence)}
    if (_NEGATION.search(sentence) and not _NEGATION.search(question)
            and len(shared) >= NEGATION_SHARED):
        return "no"
    return None
