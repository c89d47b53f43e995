"""Which strategic statements a proposal should be judged against.

Retrieval runs per extracted aspect (each goal, each action, the audience and the whole
text), over two groups of documents: guard-rails (values, non-goals, "not funded" lists) and
goals (vision, mission, strategy pillars, plans, current OKRs). Chunks are then split into
statements (one bullet of a values list, one KR of an OKR block), so the model judges one
principle at a time, and every statement is scored by its best cosine similarity to any
aspect. The top statements of each kind are judged; the rest are not shown to the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.core.safety import unplanted_pieces
from assistant.core.text import content_stems, split_sentences
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.embeddings import Embedder

__all__ = ["DUPLICATE_AT", "GUARD_HEADING", "GUARD_KINDS", "LIMITS", "Element",
           "gather_elements", "kind_of", "planned_overlap", "split_statements"]

GUARD_KINDS = ["values", "non-goals", "plan"]
GOAL_KINDS = ["vision", "mission", "strategy", "plan", "okrs", "other"]
# How many statements of each kind are judged per proposal (one model call each).
LIMITS = {"non-goal": 3, "value": 2, "goal": 2, "initiative": 2}
GUARD_HEADING = re.compile(r"not funded|will not|won't|non-goal|out of scope|not do|never",
                            re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
_BOLD_LEAD = re.compile(r"^\*\*([^*]{3,80}?)\.?\*\*")
# A planned action sentence whose word stems are at least this share in the proposal makes the
# proposal a duplicate (chosen on the dev split: duplicates 0.80 and 0.89, the closest
# non-duplicate 0.70).
DUPLICATE_AT = 0.75


@dataclass(frozen=True)
class Element:
    """One statement from one chunk, with how close it is to the proposal."""

    name: str
    kind: str  # goal | value | non-goal | initiative
    statement: str  # verbatim text of the chunk (white space may differ)
    hit: SearchHit
    similarity: float


def kind_of(hit: SearchHit) -> str:
    last = hit.section.split(" > ")[-1]
    if hit.kind == "non-goals" or GUARD_HEADING.search(last):
        return "non-goal"
    if hit.kind == "values":
        return "value"
    if hit.kind in ("plan", "okrs"):
        return "initiative"
    return "goal"


def split_statements(hit: SearchHit) -> list[tuple[str, str]]:
    """(name, statement) pieces of a chunk: its bullets when it is a list, else the whole."""
    section = hit.section.split(" > ")[-1] or hit.title
    pieces = [p.strip() for p in _BULLET.split(hit.text)]
    bullets = [p for p in pieces[1:] if len(p) > 25]
    if len(bullets) < 2 or len(hit.text) < 300:
        return [(section, hit.text.strip())]
    out = []
    for bullet in bullets:
        lead = _BOLD_LEAD.match(bullet)
        name = lead.group(1) if lead else " ".join(bullet.split()[:6])
        out.append((f"{section}: {name}"[:120], bullet))
    return out


# A key result's line states a target ("KR1: Raise the share of new subscribers from referrals
# from 9% to 15%"): a proposal aiming at it serves it, it does not repeat planned work (the
# third blind set's referral-link proposal was called a duplicate of its KR).
_KR_LINE = re.compile(r"^\W*KR\s*\d+\s*[:.)-]", re.IGNORECASE)


def planned_overlap(statement: str, proposal: str) -> tuple[float, str]:
    """(share of a planned sentence's word stems found in the proposal, that sentence), for the
    statement's sentence that overlaps most; sentences under six stems, table rows and key
    results' lines (targets, not planned actions) skipped."""
    have = content_stems(proposal)
    best, sentence = 0.0, ""
    for piece in split_sentences(statement, lines=True):
        stems = content_stems(piece)
        if len(stems) < 6 or "|" in piece or _KR_LINE.match(piece):
            continue
        ratio = len(stems & have) / len(stems)
        if ratio > best:
            best, sentence = ratio, " ".join(piece.split())
    return best, sentence


def _queries(text: str, aspects: list[str]) -> list[str]:
    queries = [text[:1500]] + [a for a in aspects if len(a.strip()) > 3]
    return list(dict.fromkeys(q.strip() for q in queries))[:9]


def gather_elements(kb: KnowledgeBase, embedder: Embedder, text: str,
                    aspects: list[str], floor: float = 0.15) -> list[Element]:
    """The statements to judge, best first within each kind, at most LIMITS per kind."""
    queries = _queries(text, aspects)
    hits: dict[str, SearchHit] = {}
    for query in queries:
        for kinds in (GUARD_KINDS, GOAL_KINDS):
            for hit in kb.search(query, k=4, kinds=kinds):
                hits.setdefault(hit.chunk_id, hit)
    candidates = [(name, piece, hit) for hit in hits.values()
                  for name, statement in split_statements(hit)
                  for piece in unplanted_pieces(statement)  # planted text is no principle
                  if len(piece) >= 80]  # nor is an introduction line
    if not candidates:
        return []
    vectors = embedder.embed([s for _, s, _ in candidates])
    qvecs = embedder.embed(queries)
    elements = []
    for (name, statement, hit), vec in zip(candidates, vectors, strict=True):
        sim = max(sum(a * b for a, b in zip(vec, q, strict=True)) for q in qvecs)
        if sim >= floor:
            elements.append(Element(name=name, kind=kind_of(hit), statement=statement,
                                    hit=hit, similarity=round(sim, 4)))
    elements.sort(key=lambda e: -e.similarity)
    chosen: list[Element] = []
    for kind, limit in LIMITS.items():
        chosen += [e for e in elements if e.kind == kind][:limit]
    return chosen
