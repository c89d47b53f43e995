"""A non-goal break needs the same kind of action *and* the ruled-out words in the proposal."""

import json

from assistant.alignment.check import check_proposal
from assistant.alignment.nongoal_rule import NonGoalActions, non_goal_stance
from assistant.core.config import Settings
from assistant.core.text import list_items
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.vocabulary import common_stems
from assistant.llm.client import LLM
from assistant.llm.fake_model import ScriptedChatModel

ACADEMY = ("Start a barista training academy for partner cafés: two free training sessions a "
           "year for every partner café's staff at our roastery. Goal: partner cafés choose us "
           "for service rather than price. Budget $30,000 in 2027.")
THIRD_CAFE = ("Open a third Tidewater café in downtown Portsmouth, New Hampshire, as a flagship "
              "to build the brand in a new state. Budget $400,000 for fit-out and equipment.")


def _check(kb: KnowledgeBase, settings: Settings, proposal: str, doing: str,
           goal: str) -> list[str]:
    """The reasons of the "No more cafés" findings when the model names these two actions."""
    actions = json.dumps({"forbidden_action": "open a third café or take over another café "
                          "location", "proposal_action": doing})
    aspects = json.dumps({"title": "t", "goals": [goal], "actions": [doing], "audience": "x",
                          "resources": "x", "timeline": "x", "perspectives": []})
    model = ScriptedChatModel(replies=[aspects, actions])
    settings = settings.model_copy(update={"structured_retries": 0})
    report = check_proposal(proposal, kb, LLM(settings, chat_model=model))
    cafes = [f for f in report.findings if f.element == "No more cafés"]
    assert cafes, [f.element for f in report.findings]
    return [f"{f.stance}: {f.reason}" for f in cafes]


def test_a_close_action_without_the_ruled_out_words_is_no_break(
        sample_kb: KnowledgeBase, settings: Settings) -> None:
    """MiniLM puts the academy at 0.46 from "open a third café" (threshold 0.38); the proposal
    shares only "café" with it — an everyday word at a roaster — so it breaks nothing."""
    reasons = _check(sample_kb, settings, ACADEMY,
                     "start a barista training academy for partner cafés",
                     "partner cafés choose us for service")
    assert all(r.startswith("neutral") for r in reasons), reasons
    assert any("but none of its words in the proposal" in r for r in reasons), reasons


def test_the_same_action_in_the_same_words_breaks_it(sample_kb: KnowledgeBase,
                                                    settings: Settings) -> None:
    reasons = _check(sample_kb, settings, THIRD_CAFE,
                     "Open a third Tidewater café in downtown Portsmouth",
                     "build the brand in a new state with a new café")
    assert all(r.startswith("conflicts") for r in reasons), reasons
    assert "shared words: open, third" in reasons[0]


NOT_FUNDED = ("What is not funded in 2027 A third café, a mobile coffee cart, a capsule line, a "
              "new website redesign (the current site stays until 2028), and trade-show booths "
              "outside New England.")
LIST_COPY = ("A third café, a mobile coffee cart, a capsule line, a new website redesign (the "
             "current site stays until 2028)")


def test_list_items_split_a_written_list_and_leave_one_phrase_whole() -> None:
    assert list_items(LIST_COPY) == ["A third café", "a mobile coffee cart", "a capsule line",
                                     "a new website redesign"]
    one = "open a third café or take over another café location"
    assert list_items(one) == [one]
    assert list_items("$2,000 for the fit-out") == ["$2,000 for the fit-out"]


def test_a_listed_non_goal_needs_its_words_from_one_item(sample_kb: KnowledgeBase) -> None:
    """Workshops for wholesale cafés share "café" with one item and "coffee" with another:
    counted over the whole list that was a break (first blind set); per item it is none."""
    proposal = ("Offer every wholesale café two free barista workshops a year at our roastery, "
                "on espresso dialing-in and milk texture, and send each café a coffee guide.")
    answer = NonGoalActions(
        forbidden_action=LIST_COPY,
        proposal_action="Offer every wholesale café two free barista workshops")
    stance, reason, _ = non_goal_stance(answer, NOT_FUNDED, proposal, sample_kb.embedder)
    assert stance == "neutral", reason


def test_a_listed_non_goal_is_broken_by_one_item_and_the_reason_names_it(
        sample_kb: KnowledgeBase) -> None:
    proposal = ("Launch a line of aluminium espresso capsules that fit the most common home "
                "machines, filled with our single-origin coffee. Budget $40,000.")
    answer = NonGoalActions(forbidden_action=LIST_COPY,
                            proposal_action="Launch a line of aluminium espresso capsules")
    stance, reason, doing = non_goal_stance(answer, NOT_FUNDED, proposal, sample_kb.embedder)
    assert stance == "conflicts", reason
    assert "ruled out “a capsule line”" in reason and doing.startswith("Launch a line")


def test_the_company_s_everyday_words_are_not_shared_words(sample_kb: KnowledgeBase) -> None:
    """At a roaster "coffee" is in every other chunk: composting used coffee grounds shares
    "coffee" and "use" with "sell coffee in single-use pods", which made it a break (second
    blind set); with everyday words left out it is none, and capsules still are."""
    common = common_stems(sample_kb)
    assert "coffe" in common and "capsul" not in common
    pods = "No pods or capsules We will not sell coffee in single-use pods or capsules."
    grounds = NonGoalActions(forbidden_action="sell coffee in single-use pods or capsules",
                             proposal_action="collect used coffee grounds from partner cafés")
    text = ("Collect used coffee grounds from partner cafés on our delivery rounds and pass "
            "them to our composting partner.")
    assert non_goal_stance(grounds, pods, text, sample_kb.embedder, common)[0] == "neutral"
    capsules = NonGoalActions(forbidden_action="sell coffee in single-use pods or capsules",
                              proposal_action="sell single-use coffee capsules")
    text = "Sell single-use coffee capsules in supermarkets from March."
    assert non_goal_stance(capsules, pods, text, sample_kb.embedder, common)[0] == "conflicts"
