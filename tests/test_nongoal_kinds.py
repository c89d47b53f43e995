"""Non-goals broken by a member of the kind they rule out (`alignment/kinds.py`): pure code over
the shipped kinds table, so these tests judge the rule itself; the check-level test runs with
the fake model, which drives the code path and judges nothing."""

from __future__ import annotations

import pytest

from assistant.alignment.check import check_proposal, kind_findings
from assistant.alignment.duties import duty_breaks
from assistant.alignment.kinds import kind_breaks, kinds, ruled_out_items
from assistant.core.config import Settings
from assistant.core.places import foreign_places
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM
from assistant.strategy.build import build_map

# A made-up bicycle workshop's non-goals (not the sample company's wording).
RETAIL = ("No big-box retail", "We will never supply mass retailers or national chain stores. "
          "Independent bike shops with up to five locations are welcome.")
OUTLETS = ("No second workshop", "We will not open another workshop or a retail shop.")
ABROAD = ("Domestic only", "We do not export and will not ship outside the United States.")
MONEY = ("Owner-funded",
         "We will not take outside investors; a bank loan of up to $80,000 is fine.")
DEALS = ("No price war", "No discounting beyond 10%, no coupons and no buy one get one offers.")
NOT_FUNDED = ("What we will not fund in 2027", "- A pop-up repair van\n- A capsule wardrobe line")


@pytest.mark.parametrize(("non_goal", "proposal", "member"), [
    (RETAIL, "Walmart has asked us to stock our repair kits in 200 stores.", "Walmart"),
    (RETAIL, "Put our kits on the shelves of a nationwide sporting-goods chain.",
     "nationwide sporting-goods chain"),
    (OUTLETS, "Lease a storefront in the mall and staff it with two mechanics.",
     "a storefront"),
    (ABROAD, "Dealers in Vancouver and Toronto want 300 frames a year shipped by truck.",
     "Vancouver"),
    (ABROAD, "Open our web shop to customers in the UK.", "UK"),
    (MONEY, "An angel group offers $300,000 for a 15% stake.", "15% stake"),
    (MONEY, "Take a convertible note from a cycling-tech fund.", "convertible note"),
    (MONEY, "Our biggest dealer offers $300,000 for 15% of the business.", "15% of the business"),
    (DEALS, "Every order of two tubes gets the third tube free in May.", "third tube free"),
    (DEALS, "List our tune-ups on Groupon for the spring.", "Groupon"),
    (("No pods", "We will not sell coffee in single-use pods or capsules."),
     "Sealed one-serving filter cups for hotel-room brewers.", "one-serving"),
])
def test_a_member_of_a_ruled_out_kind_breaks_the_non_goal(
        non_goal: tuple[str, str], proposal: str, member: str) -> None:
    breaks = kind_breaks(proposal, *non_goal)
    assert breaks, proposal
    assert breaks[0].member == member
    assert breaks[0].source in non_goal[1] or breaks[0].source == non_goal[0]


@pytest.mark.parametrize(("non_goal", "proposal"), [
    # allowed by the non-goal's own allowing sentence, or no member of the kind at all
    (RETAIL, "Supply three independent bike shops in Vermont with repair kits."),
    (RETAIL, "Set a target of 40 tune-ups a week."),  # "target", not Target
    # supplying someone else's shop is not opening one of our own
    (OUTLETS, "Supply 12 coffee shops in Boston with bike racks."),
    (OUTLETS, "Run an evening class in our workshop."),
    # buying from abroad, a US place that sounds foreign, "England" inside "New England"
    (ABROAD, "Buy steel tubing from a mill in Italy and ship it to our workshop."),
    (ABROAD, "Sell to customers across New England and New Mexico."),
    (ABROAD, "Open an account with a shop in Paris, Texas."),
    # negated, or the sentence only bounds an amount
    (MONEY, "Grow the fleet without outside investors."),
    (MONEY, "Borrow $50,000 from the bank for a second lathe."),
    (DEALS, "A 10% discount for members, as always."),
    (DEALS, "A $1,000 prize for two winners of the route contest."),
    (("No pods", "We will not sell coffee in single-use pods or capsules."),
     "Our baristas brew one cup at a time at the bar."),  # a cup, not a single-serve pack
])
def test_no_break_without_a_member_of_the_ruled_out_kind(
        non_goal: tuple[str, str], proposal: str) -> None:
    assert kind_breaks(proposal, *non_goal) == []


def test_items_come_from_forbidding_sentences_and_ruling_headings_only() -> None:
    items = [i for i, _ in ruled_out_items(*RETAIL)]
    assert "No big-box retail" in items
    assert not any("Independent bike shops" in i for i in items)  # allows, up to a bound
    listed = [i for i, _ in ruled_out_items(*NOT_FUNDED)]
    assert "A pop-up repair van" in listed and "A capsule wardrobe line" in listed


def test_the_table_loads_and_every_kind_has_covers_and_members() -> None:
    table = kinds()
    assert len(table) >= 10
    assert all(k.covers and k.members for k in table)


def test_foreign_places_come_from_the_time_zone_tables() -> None:
    assert foreign_places("Customers in Mexico City and Lagos.") == ["Mexico City", "Lagos"]
    assert foreign_places("Our Georgia and New Jersey accounts.") == []  # US states
    assert foreign_places("Coffee from Colombia.") == []
    # where it goes, not where it comes from (spent blind5: "from Portland to Halifax")
    assert foreign_places("A ferry that sails from Portland to Halifax wants our coffee.") == [
        "Halifax"]
    assert foreign_places("Beans shipped from Addis Ababa to Portland.") == []
    # Canada's provinces, which the tables name only by city (spent blind5: "Nova Scotia")
    assert foreign_places("Delivered to its home port in Nova Scotia.") == ["Nova Scotia"]
    assert foreign_places("Our Ontario, California account.") == []  # a US town


def test_the_check_reports_a_kind_break_as_a_cited_non_goal_conflict_fake_model(
        sample_settings: Settings) -> None:
    """Fake model (no judgement proved): the table's break becomes a cited non-goal conflict
    in the report and, on a confirmed map, decides misaligned in the evidence design."""
    proposal = ("Costco's buyers want our house blend in 1 kg bags in 60 warehouses. "
                "Goal: volume for the second roasting shift.")
    settings = sample_settings.model_copy(update={"alignment_verdicts": "evidence"})
    with KnowledgeBase(settings) as kb:
        found = kind_findings(proposal, kb)
        assert [f.element for f in found] == ["No supermarket chains"]
        assert found[0].citations[0].quote in kb.get_chunks(
            [found[0].citations[0].chunk_id])[found[0].citations[0].chunk_id].text
        strategy = [e.model_copy(update={"status": "confirmed"}) for e in build_map(kb)]
        llm = LLM(settings)
        try:
            report = check_proposal(proposal, kb, llm, strategy=strategy)
        finally:
            llm.close()
    assert report.verdict == "misaligned"
    assert "No supermarket chains" in report.basis and "Costco" in report.basis


# --- values whose duty a proposal stops (`alignment/duties.py`) --------------------------------

CRAFT = ("We bake in small batches and taste every loaf before it leaves. "
         "Growth that forces us to cut quality is growth we turn down.")
OPEN = "Everyone here can see the monthly numbers: revenue, margin, cash and payroll totals."


@pytest.mark.parametrize(("value", "proposal", "words"), [
    (CRAFT, "From May, stop tasting every loaf so the bakers gain an hour a day.",
     ("loaf", "tast")),
    (OPEN, "Only the owners will see it: we no longer show margin and payroll totals to staff.",
     ("margin", "payrol", "total")),
    (CRAFT, "Skip tasting the rye batches on Sundays.", ("batch", "tast")),
])
def test_a_clause_that_stops_a_values_duty_breaks_it(value: str, proposal: str,
                                                      words: tuple[str, ...]) -> None:
    found = duty_breaks(proposal, value)
    assert found and set(words) <= set(found[0].words)
    assert found[0].sentence in value and found[0].clause in proposal


@pytest.mark.parametrize("proposal", [
    # a substitution may be an upgrade (a dev row: one hour instead of one business day)
    "Answer every message within one hour instead of one business day.",
    "Stop the van at the market on Saturdays.",  # a ceasing word, none of a duty's words
    "Taste one in five new recipes first.",  # one shared word is not enough
    "Keep tasting every loaf. Stop selling day-old bread.",  # the stop is another clause's
])
def test_no_duty_break_without_a_ceasing_clause_on_the_values_words(proposal: str) -> None:
    assert duty_breaks(proposal, CRAFT + " We answer every message within one business day.") \
        == []
