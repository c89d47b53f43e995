"""Crash safety of the index: journal recovery, exhaustive verify, repair; and real SIGKILLs
of `keel index` while it writes (a small version of benchmarks/crash_cycles.py)."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import pytest

from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.integrity import repair, verify
from assistant.knowledge.journal import Journal
from tests.support.crash_cycles import check, index_child, passed, wait_for, write_corpus


def _fake(settings: Settings) -> Settings:
    return settings.model_copy(update={"embeddings_provider": "fake"})


def test_verify_finds_missing_chunks_and_repair_restores_them(settings: Settings,
                                                              tmp_path: Path) -> None:
    write_corpus(tmp_path / "corpus", docs=3, edition=0, edit_every=0)
    with KnowledgeBase(_fake(settings)) as kb:
        kb.index([tmp_path / "corpus"])
        total = kb.count()
        assert verify(kb).ok
        victim = sorted(i for i in kb.chunk_ids() if i.startswith("corpus/doc-001.md"))[:5]
        kb.collection.delete(ids=victim)  # what a crash inside Chroma could leave
        report = verify(kb)
        assert not report.ok and "corpus/doc-001.md" in report.damaged_documents
        assert repair(kb, report) is not None
        assert verify(kb).ok and kb.count() == total and set(victim) <= set(kb.chunk_ids())


def test_a_journal_left_by_a_killed_run_is_finished_on_open(settings: Settings,
                                                            tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, docs=2, edition=0, edit_every=0)
    with KnowledgeBase(_fake(settings)) as kb:
        kb.index([corpus])
        assert kb.recovered is None
    write_corpus(corpus, docs=2, edition=5, edit_every=0)  # doc 0 gets edition 5
    Journal(settings.workspace_dir).begin([corpus])  # the killed run got this far
    with KnowledgeBase(_fake(settings)) as kb:
        assert kb.recovered is not None and kb.recovered.updated
        hits = kb.collection.get(where_document={"$contains": "edition 5"}, include=[])
        assert hits["ids"] and verify(kb).ok
    assert not Journal(settings.workspace_dir).path.exists()


@pytest.mark.slow
def test_sigkill_while_writing_loses_nothing(tmp_path: Path) -> None:
    random.seed(11)
    data, corpus, previous = tmp_path / "data", tmp_path / "corpus", tmp_path / "prev" / "corpus"
    journal = data / "workspaces" / "crash" / "index-journal.json"
    write_corpus(corpus, docs=4, edition=0, edit_every=0)
    index_child(data, corpus, "fake").wait()
    assert passed(check(data, "fake", corpus))
    for cycle in (1, 2):
        import shutil

        shutil.rmtree(previous, ignore_errors=True)
        shutil.copytree(corpus, previous)
        write_corpus(corpus, docs=4, edition=cycle, edit_every=cycle)
        child = index_child(data, corpus, "fake")
        wait_for(journal, child)
        time.sleep(random.uniform(0.0, 0.3))
        child.send_signal(signal.SIGKILL)
        child.wait()
        result = check(data, "fake", previous, corpus)
        assert passed(result), str(result)  # full dict: pytest truncates a dict message
        index_child(data, corpus, "fake").wait()
