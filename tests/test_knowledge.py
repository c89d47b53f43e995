import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.core.config import Settings
from assistant.core.errors import EmbeddingMismatch, KnowledgeError, StoreLockedError
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.embeddings import FakeEmbedder

from .conftest import SAMPLE


def _copy_sample(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(SAMPLE, target)
    return target


def _snapshot(kb: KnowledgeBase) -> dict[str, str]:
    got = kb.collection.get(include=["metadatas"])
    return {cid: meta["doc_id"] for cid, meta in zip(got["ids"], got["metadatas"], strict=True)}


def test_index_twice_is_idempotent_and_edit_changes_only_that_document(
        store_settings: Settings, tmp_path: Path) -> None:
    folder = _copy_sample(tmp_path)
    with KnowledgeBase(store_settings) as kb:
        first = kb.index([folder])
        assert len(first.added) == 13 and not first.failed
        before = _snapshot(kb)
        second = kb.index([folder])
        assert second.unchanged == first.added and not (second.added or second.updated)
        assert _snapshot(kb) == before and second.chunks_written == 0

        page = folder / "departments" / "finance.md"
        page.write_text(page.read_text().replace("12 working days", "9 working days"))
        third = kb.index([folder])
        after = _snapshot(kb)
        assert third.updated == ["knowledge/departments/finance.md"]
        changed = set(before.items()) ^ set(after.items())
        assert changed and {doc for _, doc in changed} == {"knowledge/departments/finance.md"}
        assert len(after) == len(before)


def test_deleted_document_is_removed_on_reindex(store_settings: Settings, tmp_path: Path) -> None:
    folder = _copy_sample(tmp_path)
    with KnowledgeBase(store_settings) as kb:
        kb.index([folder])
        (folder / "vision.md").unlink()
        report = kb.index([folder])
        assert report.removed == ["knowledge/vision.md"]
        assert "knowledge/vision.md" not in {d.doc_id for d in kb.documents()}


def test_document_count_follows_every_write(store_settings: Settings, tmp_path: Path) -> None:
    folder = _copy_sample(tmp_path)
    with KnowledgeBase(store_settings) as kb:
        kb.index([folder])
        assert kb.document_count() == len(kb.documents()) == 13
        kb.forget("knowledge/vision.md")
        assert kb.document_count() == 12
        kb.index([folder])
        assert kb.document_count() == 13
        # a write this object did not make (another process on a shared store)
        ids = kb.collection.get(where={"doc_id": "knowledge/mission.md"}, include=[])["ids"]
        kb.collection.delete(ids=ids)
        assert kb.document_count() == len(kb.documents()) == 12


def test_bad_files_fail_alone_and_leave_the_store_unchanged(store_settings: Settings,
                                                            tmp_path: Path) -> None:
    folder = _copy_sample(tmp_path)
    with KnowledgeBase(store_settings) as kb:
        kb.index([folder])
        values_chunks = {c for c, d in _snapshot(kb).items() if d == "knowledge/values.md"}
        (folder / "values.md").write_bytes(b"\x00\x01binary now")  # a good doc goes bad
        (folder / "empty.md").write_bytes(b"")
        (folder / "latin1.txt").write_bytes("Caf\xe9".encode("latin-1"))
        (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4 broken")
        with (folder / "huge.txt").open("wb") as f:
            f.truncate(50_000_000)
        (folder / "new-plan.md").write_text("# Extra plan\n\nOpen a roastery school in 2028.\n")
        report = kb.index([folder])
        assert set(report.failed) == {"knowledge/values.md", "knowledge/empty.md",
                                      "knowledge/latin1.txt", "knowledge/corrupt.pdf",
                                      "knowledge/huge.txt"}
        assert all("\n" not in reason for reason in report.failed.values())
        assert report.added == ["knowledge/new-plan.md"]
        # The failed document keeps its previous chunks; nothing was half-written.
        assert {c for c, d in _snapshot(kb).items() if d == "knowledge/values.md"} == values_chunks
        assert not report.removed


def test_documents_listing(sample_kb: KnowledgeBase) -> None:
    docs = {d.doc_id: d for d in sample_kb.documents()}
    assert docs["knowledge/non-goals.md"].kind == "non-goals"
    assert docs["knowledge/departments/sales.md"].department == "Sales"
    assert docs["knowledge/okrs-2026-q4.md"].period == "2026-Q4"
    assert sum(d.chunks for d in docs.values()) == sample_kb.count()


def test_search_returns_scored_chunks_with_sources(sample_kb: KnowledgeBase) -> None:
    hits = sample_kb.search("Will we sell single-use coffee pods?", k=3)
    assert hits[0].doc_id == "knowledge/non-goals.md"
    assert "pods" in hits[0].text
    assert hits[0].score >= hits[1].score >= hits[2].score
    assert hits[0].section.endswith("No pods or capsules")


def test_search_filters_by_kind_and_department(sample_kb: KnowledgeBase) -> None:
    assert {h.kind for h in sample_kb.search("budget", k=5, kinds=["values"])} == {"values"}
    hits = sample_kb.search("current metrics", k=5, department="Finance")
    assert hits and {h.department for h in hits} == {"Finance"}


def test_forget(sample_kb: KnowledgeBase) -> None:
    before = sample_kb.count()
    removed = sample_kb.forget("knowledge/vision.md")
    assert removed > 0 and sample_kb.count() == before - removed
    with pytest.raises(KnowledgeError, match="No indexed document"):
        sample_kb.forget("knowledge/vision.md")


def test_workspaces_never_share_chunks(store_settings: Settings, tmp_path: Path) -> None:
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_dir.mkdir()
    b_dir.mkdir()
    (a_dir / "plan.md").write_text("# Plan\n\nCanary ALPHA-7731 roasts only on Mondays.\n")
    (b_dir / "plan.md").write_text("# Plan\n\nCanary BRAVO-1147 roasts only on Fridays.\n")
    with KnowledgeBase(store_settings.with_workspace("alpha")) as a:
        a.index([a_dir])
    with KnowledgeBase(store_settings.with_workspace("bravo")) as b:
        b.index([b_dir])
    with KnowledgeBase(store_settings.with_workspace("alpha")) as a, \
            KnowledgeBase(store_settings.with_workspace("bravo")) as b:
        for query in ("Canary BRAVO-1147 Fridays", "Canary ALPHA-7731 Mondays", "roasts"):
            assert all("BRAVO" not in h.text for h in a.search(query, k=10))
            assert all("ALPHA" not in h.text for h in b.search(query, k=10))


def test_mixing_embedding_models_is_refused(store_settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "v.md").write_text("# Vision\n\nCoffee.\n")
    with KnowledgeBase(store_settings) as kb:
        kb.index([tmp_path / "v.md"])
    with pytest.raises(EmbeddingMismatch, match="all-MiniLM"):
        KnowledgeBase(store_settings, embedder=FakeEmbedder())


def test_empty_query_is_refused(sample_kb: KnowledgeBase) -> None:
    with pytest.raises(KnowledgeError, match="empty"):
        sample_kb.search("   ")


def test_missing_path_is_a_clear_error(store_settings: Settings, tmp_path: Path) -> None:
    with KnowledgeBase(store_settings) as kb, pytest.raises(KnowledgeError, match="No such file"):
        kb.index([tmp_path / "nope"])


_HOLD = """
import sys, time
from pathlib import Path
from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
kb = KnowledgeBase(Settings(data_dir=Path(sys.argv[1]), workspace="sample"))
print("ready", kb.count(), flush=True)
time.sleep(60)
"""


def test_second_process_gets_a_clear_error_within_seconds(sample_settings: Settings) -> None:
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(sample_settings.data_dir)],
                              stdout=subprocess.PIPE, text=True)
    try:
        line = holder.stdout.readline() if holder.stdout else ""
        assert line.startswith("ready"), "a fresh process must reopen the collection"
        assert int(line.split()[1]) > 0
        start = time.monotonic()
        with pytest.raises(StoreLockedError, match="in use by Keel process"):
            KnowledgeBase(sample_settings)
        assert time.monotonic() - start < 10
    finally:
        holder.kill()
        holder.wait()
    with KnowledgeBase(sample_settings) as kb:  # the lock dies with its process
        assert kb.count() > 0
