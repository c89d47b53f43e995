"""The workspace knowledge base: ingest documents into Chroma and retrieve chunks.

One collection per workspace (`keel-ws-<name>`), vectors computed by Keel's own embedder,
the embedding model recorded in the collection metadata. Re-indexing is idempotent:
chunk ids hash the document, section and text, so unchanged chunks keep their ids; a
changed document gets its new chunks written first and its stale ones deleted after, so a
crash in between never loses the document (the next run finishes the job).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assistant.core.config import Settings
from assistant.core.errors import DocumentError, EmbeddingMismatch, KnowledgeError
from assistant.core.safety import without_planted_paragraphs
from assistant.knowledge.documents import (
    SUPPORTED_SUFFIXES,
    Chunk,
    ParsedDocument,
    chunk_document,
    parse_document,
)
from assistant.knowledge.embeddings import Embedder, KeelEmbeddingFunction, build_embedder
from assistant.knowledge.journal import Journal
from assistant.knowledge.rows import ROWS_SUFFIX, parents, row_views, view_metadata
from assistant.knowledge.store import StoreHandle, open_store

__all__ = ["DocumentInfo", "IndexReport", "KnowledgeBase", "Progress", "SearchHit"]

Progress = Callable[[int, int, str], None]


class SearchHit(BaseModel):
    """One retrieved chunk; `score` is cosine similarity (1 = identical); `lexical` when it was
    found by a rare word of the question rather than by meaning (`lexical.py`)."""

    chunk_id: str
    doc_id: str
    title: str
    kind: str
    department: str | None = None
    section: str
    text: str
    score: float
    lexical: bool = False

    @classmethod
    def from_row(cls, chunk_id: str, text: str | None, meta: Mapping[str, Any], score: float,
                 lexical: bool = False) -> SearchHit:
        """A hit from one Chroma row (its id, document and metadata)."""
        return cls(chunk_id=chunk_id, doc_id=str(meta["doc_id"]), title=str(meta.get("title", "")),
                   kind=str(meta["kind"]), department=str(meta.get("department") or "") or None,
                   section=str(meta.get("section", "")), text=str(text or ""), score=score,
                   lexical=lexical)


class DocumentInfo(BaseModel):
    doc_id: str
    title: str
    kind: str
    department: str | None = None
    period: str | None = None
    chunks: int
    indexed_at: str
    source: str


class IndexReport(BaseModel):
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    failed: dict[str, str] = {}
    skipped: list[str] = []
    chunks_written: int = 0
    chunks_total: int = 0


class _Pending(BaseModel):
    """A parsed document whose chunks must be written."""

    model_config = {"arbitrary_types_allowed": True}
    doc: ParsedDocument
    root: str
    chunks: list[Chunk]
    keep_ids: set[str]
    stale_ids: set[str]
    is_new: bool


class KnowledgeBase:
    """Index, list, forget and search one workspace's documents."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.workspace = settings.workspace
        self.embedder = embedder or build_embedder(settings)
        self._store: StoreHandle | None = open_store(settings)
        self._write = threading.RLock()
        self._doc_count: tuple[int, int] | None = None  # (chunk count, documents) cache
        self.collection = self._open_collection()
        self.rows = self._open_collection(ROWS_SUFFIX)  # table rows as views (`rows.py`)
        self.journal = Journal(settings.workspace_dir)
        self.recovered: IndexReport | None = self._finish_interrupted_run()

    def _finish_interrupted_run(self) -> IndexReport | None:
        """A journal left behind means the last index run was killed: run it again."""
        paths = self.journal.pending()
        if paths is None:
            return None
        report = self.index([p for p in paths if p.exists()]) if paths else IndexReport()
        self.journal.end()
        return report

    # --- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def location(self) -> str:
        return self._store.location if self._store else "closed"

    def _open_collection(self, suffix: str = "") -> Any:
        assert self._store is not None
        name = f"keel-ws-{self.workspace}{suffix}"
        model = self.embedder.model_id
        try:
            collection = self._store.client.get_or_create_collection(
                name=name,
                embedding_function=KeelEmbeddingFunction(model),
                metadata={"hnsw:space": "cosine", "keel_embedding_model": model,
                          "keel_workspace": self.workspace},
            )
        except Exception as exc:
            raise KnowledgeError(f"Cannot open collection {name}: {exc}") from exc
        stored = (collection.metadata or {}).get("keel_embedding_model")
        if stored and stored != model:
            raise EmbeddingMismatch(
                f"Workspace '{self.workspace}' was indexed with embedding model {stored}, but "
                f"the settings select {model}. Use the same embeddings provider, or index "
                "into a new workspace."
            )
        return collection

    # --- reading ---------------------------------------------------------------------
    def count(self) -> int:
        return int(self.collection.count())

    def chunk_ids(self) -> list[str]:
        """Every chunk id in the workspace (integrity checks, isolation tests)."""
        return list(self.collection.get(include=[])["ids"])

    def _all_metadata(self) -> list[tuple[str, dict[str, Any]]]:
        result = self.collection.get(include=["metadatas"])
        return list(zip(result["ids"], result["metadatas"] or [], strict=True))

    def documents(self) -> list[DocumentInfo]:
        """Every indexed document with its kind, chunk count and last index time."""
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for _, meta in self._all_metadata():
            grouped[str(meta["doc_id"])].append(meta)
        infos = []
        for doc_id, metas in sorted(grouped.items()):
            first = metas[0]
            infos.append(DocumentInfo(
                doc_id=doc_id, title=str(first.get("title", doc_id)), kind=str(first["kind"]),
                department=first.get("department") or None, period=first.get("period") or None,
                chunks=len(metas), indexed_at=max(str(m.get("indexed_at", "")) for m in metas),
                source=str(first.get("source", "")),
            ))
        return infos

    def document_count(self) -> int:
        """How many documents; recounted only when the chunk count changed or this object
        wrote. The UI's status line asks every 3 s per open page, and listing every chunk's
        metadata each time was the hot path on big stores. Another process swapping one
        document for another with exactly the same number of chunks is seen at the next change.
        """
        count = self.count()
        cached = self._doc_count
        if cached is None or cached[0] != count:
            cached = self._doc_count = (count, len(self.documents()))
        return cached[1]

    def search(
        self, query: str, k: int | None = None, kinds: Iterable[str] | None = None,
        department: str | None = None,
    ) -> list[SearchHit]:
        """Top-k chunks for a query, best first, optionally filtered by kind or department."""
        if not query.strip():
            raise KnowledgeError("The search query is empty.")
        k = k if k is not None else self.settings.retrieval_k
        if k <= 0 or self.count() == 0:
            return []
        filters: list[dict[str, Any]] = []
        if kinds:
            filters.append({"kind": {"$in": list(kinds)}})
        if department:
            filters.append({"department": department})
        where = filters[0] if len(filters) == 1 else ({"$and": filters} if filters else None)
        vector = self.embedder.embed([query[:4000]])[0]
        res = self.collection.query(
            query_embeddings=[vector], n_results=min(k, self.count()), where=where,
            include=["documents", "metadatas", "distances"],
        )
        hits = []
        for cid, text, meta, dist in zip(res["ids"][0], res["documents"][0],
                                         res["metadatas"][0], res["distances"][0], strict=True):
            if meta.get("workspace") != self.workspace:  # defence in depth: never cross
                continue
            hits.append(SearchHit.from_row(cid, text, meta, round(1.0 - dist, 4)))
        return self._with_rows(hits, vector, k, where)

    def _with_rows(self, hits: list[SearchHit], vector: list[float], k: int,
                   where: dict[str, Any] | None) -> list[SearchHit]:
        """`hits` merged with the chunks whose table rows match better (`rows.py`)."""
        views = int(self.rows.count())
        if not views:
            return hits
        res = self.rows.query(query_embeddings=[vector], n_results=min(k, views), where=where,
                              include=["metadatas", "distances"])
        best = parents(res["ids"][0], res["metadatas"][0], res["distances"][0], self.workspace)
        have = {h.chunk_id for h in hits}
        merged = [h.model_copy(update={"score": max(h.score, best.get(h.chunk_id, -1.0))})
                  for h in hits]
        merged += [h.model_copy(update={"score": best[cid]})
                   for cid, h in self.get_chunks([c for c in best if c not in have]).items()]
        return sorted(merged, key=lambda h: -h.score)[:k]

    def get_chunks(self, ids: list[str]) -> dict[str, SearchHit]:
        """Chunks by id (missing ids are absent from the result)."""
        ids = list(dict.fromkeys(ids))  # Chroma refuses duplicate ids
        if not ids:
            return {}
        res = self.collection.get(ids=ids, include=["documents", "metadatas"])
        out = {}
        for cid, text, meta in zip(res["ids"], res["documents"], res["metadatas"], strict=True):
            if meta.get("workspace") == self.workspace:
                out[cid] = SearchHit.from_row(cid, text, meta, 1.0)
        return out

    def chunks_of(self, doc_id: str) -> list[SearchHit]:
        """Every chunk of one document, in document order."""
        res = self.collection.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        rows = sorted(zip(res["ids"], res["documents"], res["metadatas"], strict=True),
                      key=lambda r: int(r[2].get("chunk_index", 0)))
        return [SearchHit.from_row(cid, text, meta, 1.0)
                for cid, text, meta in rows if meta.get("workspace") == self.workspace]

    # --- writing ---------------------------------------------------------------------
    def forget(self, doc_id: str) -> int:
        """Remove a document's chunks; returns how many were removed."""
        with self._write:
            ids = self.collection.get(where={"doc_id": doc_id}, include=[])["ids"]
            if not ids:
                known = ", ".join(d.doc_id for d in self.documents()[:10]) or "none"
                raise KnowledgeError(f"No indexed document '{doc_id}'. Known: {known}")
            self._delete(ids)
            self._doc_count = None
            return len(ids)

    def index(self, paths: Iterable[Path], progress: Progress | None = None) -> IndexReport:
        """Ingest files and folders; unchanged documents are skipped, deleted ones removed."""
        paths = [Path(p) for p in paths]
        with self._write:
            report = IndexReport()
            existing = self._existing_docs()
            pending: list[_Pending] = []
            swept_roots: set[str] = set()
            seen: set[str] = set()
            for path in paths:
                root, files, skipped = _expand(Path(path))
                report.skipped += skipped
                if Path(path).is_dir():
                    swept_roots.add(str(root))
                for file, doc_id in files:
                    seen.add(doc_id)
                    item = self._prepare(file, doc_id, str(root), existing, report)
                    if item is not None:
                        pending.append(item)
            vectors = self._embed_pending(pending, progress)
            self.journal.begin(paths)
            self._write_docs(pending, vectors)
            for item in pending:
                (report.added if item.is_new else report.updated).append(item.doc.doc_id)
                report.chunks_written += len(item.chunks) - len(item.keep_ids)
            for doc_id, info in existing.items():
                if info["root"] in swept_roots and doc_id not in seen:
                    self._delete(info["ids"])
                    report.removed.append(doc_id)
            report.chunks_total = self.count()
            self._doc_count = None
            self.journal.end()
            return report

    def _existing_docs(self) -> dict[str, dict[str, Any]]:
        docs: dict[str, dict[str, Any]] = {}
        for cid, meta in self._all_metadata():
            info = docs.setdefault(str(meta["doc_id"]), {"ids": set(), "shas": set(), "root": ""})
            info["ids"].add(cid)
            info["shas"].add(meta.get("doc_sha"))
            info["root"] = str(meta.get("root", ""))
        return docs

    def _prepare(self, file: Path, doc_id: str, root: str, existing: dict[str, dict[str, Any]],
                 report: IndexReport) -> _Pending | None:
        try:
            doc = parse_document(file, doc_id, int(self.settings.max_document_mb * 1e6))
            chunks = chunk_document(doc, self.settings.chunk_size, self.settings.chunk_overlap)
            if len(chunks) > self.settings.max_chunks_per_document:
                raise DocumentError(doc_id, f"{len(chunks):,} chunks; the limit is "
                                    f"{self.settings.max_chunks_per_document:,} per document "
                                    "(split it, or raise KEEL_MAX_CHUNKS_PER_DOCUMENT)")
        except DocumentError as exc:
            report.failed[doc_id] = exc.reason
            return None
        old = existing.get(doc_id)
        new_ids = {c.id for c in chunks}
        if old and old["shas"] == {doc.sha256} and old["ids"] == new_ids:
            report.unchanged.append(doc_id)
            return None
        old_ids: set[str] = set(old["ids"]) if old else set()
        return _Pending(doc=doc, root=root, chunks=chunks, keep_ids=new_ids & old_ids,
                        stale_ids=old_ids - new_ids, is_new=old is None)

    def _embed_pending(self, pending: list[_Pending], progress: Progress | None
                       ) -> dict[str, list[float]]:
        todo = [(c, item.doc) for item in pending for c in item.chunks if c.id not in item.keep_ids]
        vectors: dict[str, list[float]] = {}
        step = max(self.settings.embedding_batch_size * 4, 64)
        for start in range(0, len(todo), step):
            batch = todo[start : start + step]
            texts = [f"{doc.title} — {c.section}\n{without_planted_paragraphs(c.text)}"
                     for c, doc in batch]  # planted text does not move retrieval
            for (chunk, _), vec in zip(batch, self.embedder.embed(texts), strict=True):
                vectors[chunk.id] = vec
            if progress:
                progress(min(start + step, len(todo)), len(todo), "embedding chunks")
        return vectors

    def _write_docs(self, pending: list[_Pending], vectors: dict[str, list[float]]) -> None:
        """New chunks first (batched across documents), then metadata of kept ones, then
        stale ones deleted: a crash at any point loses no document."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        new: list[tuple[str, str, dict[str, Any]]] = []
        kept: list[tuple[str, str, dict[str, Any]]] = []
        for item in pending:
            for c in item.chunks:
                row = (c.id, c.text, self._metadata(item, c, now))
                (kept if c.id in item.keep_ids else new).append(row)
        limit = self._store.client.get_max_batch_size() if self._store else 1000
        for start in range(0, len(new), limit):
            part = new[start : start + limit]
            self._write_rows(part)  # views first: one whose chunk is missing is skipped
            self.collection.upsert(ids=[r[0] for r in part], documents=[r[1] for r in part],
                                   embeddings=[vectors[r[0]] for r in part],
                                   metadatas=[r[2] for r in part])
        for start in range(0, len(kept), limit):
            part = kept[start : start + limit]
            self.collection.update(ids=[r[0] for r in part], metadatas=[r[2] for r in part])
        self._delete(sorted(i for item in pending for i in item.stale_ids))

    def _metadata(self, item: _Pending, chunk: Chunk, now: str) -> dict[str, Any]:
        doc = item.doc
        return {
            "workspace": self.workspace, "doc_id": doc.doc_id, "doc_sha": doc.sha256,
            "title": doc.title, "kind": doc.kind, "department": doc.department or "",
            "period": doc.period or "", "section": chunk.section, "chunk_index": chunk.index,
            "source": str(doc.path), "root": item.root, "indexed_at": now,
        }

    def _write_rows(self, chunks: list[tuple[str, str, dict[str, Any]]]) -> None:
        """The table-row views of chunks about to be written. Views go first: a crash before
        their chunks leaves views whose chunk is missing, which a search skips, and the run
        the journal repeats writes the same chunk ids (content-derived) to complete them."""
        views = [(vid, text, view_metadata(cid, meta)) for cid, body, meta in chunks
                 for vid, text in row_views(cid, str(meta["title"]), str(meta["section"]), body)]
        if views:
            self.rows.upsert(ids=[v[0] for v in views], documents=[v[1] for v in views],
                             embeddings=self.embedder.embed([v[1] for v in views]),
                             metadatas=[v[2] for v in views])

    def _delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        limit = self._store.client.get_max_batch_size() if self._store else 1000
        for start in range(0, len(ids), limit):
            self.rows.delete(where={"parent": {"$in": ids[start : start + limit]}})
            self.collection.delete(ids=ids[start : start + limit])


def _expand(path: Path) -> tuple[Path, list[tuple[Path, str]], list[str]]:
    """(root, [(file, doc_id)], skipped) for a file or folder argument."""
    if not path.exists():
        raise KnowledgeError(f"No such file or folder: {path}")
    if path.is_file():
        return path.resolve().parent, [(path, path.name)], []
    root = path.resolve()
    files, skipped = [], []
    for file in sorted(root.rglob("*")):
        rel = file.relative_to(root)
        if not file.is_file() or any(p.startswith(".") for p in rel.parts):
            continue
        doc_id = f"{root.name}/{rel.as_posix()}"
        if file.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append((file, doc_id))
        else:
            skipped.append(doc_id)
    return root, files, skipped
