"""Crash safety of a workspace's index: a journal, an exhaustive check, automatic repair.

Chroma's embedded store can be killed half-way through a batch of upserts (power loss,
OOM killer, Ctrl-C twice); `count()` and a few queries may then look healthy while records
are missing or stale (chroma-core/chroma#7678). Keel therefore:

1. writes a journal (`journal.Journal`, atomic) naming what is being indexed before the
   first write to the store, and removes it when the index run has finished;
2. on the next open, finding a journal means the last run was interrupted: the same paths are
   indexed again (index runs are idempotent: complete documents are skipped, partial ones
   rewritten, stale chunks removed) and the journal removed;
3. `verify` checks exhaustively: count against the ids, every id fetched with its text and an
   embedding of the right size, and every document complete (one version, chunk indices
   0..n-1). `repair` re-indexes damaged documents from their recorded source files.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:  # integrity reads a knowledge base; the base never imports integrity
    from assistant.knowledge.base import IndexReport, KnowledgeBase

__all__ = ["IntegrityReport", "repair", "verify"]


class IntegrityReport(BaseModel):
    """The result of an exhaustive check of one workspace's collection."""

    count: int
    ids: int
    fetched: int
    missing_embeddings: list[str] = Field(default_factory=list)
    damaged_documents: dict[str, str] = Field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (self.count == self.ids == self.fetched and not self.missing_embeddings
                and not self.damaged_documents)


def verify(kb: KnowledgeBase, batch: int = 500) -> IntegrityReport:
    """Exhaustive check: every id readable with text and embedding; documents complete."""
    collection = kb.collection
    ids = list(collection.get(include=[])["ids"])
    dim = len(kb.embedder.embed(["dimension probe"])[0])
    fetched, missing = 0, []
    versions: dict[str, set[str]] = defaultdict(set)
    indices: dict[str, list[int]] = defaultdict(list)
    for start in range(0, len(ids), batch):
        part = collection.get(ids=ids[start:start + batch],
                              include=["embeddings", "documents", "metadatas"])
        embeddings = part["embeddings"] if part["embeddings"] is not None else [None] * len(
            part["ids"])
        for cid, text, meta, vector in zip(part["ids"], part["documents"] or [],
                                           part["metadatas"] or [], embeddings, strict=False):
            fetched += 1
            if vector is None or len(vector) != dim or not text:
                missing.append(cid)
            doc = str((meta or {}).get("doc_id", "?"))
            versions[doc].add(str((meta or {}).get("doc_sha")))
            indices[doc].append(int((meta or {}).get("chunk_index", -1)))
    damaged = {}
    for doc, shas in versions.items():
        if len(shas) > 1:
            damaged[doc] = f"{len(shas)} versions mixed"
        elif sorted(indices[doc]) != list(range(len(indices[doc]))):
            damaged[doc] = "chunks missing or duplicated"
    return IntegrityReport(count=kb.count(), ids=len(ids), fetched=fetched,
                           missing_embeddings=missing, damaged_documents=damaged)


def repair(kb: KnowledgeBase, report: IntegrityReport) -> IndexReport | None:
    """Re-index the damaged documents from their recorded sources; None if nothing to do."""
    bad = set(report.damaged_documents)
    if report.missing_embeddings:
        got = kb.collection.get(ids=report.missing_embeddings, include=["metadatas"])
        bad |= {str((m or {}).get("doc_id")) for m in got["metadatas"] or []}
    if not bad:
        return None
    targets: set[Path] = set()
    got = kb.collection.get(include=["metadatas"])
    for meta in got["metadatas"] or []:
        doc = str((meta or {}).get("doc_id"))
        if doc in bad:  # folder-indexed ids are "<folder>/<path>"; single files, the name
            targets.add(Path(str(meta["root"] if "/" in doc else meta.get("source", ""))))
    for doc in bad:
        kb.forget(doc)
    return kb.index([p for p in targets if p.exists()])
