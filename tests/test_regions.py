"""The focus region: a proposal naming places the strategy's focus leaves out, found in code."""

from __future__ import annotations

import pytest

from assistant.alignment.check import check_proposal
from assistant.alignment.regions import _outside as outside
from assistant.alignment.regions import focus_in, places_in
from assistant.alignment.report import ElementFinding, score_findings
from assistant.core.config import Settings
from assistant.core.schemas import Citation
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.grounding import quote_in_chunk
from assistant.llm.client import LLM

pytestmark = pytest.mark.first_design  # scores and stances: the first design

FOCUS = SearchHit(chunk_id="p2", doc_id="strategy.md", title="Strategy", kind="strategy",
                  section="Strategy > Pillar 2: Partner to New England cafés", score=1.0,
                  text="Win on service rather than price. We focus on Maine, New Hampshire "
                       "and Massachusetts.")


def test_places_are_states_and_groups_the_longest_name_winning() -> None:
    assert places_in("Stores in West Virginia and New York City.") == {
        "West Virginia": ("West Virginia",), "New York": ("New York",)}
    assert "Vermont" in places_in("Cafés across New England.")["New England"]
    assert places_in("Ship to Portland and to Canada.") == {}  # cities, countries: not read
    assert places_in("a new england-style chowder") == {}  # names need their capitals


def test_focus_sentences_name_places_after_a_focus_phrase() -> None:
    assert focus_in(FOCUS.text) == [(frozenset({"Maine", "New Hampshire", "Massachusetts"}),
                                     "We focus on Maine, New Hampshire and Massachusetts.")]
    assert focus_in("Sign 14 cafés in Maine and Massachusetts.") == []  # a target, no focus
    assert focus_in("We focus on service.") == []  # no place


def test_outside_needs_a_place_left_out_and_the_same_topic() -> None:
    found = outside("Sign 20 specialty cafés in New York and New Jersey.", FOCUS)
    assert found is not None and found.places == ("New York", "New Jersey")
    assert outside("Sign 20 specialty cafés in Maine.", FOCUS) is None  # inside the focus
    assert outside("Open two cafés in New England.", FOCUS) is None  # the group overlaps it
    # a different topic: a subscription shipped to Ohio is not bound by the cafés' focus
    assert outside("Ship subscriptions to home brewers in Ohio.", FOCUS) is None
    assert outside("We focus on home brewers in Ohio.", FOCUS) is None  # "focus" is no topic


def test_a_proposal_outside_the_focus_is_cited_and_kept_from_aligned(
        sample_kb: KnowledgeBase, settings: Settings) -> None:
    report = check_proposal("Hire a sales rep in New York City to sign 20 specialty cafés in "
                            "New York and New Jersey, offering our barista training. Goal: "
                            "grow the number of partner cafés faster.", sample_kb, LLM(settings))
    found = [f for f in report.conflicts if f.outside_focus]
    assert [f.proposal_evidence for f in found] == ["New York, New Jersey"]
    assert "We focus on Maine" in found[0].statement and "Pillar 2" in found[0].element
    cite = found[0].citations[0]
    assert quote_in_chunk(cite.quote, sample_kb.get_chunks([cite.chunk_id])[cite.chunk_id].text)
    assert report.score <= 60 and report.verdict != "aligned"
    # the fake model supports Pillar 2, so it is the focus that holds the score down
    assert any(p.startswith("capped at 60: “New York, New Jersey” is outside the focus")
               for p in report.score_parts), report.score_parts
    assert any(t.startswith("Keep it within the focus") for t in report.recommendations)


def test_outside_the_focus_caps_in_the_partial_band_with_a_valid_citation() -> None:
    goal_hit = SearchHit(chunk_id="g", doc_id="s.md", title="t", kind="strategy", section="S",
                         text="Pillar 2: grow partner cafés to 130.", score=1.0)
    hits = {"g": goal_hit, "p2": FOCUS}

    def finding(cid: str, quote: str, **extra: object) -> ElementFinding:
        return ElementFinding(element=cid, statement=quote, reason="r",
                              citations=[Citation(chunk_id=cid, document="d", section="S",
                                                  quote=quote)], **extra)  # type: ignore[arg-type]

    goal = finding("g", goal_hit.text, kind="goal", stance="supports")
    away = finding("p2", "We focus on Maine, New Hampshire and Massachusetts.", kind="goal",
                   stance="conflicts", outside_focus=True, proposal_evidence="New York")
    capped = score_findings([goal, away], hits)
    assert (capped.value, capped.verdict) == (60, "partially_aligned")
    assert capped.parts[-1] == "capped at 60: “New York” is outside the focus stated in p2"
    forged = away.model_copy(update={"citations": [away.citations[0].model_copy(
        update={"quote": "We focus on New York."})]})
    assert score_findings([goal, forged], hits).verdict == "aligned"
