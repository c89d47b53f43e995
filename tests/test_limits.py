"""Stated limits compared in code: a proposal's number beyond a limit a value or non-goal sets."""

from __future__ import annotations

import pytest

from assistant.alignment.check import check_proposal
from assistant.alignment.limits import Limit, Quantity, limits_in, quantities_in
from assistant.alignment.limits import _breaks as breaks
from assistant.alignment.report import ElementFinding, score_findings
from assistant.core.config import Settings
from assistant.core.schemas import Citation
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.grounding import quote_in_chunk
from assistant.llm.client import LLM

pytestmark = pytest.mark.first_design  # scores and stances: the first design

SALE = ("Run a spring sale with 40% off every bag and subscription for two weeks, promoted by "
        "email. Goal: clear old stock and win new subscribers before the summer.")


def _limit(statement: str) -> Limit:
    found = limits_in(statement)
    assert len(found) == 1, found
    return found[0]


def _quantity(text: str) -> Quantity:
    found = [q for q, _ in quantities_in(text)]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("statement", "value", "unit", "amount"), [
    ("We never lend more than $5,000 to a single client.", 5000, "money", "$5,000"),
    ("Flights of up to 6 hours only;\nlonger trips go by train.", 6, "h", "6 hours"),
    ("## Small on purpose\n\nWe roast in batches of at most 30 kg.", 30, "kg", "30 kg"),
    ("Local shops of up to three stores are welcome.", 3, "store", "three stores"),
    ("No discount deeper than 15% off list.", 15, "%", "15%"),
    ("A credit line of no more than £1.2m.", 1_200_000, "money", "£1.2m"),
    ("Paid social spend stays capped at $8,000 a month.", 8000, "money", "$8,000"),
    ("Travel must not exceed 20 days a year.", 20, "day", "20 days"),
])
def test_upper_bounds_are_read_with_their_unit(statement: str, value: float, unit: str,
                                               amount: str) -> None:
    limit = _limit(statement)
    assert (limit.quantity.value, limit.quantity.unit, limit.quantity.text) == (value, unit,
                                                                                amount)
    assert "#" not in limit.sentence and "\n" not in limit.sentence


@pytest.mark.parametrize("statement", [
    "A customer who comes back is worth more than 150 new ones.",  # a comparison, not a limit
    "We pay at least 25% above the Fair Trade minimum.",  # a lower bound: left to the model
    "Sign 14 new partner cafés in 2027.",  # a target
])
def test_statements_that_draw_no_upper_bound(statement: str) -> None:
    assert limits_in(statement) == []


def test_proposal_quantities_units_and_words() -> None:
    half = _quantity("Sell half-price vouchers on a deal site.")
    assert (half.value, half.unit) == (50, "%") and "discount" in half.words  # "off" is a discount
    money = _quantity("Budget £400k for the fit-out.")
    assert (money.value, money.unit) == (400_000, "money") and "budget" in money.words
    assert _quantity("Open a pop-up in 12 stores across Maine.").unit == "store"
    assert quantities_in("Start in 2027 with the team we have.") == []  # a year is no quantity
    # a measure per period is a rate, not a weight: the 60 kg-per-hour roaster breaks no
    # "batches of at most 30 kg" (spent blind-qa8: "no" decided by that bound)
    assert _quantity("Run the new 60 kg-per-hour roaster.").unit == "kg/hour"
    assert _quantity("Roast batches of 40 kg.").unit == "kg"
    # a sum of money per period keeps its unit and says its period (budgets.stated_draw
    # counts a monthly sum twelve times only for a whole year)
    monthly = _quantity("Spend $4,500 a month on ads.")
    assert (monthly.unit, monthly.value, monthly.per) == ("money", 4500, "month")
    assert _quantity("A one-off $190k grant.").per is None


@pytest.mark.parametrize(("proposal", "statement", "broken"), [
    (SALE, "No discount deeper than 15% off list.", True),
    ("A 10% off welcome offer for new subscribers.", "No discount deeper than 15% off list.",
     False),  # within the limit
    ("A 15% off welcome offer.", "No discount deeper than 15% off list.", False),  # at it
    ("Draw $400,000 from our bank credit line for a new roaster.",
     "Growth is funded from profit and a bank credit line of up to $250,000.", True),
    ("A marketing budget of $400,000 for the year.",  # a budget is not the credit line
     "Growth is funded from profit and a bank credit line of up to $250,000.", False),
    ("Grow retail volume 40% through a grocery chain.",  # growth is not a discount
     "No discount deeper than 15% off list.", False),
])
def test_a_breach_needs_the_same_unit_a_shared_word_and_a_larger_number(
        proposal: str, statement: str, broken: bool) -> None:
    limit = _limit(statement)
    assert any(breaks(q, limit) for q, _ in quantities_in(proposal)) is broken


def test_a_sale_beyond_the_discount_limit_is_a_cited_conflict(sample_kb: KnowledgeBase,
                                                               settings: Settings) -> None:
    report = check_proposal(SALE, sample_kb, LLM(settings))
    beyond = [f for f in report.conflicts if f.limit_breach]
    assert len(beyond) == 1 and beyond[0].kind == "non-goal"
    assert beyond[0].proposal_evidence == "40%" and "15%" in beyond[0].statement
    cite = beyond[0].citations[0]
    assert quote_in_chunk(cite.quote, sample_kb.get_chunks([cite.chunk_id])[cite.chunk_id].text)
    assert report.verdict == "misaligned" and report.score <= 15
    assert any(t.startswith("Bring “40%” within the stated limit") for t in
               report.recommendations)


def test_a_spend_beyond_the_plans_cap_is_cited_and_keeps_it_from_aligned(
        sample_kb: KnowledgeBase, settings: Settings) -> None:
    """The sample plan caps paid social at $8,000 a month: a plan's cap, not a guard rail."""
    report = check_proposal("Raise paid social advertising to $25,000 a month for all of 2027 "
                            "to win new subscribers through Instagram and Facebook ads.",
                            sample_kb, LLM(settings))
    beyond = [f for f in report.conflicts if f.limit_breach]
    assert [(f.kind, f.proposal_evidence) for f in beyond] == [("initiative", "$25,000")]
    assert "$8,000" in beyond[0].statement and "Priority 2" in beyond[0].element
    cite = beyond[0].citations[0]
    assert quote_in_chunk(cite.quote, sample_kb.get_chunks([cite.chunk_id])[cite.chunk_id].text)
    assert report.score <= 60 and report.verdict != "aligned"
    assert any("beyond the plan's cap" in p for p in report.score_parts)


def test_a_limit_breach_caps_the_score_only_with_a_valid_citation() -> None:
    hits = {"g": SearchHit(chunk_id="g", doc_id="s.md", title="t", kind="strategy", section="S",
                           text="Pillar 1: grow subscriptions to 6,000.", score=1.0),
            "n": SearchHit(chunk_id="n", doc_id="n.md", title="t", kind="non-goals",
                           section="No deep discounting", score=1.0,
                           text="No discount deeper than 15% off list.")}

    def finding(quote: str, **extra: object) -> ElementFinding:
        cid = "g" if "Pillar" in quote else "n"
        return ElementFinding(element=quote[:20], statement=quote, reason="r",
                              citations=[Citation(chunk_id=cid, document="d", section="S",
                                                  quote=quote)], **extra)  # type: ignore[arg-type]

    goal = finding("Pillar 1: grow subscriptions to 6,000.", kind="goal", stance="supports")
    assert score_findings([goal], hits).verdict == "aligned"
    limit = finding("No discount deeper than 15% off list.", kind="non-goal", stance="conflicts",
                    limit_breach=True, proposal_evidence="40%")
    capped = score_findings([goal, limit], hits)
    assert capped.verdict == "misaligned" and capped.value == 15
    assert "“40%” is beyond the limit" in capped.parts[-1]
    forged = limit.model_copy(update={"citations": [limit.citations[0].model_copy(
        update={"quote": "No discount deeper than 50% off list."})]})
    assert score_findings([goal, forged], hits).verdict == "aligned"


def test_a_plans_cap_caps_in_the_partial_band_and_a_guard_rail_still_wins() -> None:
    cap = "Paid social spend stays capped at $8,000 a month."
    hits = {"g": SearchHit(chunk_id="g", doc_id="s.md", title="t", kind="strategy", section="S",
                           text="Pillar 1: grow subscriptions to 6,000.", score=1.0),
            "p": SearchHit(chunk_id="p", doc_id="p.md", title="t", kind="plan",
                           section="Priority 2", text=f"Reach 3,600 subscribers. {cap}",
                           score=1.0),
            "n": SearchHit(chunk_id="n", doc_id="n.md", title="t", kind="non-goals",
                           section="No deep discounting", score=1.0,
                           text="No discount deeper than 15% off list.")}

    def finding(cid: str, quote: str, **extra: object) -> ElementFinding:
        return ElementFinding(element=cid, statement=quote, reason="r",
                              citations=[Citation(chunk_id=cid, document="d", section="S",
                                                  quote=quote)], **extra)  # type: ignore[arg-type]

    goals = [finding("g", "Pillar 1: grow subscriptions to 6,000.", kind="goal",
                     stance="supports")]
    plan = finding("p", cap, kind="initiative", stance="conflicts", limit_breach=True,
                   proposal_evidence="$25,000")
    capped = score_findings([*goals, plan], hits)
    assert (capped.value, capped.verdict) == (60, "partially_aligned")
    assert capped.parts[-1] == "capped at 60: “$25,000” is beyond the plan's cap in p"
    assert score_findings([plan], hits).value == 30  # below the cap already: unchanged
    guard = finding("n", "No discount deeper than 15% off list.", kind="non-goal",
                    stance="conflicts", limit_breach=True, proposal_evidence="40%")
    assert score_findings([*goals, plan, guard], hits).verdict == "misaligned"
