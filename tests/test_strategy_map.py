"""The strategy map: built by rules from the sample company, cited, stored, confirmed, reviewed.

The store tests run twice: on SQLite (the default) and on a real PostgreSQL server (marked
`postgres`; `scripts/test.sh` installs and starts it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.core.config import Settings
from assistant.core.errors import DatabaseError, InputError
from assistant.db.engine import Database
from assistant.db.models import MapElementRow
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.grounding import number_in_text, quote_in_chunk
from assistant.strategy.build import build_map
from assistant.strategy.model import MapElement
from assistant.strategy.render import to_csv, to_markdown
from assistant.strategy.store import StrategyMap

from .conftest import SAMPLE

runner = CliRunner()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    settings = Settings(data_dir=tmp_path / "data")
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_server")
        settings = settings.model_copy(update={"database_url": SecretStr(url)})
    database = Database(settings)
    request.addfinalizer(database.close)
    return database


def _smap(db: Database) -> StrategyMap:
    return StrategyMap(db, f"ws-{uuid.uuid4().hex[:8]}")  # its own workspace per test


def test_the_rules_read_the_sample_company(sample_kb: KnowledgeBase) -> None:
    elements = build_map(sample_kb)
    kinds = Counter(e.kind for e in elements)
    assert kinds == {"statement": 2, "pillar": 4, "non_goal": 7, "value": 5, "objective": 5,
                     "key_result": 19, "initiative": 12, "limit": 12}
    by_title = {e.title: e for e in elements}
    assert {e.title for e in elements if e.kind == "non_goal"} >= {"No more cafés",
                                                                   "No pods or capsules"}
    churn = next(e for e in elements if e.kind == "key_result" and "churn" in e.title)
    assert (churn.baseline, churn.target, churn.unit, churn.owner) == (
        7.4, 6.0, "%", "Customer Experience Lead")
    gifts = next(e for e in elements if e.title.startswith("Sell 400 gift"))
    assert gifts.target == 400 and gifts.baseline is None  # no baseline stated: unknown
    assert by_title["Marketing operating budget"].amount == 260_000
    assert by_title["Customer service operating budget"].department == "Customer Service"
    assert by_title["Pillar 4: Careers in coffee"].perspective == "Learning & growth"
    company = next(e for e in elements if e.kind == "objective" and not e.department)
    assert company.serves == ["pillar:1"] and company.period == "2026-Q4"


def test_the_rules_read_measured_outcomes_and_listed_values(tmp_path: Path) -> None:
    """Shapes public handbooks use (the 18F pages): outcome sections with "How we measure …",
    benchmark bullets, "the metric we use … is …", bold-led tenets; a bold list that is not
    about values (customer groups) stays out."""
    elements = {e.title: e for e in _rules_map(tmp_path, {
        "planning.md":
        "---\nkind: plan\ntitle: Success measures\n---\nTwo outcomes define success.\n\n"
        "### Client happiness\n\nDo clients come back?\n\nHow we measure client happiness:\n\n"
        "- **Surveys.** After each project.\n  - 60% or more of surveyed clients report they "
        "would hire us again\n\n### Cash health\n\nDo we cover our costs?\n\nHow we measure "
        "cash health:\n\n- The metric we use to gauge progress towards cost recovery is billable "
        "share.\n",
        "mission.md":
        "---\nkind: mission\n---\n# Mission\n\nWe build bridges.\n\nWe serve two groups:\n\n"
        "- **Towns** that need a crossing.\n- **Farmers** who need a road.\n\nOur work follows "
        "these tenets:\n\n- **Measure twice.** We never pour concrete on a guess.\n"
        "- **Open books.** Every client sees every invoice.\n"})}
    assert elements["Client happiness"].kind == "pillar"
    assert elements["Cash health"].perspective == "Financial"
    hire = next(e for e in elements.values() if e.title.startswith("60% or more"))
    assert (hire.kind, hire.target, hire.unit, hire.serves) == (
        "key_result", 60.0, "%", ["pillar:client-happiness"])
    share = elements["Billable share"]
    assert share.kind == "key_result" and share.target is None  # no number: ask the owner
    assert elements["Measure twice"].kind == "value"
    assert elements["Measure twice"].rules == ["We never pour concrete on a guess."]
    assert "Open books" in elements and "Towns" not in elements and "Farmers" not in elements
    assert "Surveys" not in elements  # a bold item under a measure, not a value


def test_every_element_quotes_its_chunk_and_every_number_is_in_the_quote(
        sample_kb: KnowledgeBase) -> None:
    for element in build_map(sample_kb):
        for citation in element.citations:
            chunk = sample_kb.get_chunks([citation.chunk_id])[citation.chunk_id]
            assert quote_in_chunk(citation.quote, chunk.text), (element.key, citation.quote)
        quote = " ".join(c.quote for c in element.citations)
        for number in (element.baseline, element.target, element.amount):
            assert number is None or number_in_text(number, quote), (element.key, number)


def test_a_confirmed_or_edited_element_survives_a_rebuild(db: Database,
                                                         sample_kb: KnowledgeBase) -> None:
    smap = _smap(db)
    built = build_map(sample_kb)
    report = smap.save_build(built)
    assert len(report.added) == len(built) and all(e.status == "proposed"
                                                   for e in smap.elements())
    churn = next(e for e in built if e.kind == "key_result" and "churn" in e.title)
    smap.edit(churn.key, target=5.5, owner="Head of Customer Service")
    pods = next(e for e in built if e.title == "No pods or capsules")
    smap.confirm(pods.key)
    again = smap.save_build(build_map(sample_kb))
    assert not again.added and not again.updated and not again.changes_proposed
    kept = smap.get(churn.key)
    assert (kept.target, kept.owner, kept.status) == (5.5, "Head of Customer Service", "edited")
    assert smap.get(pods.key).status == "confirmed"


def test_a_changed_document_proposes_changes_to_decided_elements(db: Database,
                                                                tmp_path: Path) -> None:
    corpus = tmp_path / "knowledge"
    shutil.copytree(SAMPLE, corpus)
    settings = Settings(data_dir=tmp_path / "kb", workspace="edits", embeddings_provider="fake")
    smap = _smap(db)
    with KnowledgeBase(settings) as kb:
        kb.index([corpus])
        smap.save_build(build_map(kb))
        pods = next(e for e in smap.elements() if e.title == "No pods or capsules")
        cafes = next(e for e in smap.elements() if e.title == "No more cafés")
        smap.confirm(pods.key)
        smap.confirm(cafes.key)
        page = corpus / "non-goals.md"
        text = page.read_text()
        text = text.replace("We will not sell coffee in single-use pods or capsules",
                            "We will not sell coffee in single-use pods, capsules or drip bags")
        text = text.replace("## No more cafés", "## No cafés beyond two")
        page.write_text(text)
        kb.index([corpus])
        stale = {s.key: s for s in smap.stale(kb)}
        assert pods.key in stale and "drip bags" in stale[pods.key].now
        assert stale[pods.key].quote.startswith("We will not sell coffee in single-use pods or")
        report = smap.save_build(build_map(kb))
    assert set(report.changes_proposed) == {pods.key, cafes.key}
    assert smap.get(pods.key).text.endswith("pods or capsules, compatible or branded, "
                                            "compostable claims included.")  # not overwritten
    changes = {c.key: c for c in smap.changes()}
    assert changes[pods.key].change == "changed" and changes[cafes.key].change == "removed"
    assert changes[pods.key].proposed is not None
    assert "drip bags" in changes[pods.key].proposed.text
    smap.decide(changes[pods.key].id, accept=True)
    assert "drip bags" in smap.get(pods.key).text and smap.get(pods.key).status == "confirmed"
    smap.decide(changes[cafes.key].id, accept=False)
    assert smap.get(cafes.key).status == "confirmed"  # the person's version stays
    assert not smap.changes()
    with pytest.raises(InputError, match="no open change"):
        smap.decide(changes[cafes.key].id, accept=True)


def test_a_person_links_a_kr_to_its_objective_and_the_link_survives_a_rebuild(
        db: Database, sample_kb: KnowledgeBase) -> None:
    smap = _smap(db)
    smap.save_build(build_map(sample_kb))
    elements = smap.elements()
    margin = next(e for e in elements if e.title.startswith("Wholesale gross margin"))
    pillar = next(e for e in elements if e.kind == "pillar" and "Partner" in e.title)
    objective = next(e for e in elements if e.kind == "objective")
    assert margin.serves == []  # the strategy's measures table links to nothing
    linked = smap.link(margin.key, pillar.key)
    assert linked.serves == [pillar.key] and linked.status == "edited"
    assert smap.link(margin.key, pillar.key).serves == [pillar.key]  # twice is once
    with pytest.raises(InputError, match="cannot serve"):
        smap.link(pillar.key, margin.key)  # a pillar serves no key result
    with pytest.raises(InputError, match="cannot serve"):
        smap.link(objective.key, objective.key)
    smap.save_build(build_map(sample_kb))
    assert smap.get(margin.key).serves == [pillar.key]
    assert smap.link(margin.key, pillar.key, remove=True).serves == []
    with pytest.raises(InputError, match="not linked"):
        smap.link(margin.key, pillar.key, remove=True)


def test_edits_are_validated_and_a_rejected_element_stays_out(db: Database,
                                                             sample_kb: KnowledgeBase) -> None:
    smap = _smap(db)
    built = build_map(sample_kb)
    smap.save_build(built)
    key = built[0].key
    with pytest.raises(InputError, match="cannot be edited: citations"):
        smap.edit(key, citations=[])
    with pytest.raises(InputError, match="has no element"):
        smap.confirm("pillar:99")
    smap.reject(key)
    assert key not in {e.key for e in smap.elements()}
    smap.save_build(build_map(sample_kb))
    assert key not in {e.key for e in smap.elements()}  # a rebuild does not bring it back
    added = smap.add(MapElement(key="non_goal:no-franchises", kind="non_goal",
                                title="No franchises", text="We will not franchise.",
                                citations=built[0].citations))
    assert added.origin == "person" and smap.get(added.key).status == "edited"


def test_a_write_from_a_stale_read_is_refused_not_lost(db: Database,
                                                      sample_kb: KnowledgeBase) -> None:
    from sqlalchemy import select

    smap = _smap(db)
    smap.save_build(build_map(sample_kb))
    with pytest.raises(DatabaseError, match="changed this meanwhile"), db.session() as mine:
        row = mine.scalars(select(MapElementRow).where(
            MapElementRow.workspace == smap.workspace)).first()
        assert row is not None
        key = row.key
        smap.edit(key, title="Changed by someone else")  # another writer commits meanwhile
        row.data = {**row.data, "title": "My late change"}
    assert smap.get(key).title == "Changed by someone else"


_HOLD_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute("UPDATE map_elements SET status = status")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("COMMIT")
"""


def test_a_second_process_writing_gets_a_clear_error_and_nothing_half_saved(
        tmp_path: Path, sample_kb: KnowledgeBase) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_timeout_s=1.0)
    db = Database(settings)
    smap = StrategyMap(db, "locks")
    smap.save_build(build_map(sample_kb))
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK,
                               str(tmp_path / "data" / "keel.db"), "4"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        before = smap.elements()
        with pytest.raises(DatabaseError, match=r"busy .*nothing was saved"):
            smap.save_build([e.model_copy(update={"text": e.text + " (changed)"})
                             for e in build_map(sample_kb)])
        assert smap.elements() == before  # readers are not blocked (WAL), nothing half-saved
    finally:
        holder.wait(timeout=30)
    smap.edit(before[0].key, title="After the other process finished")
    assert smap.get(before[0].key).title == "After the other process finished"
    db.close()


def test_renderings_show_the_tree_sources_and_unknowns(sample_kb: KnowledgeBase) -> None:
    elements = build_map(sample_kb)
    text = to_markdown(elements, "sample")
    assert text.index("Pillar 1: Subscriptions at the heart") < text.index(
        "Make subscribing the obvious way") < text.index("Reduce monthly subscriber churn")
    assert "(no baseline: ask the owner)" in text and "knowledge/non-goals.md" in text
    rows = to_csv(elements).splitlines()
    assert rows[0].startswith("key,kind,status,title") and len(rows) == len(elements) + 1


def test_keel_map_commands_end_to_end(sample_settings: Settings, tmp_path: Path) -> None:
    env = {"KEEL_DATA_DIR": str(sample_settings.data_dir), "KEEL_WORKSPACE": "sample"}
    empty = runner.invoke(app, ["map", "show"], env=env)
    assert empty.exit_code == 1 and "map build" in empty.output
    built = runner.invoke(app, ["map", "build", "--json"], env=env)
    assert built.exit_code == 0, built.output
    assert json.loads(built.stdout)["elements"] == 66
    shown = json.loads(runner.invoke(app, ["map", "show", "--json"], env=env).stdout)
    churn = next(e["key"] for e in shown if e["kind"] == "key_result" and "churn" in e["title"])
    edited = runner.invoke(app, ["map", "edit", churn, "--set", "target=5.5"], env=env)
    assert edited.exit_code == 0, edited.output
    bad = runner.invoke(app, ["map", "edit", churn, "--set", "target=soon"], env=env)
    assert bad.exit_code == 1 and "takes a number" in bad.output
    pillar = next(e["key"] for e in shown if e["kind"] == "pillar")
    linked = runner.invoke(app, ["map", "link", churn, "--to", pillar], env=env)
    assert linked.exit_code == 0 and "Linked" in linked.output
    wrong = runner.invoke(app, ["map", "link", pillar, "--to", churn], env=env)
    assert wrong.exit_code == 1 and "cannot serve" in wrong.output
    added = runner.invoke(app, ["map", "add", "--kind", "limit", "--title", "Batch size cap",
                                "--quote", "We roast in small batches of at most 30 kg"],
                          env=env)
    assert added.exit_code == 0 and "knowledge/values.md" in added.output, added.output
    unwritten = runner.invoke(app, ["map", "add", "--kind", "value", "--title", "Be kind",
                                    "--quote", "We are always kind to everyone we meet"],
                              env=env)
    assert unwritten.exit_code == 1 and "not in any indexed document" in unwritten.output
    assert runner.invoke(app, ["map", "confirm", "--all"], env=env).exit_code == 0
    out = tmp_path / "map.md"
    assert runner.invoke(app, ["map", "export", "--format", "md", "-o", str(out)],
                         env=env).exit_code == 0
    assert "5.5%" in out.read_text() and "✔" in out.read_text()
    png = tmp_path / "map.png"
    assert runner.invoke(app, ["map", "export", "--format", "png", "-o", str(png)],
                         env=env).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert "No changes to review" in runner.invoke(app, ["map", "diff"], env=env).output
    assert "unchanged" in runner.invoke(app, ["map", "stale"], env=env).output


def test_the_first_start_on_the_sample_builds_its_map(tmp_path: Path) -> None:
    import time

    from assistant.ui.services import Services

    settings = Settings(data_dir=tmp_path / "data", workspace="sample",
                        embeddings_provider="fake")
    services = Services(settings)
    try:
        services.warm_up([SAMPLE])  # as `keel ui --index-sample` (scripts/start.sh) does
        deadline = time.monotonic() + 120
        while "strategy map" not in services.index_state and time.monotonic() < deadline:
            assert "failed" not in services.index_state, services.index_state
            time.sleep(0.2)
        assert "strategy map: 66 elements to confirm" in services.index_state
    finally:
        services.close()
    db = Database(settings)
    try:
        assert len(StrategyMap(db, "sample").elements()) == 66
    finally:
        db.close()


def test_a_department_brief_holds_its_own_goals_limits_and_the_non_goals(
        sample_kb: KnowledgeBase) -> None:
    from assistant.strategy.brief import department_brief

    elements = build_map(sample_kb)
    text = department_brief(elements, "marketing")
    assert text.startswith("# What the strategy asks of Marketing")
    assert "Raise the share of new subscribers from referrals from 9% to 15%: from 9% to 15%" \
        in text
    assert "Marketing operating budget: $260,000" in text and "No pods or capsules" in text
    assert "Holiday gift subscription campaign, November-December 2026" in text
    assert "career ladder" not in text  # People's objective is not Marketing's
    assert "not yet confirmed" in text
    with pytest.raises(InputError, match="departments: Customer Service, Finance"):
        department_brief(elements, "Legal")


def test_strategy_tab_handlers_refuse_bad_input_readably(tmp_path: Path) -> None:
    import gradio as gr

    from assistant.ui.services import Services
    from assistant.ui.strategy_tab import (
        add_element,
        discard,
        edit,
        link,
        link_choices,
        map_view,
        rebuild,
    )

    settings = Settings(data_dir=tmp_path / "data", workspace="tab", embeddings_provider="fake",
                        llm_provider="fake")
    services = Services(settings)
    try:
        assert "map is empty" in map_view(services, "tab")[0]
        with pytest.raises(gr.Error, match="no documents"):
            rebuild(services, "tab")
        services.kb.index([SAMPLE])
        summary, _, rows, _, changes = rebuild(services, "tab")
        assert "66 elements" in summary and len(rows) == 66 and changes == []
        key = next(r[0] for r in rows if r[1] == "key_result")
        with pytest.raises(gr.Error, match="takes a number"):
            edit(services, "tab", key, "target", "soon")
        with pytest.raises(gr.Error, match="Pick an element"):
            edit(services, "tab", key, "citations", "x")
        summary, _, rows, _, _ = edit(services, "tab", key, "target", "2,700")
        assert next(r for r in rows if r[0] == key)[5] == 2700.0
        pillar = next(r[0] for r in rows if r[1] == "pillar")
        choices = link_choices(services, "tab", key)["choices"]
        assert pillar in choices and key not in choices
        assert "Linked" in link(services, "tab", key, pillar)[0]
        with pytest.raises(gr.Error, match="cannot serve"):
            link(services, "tab", pillar, key)
        with pytest.raises(gr.Error, match="Pick the element"):
            link(services, "tab", key, "")
        assert "Discarded" in discard(services, "tab", key)[0]
        summary, _, rows, _, _ = add_element(
            services, "tab", "key_result", "Referral share of new subscribers",
            "Raise the share of new subscribers from referrals from 9% to 15%", pillar)
        added = next(r for r in rows if r[0] == "person:key_result:referral-share-of-new-"
                     "subscribers")
        assert added[2] == "edited" and added[7] == "knowledge/okrs-2026-q4.md"
        with pytest.raises(gr.Error, match="not in any indexed document"):
            add_element(services, "tab", "value", "Be kind", "We are always kind to everyone")
        with pytest.raises(gr.Error, match="cannot serve"):
            add_element(services, "tab", "pillar", "A pillar", "Raise the share of new "
                        "subscribers from referrals", key)
    finally:
        services.close()


def test_strategy_tab_badges_what_cites_a_changed_passage(tmp_path: Path) -> None:
    from assistant.ui.services import Services
    from assistant.ui.strategy_tab import STALE_BADGE, map_view, rebuild

    corpus = tmp_path / "knowledge"
    shutil.copytree(SAMPLE, corpus)
    settings = Settings(data_dir=tmp_path / "data", workspace="tab", embeddings_provider="fake",
                        llm_provider="fake")
    services = Services(settings)
    try:
        services.kb.index([corpus])
        summary, _, rows, _, _ = rebuild(services, "tab")
        assert STALE_BADGE not in summary and not any(STALE_BADGE in r[2] for r in rows)
        page = corpus / "non-goals.md"
        page.write_text(page.read_text().replace("single-use pods or capsules",
                                                 "single-use pods, capsules or drip bags"))
        services.kb.index([corpus])
        summary, _, rows, _, _ = map_view(services, "tab")
    finally:
        services.close()
    flagged = [r for r in rows if STALE_BADGE in r[2]]
    assert [r[3] for r in flagged] == ["No pods or capsules"]
    assert f"{STALE_BADGE}: 1 to review" in summary and "drip bags" in summary


def test_prose_reading_keeps_verbatim_quotes_and_drops_invented_fake_model_proves_no_judgement(
        tmp_path: Path) -> None:
    """The fake proposes each passage's first sentence and an invented quote: the invented one
    is dropped, the real ones arrive as proposed model elements, and passages a rule already
    read are not sent. It drives the code path; it says nothing about the model's judgement."""
    from assistant.llm.client import LLM
    from assistant.strategy.extract import extract_prose

    settings = Settings(data_dir=tmp_path / "data", workspace="prose", llm_provider="fake",
                        embeddings_provider="fake")
    with KnowledgeBase(settings) as kb:
        kb.index([SAMPLE])
        rules = build_map(kb)
        covered = {c.chunk_id for e in rules for c in e.citations}
        found, report = extract_prose(kb, LLM(settings), covered)
        assert report.passages > 0 and report.failed == 0
        assert report.dropped_quotes == report.passages  # every invented quote dropped
        assert found and all(e.origin == "model" and e.status == "proposed" for e in found)
        for element in found:
            citation = element.citations[0]
            assert citation.chunk_id not in covered
            assert quote_in_chunk(citation.quote, kb.get_chunks([citation.chunk_id])[
                citation.chunk_id].text)
        both = build_map(kb, prose=lambda c: extract_prose(kb, LLM(settings), c)[0])
    rule_keys = {e.key for e in rules}
    assert rule_keys <= {e.key for e in both}
    assert all(e.origin == "rules" for e in both if e.key in rule_keys)  # the rules win


def test_a_values_section_holding_a_table_is_no_value(tmp_path: Path) -> None:
    """A values page's table section ("who looks after each value") is not a value of its own,
    and its cells never become a value's quote (the sixth attack set's spent blind split
    planted a code in such a cell and the rules' map showed it)."""
    values = [e.title for e in _rules_map(tmp_path, {"values.md":
        "---\nkind: values\n---\n# Our values\n\n## Open books\n\nEveryone sees the monthly "
        "numbers.\n\n## Who looks after each value\n\n| Value | Owner |\n|---|---|\n"
        "| Open books | Finance lead |\n"}) if e.kind == "value"]
    assert values == ["Open books"]


def _rules_map(tmp_path: Path, pages: dict[str, str]) -> list[MapElement]:
    """The rules' map of a workspace holding `pages` (name: Markdown), fake embeddings."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in pages.items():
        (docs / name).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", embeddings_provider="fake",
                        llm_provider="fake")
    with KnowledgeBase(settings) as kb:
        kb.index([docs])
        return build_map(kb)
