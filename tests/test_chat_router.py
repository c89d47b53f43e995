import json
from datetime import date

import pytest

from assistant.core.config import Settings
from assistant.llm.client import LLM
from assistant.llm.fake_model import ScriptedChatModel
from assistant.ui.router import route, route_with_model

DEPTS = ["Marketing", "Sales", "Customer Service", "Finance"]
TODAY = date(2026, 11, 27)
PROPOSAL = ("Is this proposal aligned?\nLaunch a line of compostable coffee pods sold online "
            "and in our cafés, to reach people who only brew with pod machines and to grow "
            "revenue quickly. Budget $90,000 for a co-packer in 2027.")


@pytest.mark.parametrize(("message", "task", "department", "period", "confident"), [
    ("draft Q1 OKRs for marketing", "draft_okrs", "Marketing", "2027-Q1", True),
    ("Please write OKRs for customer service for 2027-Q2", "draft_okrs", "Customer Service",
     "2027-Q2", True),
    ("create key results for Sales, Q3 2027", "draft_okrs", "Sales", "2027-Q3", True),
    ("make OKRs for finance", "draft_okrs", "Finance", "2027-Q1", True),
    ("what are our values?", "qa", "", "", True),
    ("what were marketing's OKRs last quarter?", "qa", "", "", False),
    ("draft OKRs for the legal team", "qa", "", "", False),
    (PROPOSAL, "check_alignment", "", "", True),
    ("is this aligned?", "qa", "", "", True),  # too short to be a proposal
    ("What if our importer raises prices 30%?", "scenario", "", "", True),
    ("what happens if the roaster breaks down", "scenario", "", "", True),
])
def test_rules(message: str, task: str, department: str, period: str, confident: bool) -> None:
    r = route(message, DEPTS, TODAY)
    assert (r.task, r.department, r.period, r.confident) == (task, department, period,
                                                             confident)


def test_a_what_if_question_routes_the_scenario_without_the_request_words() -> None:
    assert route("What if our importer raises prices 30%?", DEPTS, TODAY).text == (
        "Our importer raises prices 30%")


def test_follow_ups_refine_only_when_a_draft_exists() -> None:
    assert route("make KR2 more ambitious", DEPTS, TODAY, has_draft=True).task == "refine_draft"
    assert route("add a health metric to objective 1", DEPTS, TODAY,
                 has_draft=True).task == "refine_draft"
    assert route("make KR2 more ambitious", DEPTS, TODAY).task == "qa"
    assert route("draft OKRs for sales", DEPTS, TODAY, has_draft=True).task == "draft_okrs"


def test_the_proposal_loses_its_request_line() -> None:
    assert route(PROPOSAL, DEPTS, TODAY).text.startswith("Launch a line")


def _llm(*replies: str) -> tuple[LLM, ScriptedChatModel]:
    model = ScriptedChatModel(replies=list(replies))
    return LLM(Settings(llm_provider="fake", structured_retries=0), chat_model=model), model


def test_the_model_places_what_the_rules_cannot() -> None:
    llm, model = _llm(json.dumps({"task": "draft_okrs", "department": "finance",
                                  "period": "2027-Q2"}))
    r = route_with_model(llm, "we need goals for the money people next spring", DEPTS, TODAY)
    assert (r.task, r.department, r.period, r.by) == ("draft_okrs", "Finance", "2027-Q2",
                                                      "model")
    assert "<message>" in str(model.prompts[0][1].content)


def test_clear_cases_cost_no_model_call() -> None:
    llm, model = _llm("{}")
    assert route_with_model(llm, "what are our values?", DEPTS, TODAY).task == "qa"
    assert model.calls == 0


@pytest.mark.parametrize("reply", [
    "not json", json.dumps({"task": "draft_okrs", "department": "Legal", "period": ""}),
    json.dumps({"task": "refine_draft", "department": "", "period": ""})])
def test_rules_stand_when_the_model_fails_or_invents(reply: str) -> None:
    llm, _ = _llm(reply)
    r = route_with_model(llm, "what were marketing's OKRs last quarter?", DEPTS, TODAY)
    assert (r.task, r.by) == ("qa", "rules")
