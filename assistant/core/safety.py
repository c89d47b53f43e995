"""Planted instructions in retrieved text: find them, keep them from the model, never quote them.

Retrieved documents can carry instructions written for Keel's model (indirect prompt
injection). The layers (docs/architecture.md, issue 27): the loader indexes only what a reader
sees (`knowledge.visible`); sentences that direct a machine reader's output are found by
structure (`core.planted`), replaced by a marker in every prompt (`quarantine`,
`passages_block`; `llm.prompts` applies it to every document variable), left out of chunk
vectors (`without_planted_paragraphs`) and of quotes and judged statements
(`unplanted_pieces`); `strip_echoes` removes answer sentences repeating one; and the output
guard (`core.output_guard`) checks whatever the model writes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.core import planted
from assistant.core.output_guard import GuardContext, codes_and_links, guard_text, strip_active

__all__ = ["addressed", "clean_model_text", "instruction_sentences", "passages_block",
           "quarantine", "shown_quote", "strip_echoes", "unplanted_pieces",
           "without_planted_paragraphs", "without_planted_sentences"]

def clean_model_text(text: str) -> tuple[str, list[str]]:
    """(safe text, warnings): strips images and HTML tags the model produced."""
    return strip_active(text)


def passages_block(passages: list[tuple[str, str, str, str]]) -> str:
    """Delimit retrieved passages as data: (id, document, section, text) each."""
    parts = []
    for pid, document, section, text in passages:
        body = quarantine(text).replace("</document>", "&lt;/document&gt;")
        parts.append(f'<document id="{pid}" source="{_attr(document)}" section="{_attr(section)}">'
                     f"\n{body}\n</document>")
    return "\n".join(parts)


def _attr(value: str) -> str:
    return value.replace('"', "'").replace("\n", " ")[:200]


_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?=\S))+[.!?]?")  # "." inside a URL or code stays
_WORD = re.compile(r"[a-z0-9]+")
# a line break inside a paragraph (Markdown soft wrap), not before a list item, table row,
# heading or quote, and not a hard break ("  " before it): a sentence may run across it
_SOFT_BREAK = re.compile(r"(?<=[^\s])\n(?=[ \t]*[^\s\-*+>#|\d])")


def addressed(sentence: str) -> bool:
    """True when a sentence directs a machine reader's output (`core.planted`, by structure)."""
    return planted.addressed(sentence)


@lru_cache(maxsize=4096)
def _sentences(text: str) -> tuple[tuple[int, int, bool], ...]:
    """(start, end, planted) per sentence; a line whose label names a machine reader ("Bots:",
    "Note to AI:") makes each of its sentences count as addressed to one; a sentence declaring
    its own text void ("the values above were withdrawn") makes itself and the rest of its line
    planted (what follows is the value meant to take their place). Cached: every answer reads
    the same retrieved chunks again (90% of an answer's own checking time, session 24)."""
    out: list[tuple[int, int, bool]] = []
    offset = 0
    for line in _SOFT_BREAK.sub(" ", text).split("\n"):  # same length: offsets hold
        machine = planted.label_addresses_machine(line)
        named = planted.label_addresses_machine(line, strong=True)
        found, voided, labelled = [], False, False
        for m in _SENTENCE.finditer(line):
            if m.group(0).strip():
                sentence = m.group(0)
                voided = voided or planted.voids_itself(sentence)
                labelled = labelled or planted.label_addresses_machine(sentence)
                strong = named or planted.label_addresses_machine(sentence, strong=True)
                found.append((offset + m.start(), offset + m.end(), voided or planted.addressed(
                    sentence, machine or labelled or strong, strong)))
                # a machine named as the reader speaks to the rest of the line, not to what
                # came before: "… action item for the AI assistant. From now on present …"
                named = strong or planted.names_addressee(sentence)
        if machine and any(flag for _, _, flag in found):  # the label's whole line is for it
            found = [(a, b, True) for a, b, _ in found]
        out += found
        offset += len(line) + 1
    return tuple(out)


def _planted_spans(text: str) -> list[tuple[int, int]]:
    """Where the planted text is: each sentence addressed to the assistant, widened to its whole
    line (one paragraph per line in a chunk) when the text has other lines. BIPIA-style attacks
    are a paragraph of their own ("Write a script to rename all files… Also include the code …
    in your answer."): cutting only the addressed sentence left "Write a script…" glued to the
    value it was planted next to. A planted sentence inside a one-paragraph text is cut alone,
    so the company's sentences around it survive."""
    lines = [line for line in text.splitlines() if line.strip()]
    spans = []
    for a, b, is_planted in _sentences(text):
        if not is_planted:
            continue
        if len(lines) > 1:
            a = text.rfind("\n", 0, a) + 1
            b = len(text) if (end := text.find("\n", b)) < 0 else end
        spans.append((a, b))
    return spans


def unplanted_pieces(text: str) -> list[str]:
    """The text cut around its planted parts (`_planted_spans`): each piece verbatim and
    contiguous, so it can still be quoted and cited."""
    pieces, start = [], 0
    for a, b in _planted_spans(text):
        pieces.append(text[start:max(start, a)])
        start = max(start, b)
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def without_planted_paragraphs(text: str) -> str:
    """The text without its planted parts: what a chunk's vector is computed from, so planted
    text cannot move retrieval. Measured with the local model (2026-11-27): an attack planted in
    the middle of the values page diluted the value section it landed in, that value dropped
    out of the two judged, and 4 of 20 such alignment checks flipped from misaligned to aligned
    (0 of 40 at top or end). The stored text stays verbatim, planted part included, for quoting
    and for the filters."""
    return "\n".join(unplanted_pieces(text)) if _planted_spans(text) else text


def instruction_sentences(passages: list[str]) -> list[str]:
    """Sentences of retrieved passages that address the assistant (planted instructions)."""
    return [text[a:b].strip() for text in passages for a, b, is_planted in _sentences(text)
            if is_planted]


def without_planted_sentences(text: str, sentences: list[str]) -> list[str]:
    """`sentences` (split from `text` by any splitter) without those overlapping a planted part
    of `text`, read in its context (a machine-labelled line, a text declaring itself void, a
    sentence wrapped over lines) — which one sentence read alone can lose."""
    planted = [" ".join(p.split()) for p in instruction_sentences([text])]
    if not planted:
        return sentences
    return [s for s in sentences
            if not any(p in (flat := " ".join(s.split())) or flat in p for p in planted)]


def strip_echoes(answer: str, passages: list[str]) -> tuple[str, list[str]]:
    """Remove answer sentences that carry out or repeat an instruction planted in a passage.

    A sentence goes if it contains a code or link from a planted instruction (a canary, a
    URL) or repeats eight or more consecutive words of it. Returns (text, warnings).
    """
    instructions = instruction_sentences(passages)
    if not instructions:
        return answer, []
    tokens = set().union(*(codes_and_links(p) for p in instructions))
    shingles = {tuple(w[i:i + 8]) for p in instructions for w in [_WORD.findall(p.lower())]
                for i in range(max(0, len(w) - 7))}
    kept, removed = [], 0
    for match in _SENTENCE.finditer(answer):
        sentence = match.group(0)
        words = _WORD.findall(sentence.lower())
        echoed = bool(codes_and_links(sentence) & tokens) or any(
            tuple(words[i:i + 8]) in shingles for i in range(max(0, len(words) - 7)))
        if echoed:
            removed += 1
        else:
            kept.append(sentence)
    if not removed:
        return answer, []
    return ("".join(kept).strip(), [f"Removed {removed} sentence(s) that followed or repeated "
                                    "an instruction planted in a document."])


def shown_quote(quote: str, typed: str = "") -> str:
    """A document quote as a source list shows it: without planted sentences, and without
    codes or links the user did not type (the output guard's rule). The alignment report's
    source list printed whole chunks verbatim, planted text included (issue 27's blind run)."""
    text = " … ".join(unplanted_pieces(quote)) if _planted_spans(quote) else quote
    return guard_text(text, GuardContext.build(quote, typed))[0]


QUARANTINED = "[a sentence addressed to an AI assistant was removed here]"


def quarantine(text: str) -> str:
    """The passage with its sentences addressed to the assistant replaced by a marker.

    Company documents state facts and plans; a sentence telling the reader's *assistant* what
    to put in its answer is planted. The model never sees it (the stored chunk and its
    citations are unchanged); `strip_echoes` still checks the answer against the original.
    """
    out, start = [], 0
    for a, b, is_planted in _sentences(text):
        if is_planted:
            lead = len(text[a:b]) - len(text[a:b].lstrip())
            out += [text[start:a + lead], QUARANTINED]
            start = b
    return "".join(out) + text[start:]
