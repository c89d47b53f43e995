"""The drivers table (issue 29): what a scenario's events move, read by code from
`assistant/data/drivers.yaml`. These tests use hashed (fake) embeddings on purpose: the
driver path is words only, so what they show is the table and the code, not a model's
judgement; whether the table is right is measured on the labelled scenarios (evals)."""

from __future__ import annotations

from assistant.core.config import Settings
from assistant.core.schemas import Citation
from assistant.knowledge.embeddings import build_embedder
from assistant.scenarios.drivers import drivers_named, families, families_of
from assistant.scenarios.exposure import Phrase, expose
from assistant.strategy.model import MapElement

CITE = [Citation(chunk_id="c1", document="plan.md", section="Measures", quote="q")]


def _kr(key: str, metric: str, department: str = "", drivers: list[str] | None = None
        ) -> MapElement:
    return MapElement(key=key, kind="key_result", title=f"{metric}: 10 → 20", metric=metric,
                      department=department, drivers=drivers or [], citations=CITE,
                      status="confirmed")


def _expose(scenario: str, elements: list[MapElement]) -> dict[str, str]:
    embedder = build_embedder(Settings(embeddings_provider="fake"))
    return {x.key: x.reason for x in expose([Phrase(scenario, "scenario")], elements, embedder)}


def test_the_table_loads_and_every_family_has_measures_and_drivers() -> None:
    assert len(families()) >= 15
    assert all(f.measures and f.moved_by for f in families())
    assert [f.name for f in families_of("Cost to roast and pack one kilo")] == [
        "cost of what we make or buy"]
    # the most specific family only: "partner satisfaction", not every "partner" family
    assert [f.name for f in families_of("partner satisfaction survey")] == [
        "value delivered to partners and clients"]


def test_a_scenario_naming_a_driver_exposes_what_it_moves_with_the_driver_as_reason() -> None:
    cost, churn = _kr("kr:cost", "Cost per unit"), _kr("kr:churn", "Monthly churn")
    found = _expose("A drought halves the harvest our main supplier buys from", [cost, churn])
    assert list(found) == ["kr:cost"]
    assert "“drought” (cost of what we make or buy)" in found["kr:cost"]
    assert "drivers table" in found["kr:cost"]


def test_a_person_s_own_drivers_replace_the_table_for_that_element() -> None:
    cost = _kr("kr:cost", "Cost per unit", drivers=["port strike"])
    assert [d.phrase for d in drivers_named("A port strike closes Boston", cost,
                                           "Cost per unit")] == ["port strike"]
    assert _expose("Our main supplier raises prices", [cost]) == {}


def test_a_scenario_naming_a_department_keeps_to_that_department() -> None:
    marketing = MapElement(key="limit:mkt", kind="limit", title="Marketing operating budget",
                           scope="Marketing", department="Marketing", amount=1000.0,
                           citations=CITE, status="confirmed")
    sales = marketing.model_copy(update={"key": "limit:sales", "title": "Sales operating budget",
                                         "scope": "Sales", "department": "Sales"})
    found = _expose("The marketing campaign overspends by $5,000", [marketing, sales])
    assert list(found) == ["limit:mkt"]


def test_drivers_are_set_from_the_cli_and_shown_in_the_map(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from assistant.cli.main import app
    from assistant.db.engine import shared_database
    from assistant.strategy.render import to_markdown
    from assistant.strategy.store import StrategyMap

    settings = Settings(data_dir=tmp_path, workspace="w", embeddings_provider="fake")
    db = shared_database(settings)
    StrategyMap(db, "w").add(_kr("kr:cost", "Cost per unit"))
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "--workspace", "w", "map",
                                      "edit", "kr:cost", "--set", "drivers=port strike; fog"])
    assert result.exit_code == 0, result.output
    element = StrategyMap(db, "w").get("kr:cost")
    assert element.drivers == ["port strike", "fog"]
    assert "moved by: port strike, fog" in to_markdown([element])
