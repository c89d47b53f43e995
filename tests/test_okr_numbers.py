"""A key result's numbers read from its own words (`goals.okr_numbers`): what drafting stores
as target, baseline and direction (draft_model.py says why the model no longer writes them)."""

import pytest

from assistant.goals.okr_io import kr_from_text
from assistant.goals.okr_numbers import direction_of, restated, target_of, without_baseline


@pytest.mark.parametrize(("statement", "target", "baseline", "unit", "direction"), [
    ("Raise waste diversion from 70% to 75%", 75, 70, "%", "increase"),
    ("Reduce monthly subscriber churn from 6.8% to 5.5% by 31 March 2027", 5.5, 6.8, "%",
     "decrease"),
    ("Increase active subscribers from 2,410 to 2,610 by the end of Q1 2027", 2610, 2410, "",
     "increase"),
    ("Ship 90% of bags within 72 hours of roasting (from 84%)", 90, 84, "%", "increase"),
    ("Reduce monthly subscriber churn to 5.5%", 5.5, None, "%", "decrease"),
    ("Cut average first-response time to under 4 hours", 4, None, "", "at_most"),
    ("Keep CSAT at or above 4.6 out of 5", 4.6, None, "", "at_least"),
    ("Grow wholesale revenue to $48,000 a month", 48000, None, "$", "increase"),
    ("Fewer than 2% of orders refunded", 2, None, "%", "decrease"),
])
def test_numbers_and_direction_come_from_the_statement(statement: str, target: float,
                                                       baseline: float | None, unit: str,
                                                       direction: str) -> None:
    stated = target_of(statement)
    assert stated is not None
    assert (stated.value, stated.baseline, stated.unit) == (target, baseline, unit)
    assert direction_of(statement, stated) == direction


def test_a_statement_without_a_number_has_no_target() -> None:
    assert target_of("Make onboarding delightful") is None


@pytest.mark.parametrize("statement", [
    "Publish a draft career ladder for roastery roles by 15 December",
    "Launch the wholesale price list on March 3",
    "Open the Porto pop-up by the 1st of June",
])
def test_a_day_of_a_month_is_not_a_target(statement: str) -> None:
    assert target_of(statement) is None


def test_a_written_kr_is_read_as_a_drafted_one() -> None:
    # the map builder and `keel lint` read people's KRs with the same rules as drafting:
    # "3 stories" is the commitment, "at least 1,000 views each" its bar
    kr = kr_from_text("Publish 3 farm stories with at least 1,000 views each. Owner: marketing")
    assert (kr.target, kr.unit, kr.owner_role) == (3, "", "marketing")
    kr = kr_from_text("Grow newsletter readers to 1.2k by 2027-03-31")
    assert (kr.target, kr.direction, str(kr.deadline)) == (1200, "increase", "2027-03-31")


@pytest.mark.parametrize(("statement", "left"), [
    ("Raise waste diversion from 70% to 75% by 31 March",
     "Raise waste diversion to 75% by 31 March"),
    ("Increase active subscribers from 2,410 to 2,610 by the end of Q1 2027",
     "Increase active subscribers to 2,610 by the end of Q1 2027"),
    ("Ship 90% of bags within 72 hours of roasting (from 84%)",
     "Ship 90% of bags within 72 hours of roasting"),
    ("Cut churn to 5%", "Cut churn to 5%"),  # nothing to take out
])
def test_an_ungrounded_current_value_is_taken_out_of_the_words(statement: str, left: str) -> None:
    assert without_baseline(statement) == left
    stated = target_of(left)
    assert stated is not None and stated.baseline is None


def test_the_leading_verb_decides_so_a_contradiction_stays_visible() -> None:
    """"Raise … from 104 to 90" stays an increase, and the linter's K5 flags it (as the
    Markdown reader does), rather than quietly becoming a decrease."""
    stated = target_of("Raise partner cafés from 104 to 90")
    assert stated is not None and direction_of("Raise partner cafés from 104 to 90",
                                               stated) == "increase"
    moved = target_of("Churn moves from 6.8% to 5.5%")
    assert moved is not None and direction_of("Churn moves from 6.8% to 5.5%", moved) == \
        "decrease"


def test_restated_takes_the_numbers_of_the_new_words() -> None:
    from assistant.core.schemas import KeyResult

    kr = KeyResult(statement="Raise repeat orders to 40%", target=40, baseline=31, unit="%",
                   direction="increase", owner_role="Marketing lead")
    cut = restated(kr, "Cut refunds from 4% to 2%")
    assert (cut.target, cut.baseline, cut.direction, cut.owner_role) == (2, 4, "decrease",
                                                                         "Marketing lead")
    kept = restated(kr, "Raise repeat orders to 45%")  # no baseline in the words: the old one
    assert (kept.target, kept.baseline) == (45, 31)
    assert restated(kr, "Make repeat orders easier").target is None
