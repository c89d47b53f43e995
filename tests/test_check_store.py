"""Saved alignment checks live in the database; old JSON files are imported; stale ones flagged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from assistant.alignment.report import AlignmentReport, ElementFinding
from assistant.alignment.store import CheckStore, stale_checks
from assistant.cli.main import app
from assistant.core.config import Settings
from assistant.core.errors import InputError
from assistant.core.schemas import Citation
from assistant.knowledge.base import KnowledgeBase

from .conftest import SAMPLE

QUOTE = "We will not sell coffee in single-use pods or capsules"


def _report(title: str, citation: Citation | None = None) -> AlignmentReport:
    findings = [ElementFinding(element="No pods or capsules", kind="non-goal", statement=QUOTE,
                               stance="conflicts", reason="It sells pods.",
                               citations=[citation])] if citation else []
    return AlignmentReport(proposal_title=title, verdict="misaligned", score=10,
                           confidence="high", findings=findings)


def test_saved_json_checks_of_earlier_versions_are_imported_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, workspace="checks")
    folder = settings.workspace_dir / "checks"
    folder.mkdir(parents=True)
    (folder / "pods-abc123.json").write_text(_report("Pods").model_dump_json())
    (folder / "cart-def456.json").write_text(_report("Cart").model_dump_json())
    (folder / "broken.json").write_text('{"proposal_title": ')
    store = CheckStore(settings)
    assert [(i, r.proposal_title) for i, r in store.list()] == [
        ("cart-def456", "Cart"), ("pods-abc123", "Pods")]
    assert list(store.import_errors) == ["broken.json"] and (folder / "broken.json").exists()
    (folder / "broken.json").unlink()
    again = CheckStore(settings)
    assert len(again.list()) == 2 and not again.import_errors and not folder.exists()
    assert (folder.with_name("checks-imported") / "pods-abc123.json").exists()
    again.delete("pods-abc123")
    assert [i for i, _ in again.list()] == ["cart-def456"]
    with pytest.raises(InputError, match="No saved check"):
        again.delete("pods-abc123")
    with pytest.raises(InputError, match="No saved check"):
        CheckStore(settings.with_workspace("other")).delete("cart-def456")


@pytest.mark.postgres
def test_saved_checks_live_in_postgresql_by_url(postgres_server: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, workspace="pg-checks",
                        database_url=SecretStr(postgres_server))
    saved = CheckStore(settings).save(_report("A hockey sponsorship"))
    assert [i for i, _ in CheckStore(settings).list()] == [saved]
    assert CheckStore(settings.with_workspace("pg-other")).list() == []


def test_checks_sets_and_elements_citing_a_changed_passage_are_all_flagged(
        tmp_path: Path) -> None:
    corpus = tmp_path / "knowledge"
    shutil.copytree(SAMPLE, corpus)
    settings = Settings(data_dir=tmp_path / "data", workspace="stale",
                        embeddings_provider="fake", llm_provider="fake")
    env = {"KEEL_DATA_DIR": str(settings.data_dir), "KEEL_WORKSPACE": "stale",
           "KEEL_EMBEDDINGS_PROVIDER": "fake", "KEEL_LLM_PROVIDER": "fake"}
    runner = CliRunner()
    with KnowledgeBase(settings) as kb:
        kb.index([corpus])
        hit = next(h for h in kb.chunks_of("knowledge/non-goals.md") if "pods" in h.section)
        cite = Citation(chunk_id=hit.chunk_id, document=hit.doc_id, section=hit.section,
                        quote=QUOTE)
    store = CheckStore(settings)
    saved = store.save(_report("Sell compatible capsules", cite))
    assert runner.invoke(app, ["map", "build"], env=env).exit_code == 0
    clean = runner.invoke(app, ["map", "stale"], env=env)
    assert clean.exit_code == 0 and "Every source is unchanged" in clean.output
    page = corpus / "non-goals.md"
    page.write_text(page.read_text().replace("single-use pods or capsules",
                                             "single-use pods, capsules or drip bags"))
    with KnowledgeBase(settings) as kb:
        kb.index([corpus])
        found = stale_checks(store.list(), kb)
    assert [(s.check, s.element) for s in found] == [(saved, "No pods or capsules")]
    assert found[0].quote == QUOTE and "drip bags" in found[0].now
    result = runner.invoke(app, ["map", "stale", "--json"], env=env)
    assert result.exit_code == 0, result.output
    flagged = json.loads(result.stdout)
    assert [c["check"] for c in flagged["checks"]] == [saved]
    assert any("pods" in e["quote"] for e in flagged["elements"])
    human = runner.invoke(app, ["map", "stale"], env=env).output
    assert f"check {saved}" in human and "drip bags" in human
