"""Scenarios and war games (issue 29): exposure found by code in the strategy map, drafted lines
checked by code, responses that break a non-goal flagged. The fake model drives the code paths
and judges nothing (each test that uses it says so); the flags use the real local embeddings."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.core.config import Settings
from assistant.core.errors import InputError
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.embeddings import build_embedder
from assistant.llm.client import LLM
from assistant.review.pack import build_pack
from assistant.scenarios.checks import (
    lint_action,
    lint_trigger,
    lint_watch,
    response_flags,
    ruled_out,
)
from assistant.scenarios.exposure import Phrase, expose
from assistant.scenarios.render import scenario_markdown, wargame_markdown
from assistant.scenarios.store import StressStore
from assistant.scenarios.stress import stress_test
from assistant.scenarios.wargame import war_game
from assistant.strategy.build import build_map
from assistant.strategy.model import MapElement

from .fault_server import FaultServer


@pytest.fixture
def sample_map(sample_kb: KnowledgeBase) -> list[MapElement]:
    return [e.model_copy(update={"status": "confirmed"}) for e in build_map(sample_kb)]


def _by_title(elements: list[MapElement], words: str) -> MapElement:
    return next(e for e in elements if words.lower() in e.title.lower())


def test_exposure_is_found_in_the_map_by_words_and_meaning_with_a_checkable_reason(
        sample_map: list[MapElement], sample_settings: Settings) -> None:
    embedder = build_embedder(sample_settings)
    found = expose([Phrase("The town stops taking our roastery waste for composting", "scenario"),
                    Phrase("More waste goes to landfill", "model")], sample_map, embedder)
    titles = [x.title.lower() for x in found]
    assert any("waste diverted from landfill" in t for t in titles)
    assert all(x.reason and x.citation is not None for x in found if x.via != "link")
    assert not any("gift subscriptions" in t for t in titles)  # nothing about waste
    assert expose([], sample_map, embedder) == []


def test_a_pillar_is_exposed_through_its_links_only_when_enough_of_its_krs_are() -> None:
    from assistant.core.schemas import Citation

    cite = [Citation(chunk_id="c", document="d.md", section="s", quote="q")]
    pillar = MapElement(key="p", kind="pillar", title="Pillar 9: Quiet harbour", citations=cite)
    objective = MapElement(key="o", kind="objective", title="Calm the sea", serves=["p"],
                           citations=cite)
    krs = [MapElement(key=f"k{n}", kind="key_result", title=f"Raise tide gauge readings {n}",
                      metric="tide gauge readings", serves=["o"], citations=cite)
           for n in (1, 2)]
    from assistant.knowledge.embeddings import FakeEmbedder

    found = {x.key: x for x in expose([Phrase("tide gauge readings fall", "scenario")],
                                      [pillar, objective, *krs], FakeEmbedder())}
    assert {"k1", "k2", "o", "p"} <= set(found)
    assert found["p"].via == "link" and "tide gauge" in found["p"].reason


@pytest.mark.parametrize(("trigger", "rules"), [
    ("If monthly subscriber churn passes 8% by 15 February", []),
    ("If churn gets worse", ["T1", "T2"]),
    ("If waste diversion falls below 70% in any month", ["T3"]),
    ("If monthly subscriber churn passes XX% by March", ["T4"]),
    ("If monthly subscriber churn passes 9% by 2023", ["T2"]),
    ("If reduce monthly subscriber churn from 7.4% to 6.0% by 31 December", ["T1"]),
])
def test_a_trigger_is_linted_like_a_key_result(sample_map: list[MapElement], trigger: str,
                                               rules: list[str]) -> None:
    kr = _by_title(sample_map, "monthly subscriber churn")
    assert [f.split()[0] for f in lint_trigger(trigger, kr)] == rules


def test_an_indicator_to_watch_leads_the_key_result(sample_map: list[MapElement]) -> None:
    kr = _by_title(sample_map, "monthly subscriber churn")
    assert lint_watch("Monthly subscriber churn", kr) != []
    assert lint_watch("Pause requests a week", kr) == []


@pytest.mark.parametrize(("action", "ok"), [
    ("Call the ten largest partner cafés this week to offer a service visit", True),
    ("Monitor closely", False),
    ("Email the importer; then call the bank; then hire a buyer", False),
])
def test_an_action_is_one_concrete_step(action: str, ok: bool) -> None:
    assert (lint_action(action) == []) is ok


def test_a_list_shaped_non_goal_rules_out_each_item(sample_map: list[MapElement]) -> None:
    unfunded = _by_title(sample_map, "what is not funded")
    assert any("mobile coffee cart" in p for p in ruled_out(unfunded))
    assert ruled_out(_by_title(sample_map, "no deep discounting")) == ["compete on price"]


def test_a_war_game_response_that_breaks_a_stated_non_goal_is_flagged(
        sample_map: list[MapElement], sample_settings: Settings) -> None:
    """Real embeddings: a price war breaks "we will not compete on price" and exceeds the
    15% discount limit; a mobile cart is in the unfunded list; training breaks nothing."""
    embedder = build_embedder(sample_settings)
    price = response_flags("Compete on price with a 25% discount on every bag for a year",
                           sample_map, embedder)
    assert any("No deep discounting" in f for f in price)
    assert any("Exceeds a stated limit" in f and "15%" in f for f in price)
    cart = response_flags("Open a mobile coffee cart next to their shop", sample_map, embedder)
    assert any("mobile coffee cart" in f for f in cart)
    assert response_flags("Offer every partner café free barista training", sample_map,
                          embedder) == []
    # the alignment check's word-free rules (session 24): a member of a ruled-out kind, a
    # clause stopping a value's duty — neither shares a word with the rule it breaks
    walmart = response_flags("Stock our beans at Walmart from March", sample_map, embedder)
    assert any("a supermarket or big-box chain" in f for f in walmart)
    assert not response_flags("Stock our beans at Walmart from March", sample_map, embedder,
                              rules=False)
    stop = response_flags("Stop publishing what we paid for green coffee", sample_map,
                          embedder)
    assert any("May break the value" in f for f in stop)


def test_stress_test_with_the_fake_model_drives_exposure_plans_and_checks(
        sample_settings: Settings, sample_map: list[MapElement]) -> None:
    """Fake model: it judges nothing; this proves the report is assembled, linted, rendered."""
    llm = LLM(sample_settings)
    report = stress_test("The sorting line breaks and roastery waste diverted from landfill "
                         "falls for a month.", llm, build_embedder(sample_settings), sample_map)
    assert report.consequences and report.map_confirmed
    krs = [x for x in report.exposed if x.kind == "key_result"]
    assert krs and report.plans
    assert {p.key for p in report.plans} <= {x.key for x in krs}
    assert all(p.trigger and p.actions for p in report.plans)
    text = scenario_markdown(report)
    assert "## Exposed" in text and "Trigger:" in text


def test_war_game_with_the_fake_model_flags_the_price_war_response(
        sample_settings: Settings, sample_map: list[MapElement]) -> None:
    """Fake model (judges nothing): its canned responses go through the real flag check."""
    report = war_game("A national roaster launches a cheaper subscription in our region",
                      LLM(sample_settings), build_embedder(sample_settings), sample_map)
    responses = {r.text: r.flags for m in report.moves for r in m.responses}
    price = next(f for t, f in responses.items() if "price" in t)
    training = next(f for t, f in responses.items() if "training" in t)
    assert price and not training
    assert "may break" in wargame_markdown(report)


def test_a_dead_model_still_gives_the_exposure_and_says_what_is_missing(
        sample_settings: Settings, sample_map: list[MapElement]) -> None:
    with FaultServer("503") as server:
        llm = LLM(sample_settings.model_copy(update={
            "llm_provider": "openai", "llm_base_url": server.url, "llm_timeout_s": 1.5,
            "llm_max_retries": 0}))
        report = stress_test("Roastery waste diverted from landfill falls after the sorting "
                             "line breaks.", llm, build_embedder(sample_settings), sample_map)
    assert any("waste" in x.title.lower() for x in report.exposed)
    assert any("reading failed" in n for n in report.notes)
    assert any("could not draft" in n for n in report.notes)


def test_bad_input_is_a_clear_error(sample_settings: Settings,
                                    sample_map: list[MapElement]) -> None:
    llm, embedder = LLM(sample_settings), build_embedder(sample_settings)
    with pytest.raises(InputError, match="in a sentence"):
        stress_test("prices", llm, embedder, sample_map)
    with pytest.raises(InputError, match="under"):
        stress_test("word " * 400, llm, embedder, sample_map)
    with pytest.raises(InputError, match="keel map build"):
        stress_test("The importer raises prices by 30%.", llm, embedder, [])


def test_saved_stress_tests_feed_the_review_packs_decisions(
        sample_settings: Settings, sample_map: list[MapElement]) -> None:
    """Fake model (judges nothing): the saved report's exposed KRs become a decision."""
    report = stress_test("Roastery waste diverted from landfill falls after the sorting line "
                         "breaks.", LLM(sample_settings), build_embedder(sample_settings),
                         sample_map, plans=False)
    store = StressStore(sample_settings)
    saved = store.save(report)
    assert store.get(saved).scenario == report.scenario
    today = date.today()
    period = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    pack = build_pack(sample_settings, period)
    assert any(d.startswith("Scenario “Roastery waste") for d in pack.decisions)
    store.delete(saved)
    with pytest.raises(InputError):
        store.get(saved)


def test_cli_scenario_saves_lists_and_exports(sample_settings: Settings, tmp_path: Path) -> None:
    """Fake model (judges nothing): the commands' plumbing, JSON and Markdown."""
    runner = CliRunner()
    env = {"KEEL_DATA_DIR": str(sample_settings.data_dir), "KEEL_WORKSPACE": "sample",
           "KEEL_LLM_PROVIDER": "fake"}
    assert runner.invoke(app, ["map", "build"], env=env).exit_code == 0
    md = tmp_path / "s.md"
    result = runner.invoke(app, ["scenario", "Roastery waste diverted from landfill falls "
                                 "after the sorting line breaks.", "--out", str(md)], env=env)
    assert result.exit_code == 0, result.output
    assert "## Exposed" in md.read_text()
    listed = json.loads(runner.invoke(app, ["scenarios", "--json"], env=env).stdout)
    assert listed and listed[0]["kind"] == "scenario" and listed[0]["exposed"] >= 1
    game = runner.invoke(app, ["wargame", "A national roaster launches a cheaper "
                               "subscription in our region", "--json", "--no-save"], env=env)
    assert game.exit_code == 0 and json.loads(game.stdout)["kind"] == "wargame"
    bad = runner.invoke(app, ["scenario", "x"], env=env)
    assert bad.exit_code == 1 and "Traceback" not in bad.output


@pytest.mark.postgres
def test_saved_stress_tests_live_in_postgresql_by_url(postgres_server: str,
                                                      tmp_path: Path) -> None:
    from pydantic import SecretStr

    from assistant.scenarios.model import ScenarioReport, WarGameReport

    settings = Settings(data_dir=tmp_path, workspace="pg-stress",
                        database_url=SecretStr(postgres_server))
    store = StressStore(settings)
    first = store.save(ScenarioReport(scenario="The bank halves our credit line."))
    second = store.save(WarGameReport(competitor="A rival opens next door."))
    assert {(i, r.kind) for i, r, _ in store.dated()} == {(first, "scenario"),
                                                          (second, "wargame")}
    assert StressStore(settings.with_workspace("pg-other")).dated() == []


def test_the_labelled_war_game_responses_are_pinned() -> None:
    """Written before the war game's flags reused the kinds table (session 24); run once with
    `python -m research.scenarios.wargame_flags` (docs/measurements.md)."""
    import hashlib

    import yaml

    path = Path(__file__).parents[1] / "evals" / "datasets" / "wargame" / "responses.yaml"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == (
        "df4373488ee909a23ad017377b3a1dd978855ee9b0bbf85cd924e3cc8fab405c")
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(rows) == 30 and sum(r["breaks"] for r in rows) == 15
