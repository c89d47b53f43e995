"""Sentences that only point at a passage, folded into the answer's citations.

The local model often ends an answer with a sentence that says where it read it: "This can be
found in [S2].", "This is stated in [S1] and [S3]." (73 of 351 given answers in the spent
blind QA reports). The citation markers already say that, and the reader gets a sentence that
tells them nothing. Such a sentence is taken out and its markers are put on the sentence
before it, where they cite the claim (`fold_pointers`). Only plain pointers go: the sentence
opens with "This / It / That (information) is / can be / was stated / found / mentioned …
in / under / at / from", holds no digit and no quotation mark outside its markers (a quoted
heading may carry a fact: "under ‘Budget: $65,000’"), and names nothing after a "where",
"which" or "that" clause. A pointer that is the first sentence stays: it is a non-answer, for
`claims.non_answer` to judge.
"""

from __future__ import annotations

import re

from assistant.core.text import CITATION_MARKER, split_sentences

__all__ = ["fold_pointers"]

_MARKER = re.compile(rf"\s*{CITATION_MARKER.pattern}")
_POINTER = re.compile(
    r"^(?:this|it|that)(?:\s+information)?\s+(?:is|can\s+be|was|are)\s+(?:stated|found|"
    r"mentioned|written|described|located|given|listed|noted|shown)\s+(?:in|under|at|from|on)\b",
    re.IGNORECASE)
_CONTENT = re.compile(r"\d|[\"“”‘’']|\b(?:where|which|that|because|so)\b", re.IGNORECASE)


def _is_pointer(sentence: str) -> bool:
    bare = _MARKER.sub("", sentence).strip()
    match = _POINTER.match(bare)
    return match is not None and not _CONTENT.search(bare[match.end():])


def fold_pointers(text: str) -> tuple[str, int]:
    """(the text without its pointer sentences, how many went); each one's markers move to
    the sentence before it when that sentence has none."""
    sentences = split_sentences(text)
    if len(sentences) < 2 or not any(_is_pointer(s) for s in sentences[1:]):
        return text, 0
    kept: list[str] = [sentences[0]]
    folded = 0
    for sentence in sentences[1:]:
        if not _is_pointer(sentence):
            kept.append(sentence)
            continue
        folded += 1
        labels = list(dict.fromkeys(re.findall(r"S\d+", "".join(
            m.group(0) for m in _MARKER.finditer(sentence)))))
        markers = f"[{', '.join(labels)}]" if labels else ""
        if markers and not _MARKER.search(kept[-1]):
            body = kept[-1].rstrip()
            end = body[-1] if body[-1] in ".!?" else ""
            kept[-1] = f"{body[:-1] if end else body} {markers}{end}"
    return " ".join(kept), folded
