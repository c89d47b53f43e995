"""How often the workspace's chunks use each word stem: what a question or a rule is about
is in the rare words; a company's everyday words ("coffee" at a roaster) decide nothing."""

from __future__ import annotations

from collections import Counter

from assistant.core.text import content_words, stem
from assistant.knowledge.base import KnowledgeBase

__all__ = ["COMMON_AT", "common_stems", "stem_frequency"]

COMMON_AT = 0.15  # a stem used by this share of the chunks or more is an everyday word
_FREQUENCY: dict[tuple[str, str, int], Counter[str]] = {}


def stem_frequency(kb: KnowledgeBase) -> Counter[str]:
    """How many chunks of the workspace use each stem (read again when the count changed;
    a few workspaces cached)."""
    key = (str(kb.settings.data_dir), kb.workspace, kb.count())
    if key not in _FREQUENCY:
        got = kb.collection.get(where={"workspace": kb.workspace}, include=["documents"])
        if len(_FREQUENCY) >= 8:
            _FREQUENCY.clear()
        _FREQUENCY[key] = Counter(s for t in got["documents"]
                                  for s in {stem(w) for w in content_words(str(t))})
    return _FREQUENCY[key]


def common_stems(kb: KnowledgeBase, share: float = COMMON_AT) -> frozenset[str]:
    """The stems at least `share` of the workspace's chunks use (none for a tiny workspace,
    where every word is common)."""
    total = kb.count()
    if total < 10:
        return frozenset()
    return frozenset(s for s, n in stem_frequency(kb).items() if n / total >= share)
