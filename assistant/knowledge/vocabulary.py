"""The workspace's words, read once per index state: which stems its documents use at all
(chunks, titles, sections: the unmentioned-word rule) and how many chunks use each (what a
question or a rule is about is in the rare words; a company's everyday words — "coffee" at a
roaster — decide nothing)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from assistant.core.text import content_words, lemma_stem, stem
from assistant.knowledge.base import KnowledgeBase

__all__ = ["COMMON_AT", "common_stems", "spelled_out", "stem_frequency", "workspace_stems"]

COMMON_AT = 0.15  # a stem used by this share of the chunks or more is an everyday word


@dataclass(frozen=True)
class _Words:
    chunks: Counter[str]  # stem -> how many chunks use it
    every: frozenset[str]  # every stem (and lemma's stem) of the chunks, titles and sections


_CACHE: dict[tuple[str, str, int], _Words] = {}


def _words(kb: KnowledgeBase) -> _Words:
    """Read again only when the chunk count changed (a few workspaces cached)."""
    key = (str(kb.settings.data_dir), kb.workspace, kb.count())
    if key not in _CACHE:
        got = kb.collection.get(where={"workspace": kb.workspace},
                                include=["documents", "metadatas"])
        per_chunk = [{stem(w) for w in content_words(str(t))} for t in got["documents"]]
        labels = {stem(w) for m in got["metadatas"]
                  for w in content_words(f"{m.get('title', '')} {m.get('section', '')}")}
        words = {w for t in got["documents"] for w in content_words(str(t))}
        lemmas = {lemma_stem(w) for w in words}  # "became" is also "become"
        lemmas |= _spelled_out(got["documents"])  # "KR1" is also "key result"
        lemmas |= {stem(m.lower()) for t in got["documents"] for m in _GLUED.findall(str(t))}
        if len(_CACHE) >= 8:
            _CACHE.clear()
        _CACHE[key] = _Words(Counter(s for stems in per_chunk for s in stems),
                             frozenset().union(*per_chunk, labels, lemmas))
    return _CACHE[key]


# a unit written against its number ("1TiB", "10MiB/s", "30kg"): its letters are a word the
# page uses (spent blind-qa12: "they never mention ‘tib’" of a page writing "1TiB")
_GLUED = re.compile(r"(?<=\d)([^\W\d_]{2,})\b")

# Goal-setting abbreviations a page uses where a reader writes the words ("Who owns the key
# result on gift subscriptions?" of a page listing "KR3: Sell 400 gift subscriptions"). "Q"
# only as a quarter ("Q4"), not a bare letter.
_ABBREVIATIONS = {"KR": "key result", "OKR": "objective key result", "KPI": "key performance "
                  "indicator", "FY": "fiscal year", "Q": "quarter", "YoY": "year",
                  "QBR": "quarterly business review"}
_ABBREVIATED = re.compile(r"\b(KR|OKR|KPI|FY|YoY|QBR)s?\d*\b|\b(Q)[1-4]\b")


def spelled_out(text: str) -> str:
    """The words the goal-setting abbreviations the text uses stand for ("KR2" → "key
    result"), "" when it uses none."""
    found = dict.fromkeys(m.group(1) or m.group(2) for m in _ABBREVIATED.finditer(text))
    return " ".join(_ABBREVIATIONS[a] for a in found)


def _spelled_out(texts: list[str] | list[Any]) -> set[str]:
    """Stems of the words the goal-setting abbreviations the texts use stand for."""
    return {stem(w) for t in texts for w in content_words(spelled_out(str(t)))}


def workspace_stems(kb: KnowledgeBase) -> frozenset[str]:
    """Every stem of the workspace's chunks, titles and sections, and the stem of each of
    their words' dictionary forms (`core.text.lemma_stem`)."""
    return _words(kb).every


def stem_frequency(kb: KnowledgeBase) -> Counter[str]:
    """How many chunks of the workspace use each stem."""
    return _words(kb).chunks


def common_stems(kb: KnowledgeBase, share: float = COMMON_AT) -> frozenset[str]:
    """The stems at least `share` of the workspace's chunks use (none for a tiny workspace,
    where every word is common)."""
    total = kb.count()
    if total < 10:
        return frozenset()
    return frozenset(s for s, n in stem_frequency(kb).items() if n / total >= share)
