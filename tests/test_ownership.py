"""Another department's work in a draft: found by content, fed back for repair."""

from __future__ import annotations

import json

from assistant.goals.draft import draft_okrs, gather_passages
from assistant.goals.ownership import blocks_of, owner_of
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.llm.client import LLM
from assistant.llm.fake_model import ScriptedChatModel

OKRS = ("## Sales objective: Be the roaster cafés recommend\n\n"
        "- KR1: Answer 80% of equipment support requests within 48 hours.\n\n"
        "## Company objective: Make subscribing the obvious way to buy\n\n"
        "- KR1: Grow active subscribers from 2,200 to 2,600.\n")
PAGE = "Marketing grows subscribers through referrals, gifting and farm stories."


def _hit(text: str, kind: str = "okrs", department: str | None = None,
         section: str = "Team OKRs") -> SearchHit:
    return SearchHit(chunk_id=f"c{len(text)}", doc_id="d.md", title="t", kind=kind,
                     section=section, text=text, score=1.0, department=department)


BLOCKS = blocks_of({"S1": _hit(OKRS), "S2": _hit(PAGE, "department", "Marketing", "Role")},
                   ["Marketing", "Sales", "People"])


def test_blocks_are_labelled_by_the_department_their_heading_or_page_names() -> None:
    owners = {b.heading: b.department for b in BLOCKS}
    assert owners == {"Team OKRs": None, "Sales objective: Be the roaster cafés recommend": "Sales",
                      "Company objective: Make subscribing the obvious way to buy": None,
                      "Role": "Marketing"}


def test_repeating_another_departments_line_is_found_only_for_the_others() -> None:
    copied = "Answer 80% of equipment support requests within 48 hours by March"
    block = owner_of(copied, "Marketing", BLOCKS)
    assert block is not None and block.department == "Sales" and block.source == "S1"
    assert owner_of(copied, "Sales", BLOCKS) is None  # their own work
    assert owner_of("Grow active subscribers from 2,410 to 2,900", "Marketing", BLOCKS) is None
    assert owner_of("Answer support requests", "Marketing", BLOCKS) is None  # too few words


def test_a_line_the_company_shares_is_nobodys_to_own() -> None:
    shared = blocks_of({"S1": _hit(OKRS + "\n## Plan\n\nAnswer 80% of equipment support "
                                   "requests within 48 hours, all departments.\n")},
                       ["Marketing", "Sales"])
    assert owner_of("Answer 80% of equipment support requests within 48 hours", "Marketing",
                    shared) is None


def _people_id(kb: KnowledgeBase) -> str:
    company, own = gather_passages(kb, "Marketing")
    return next(f"S{n}" for n, h in enumerate(company + own, 1) if "career ladder" in h.text
                and "People objective" in h.section + h.text)


def _marketing_draft(title: str, source: str, kr: str) -> str:
    key_result = {"statement": kr, "metric": "share of new subscribers from referrals",
                  "unit": "%", "owner_role": "Head of Marketing",
                  "measurement_source": "referral tool report", "source": source}
    second = key_result | {"statement": "Grow new subscribers per month to 260",
                           "metric": "new subscribers per month", "unit": "subscribers"}
    return json.dumps({"objectives": [{
        "title": title, "why_now": "It matters now.", "perspective": "Customer",
        "ambition": "committed", "parent": "Pillar 1", "source": source,
        "initiatives": ["Move the invite link"], "key_results": [key_result, second]}]})


def test_a_draft_repeating_peoples_objective_is_sent_back(sample_kb: KnowledgeBase) -> None:
    company, own = gather_passages(sample_kb, "Marketing")
    marketing = next(f"S{n}" for n, h in enumerate(company + own, 1) if "14%" in h.text)
    foreign = _marketing_draft("Publish a draft career ladder for roastery roles so everyone "
                               "sees a path to grow", _people_id(sample_kb),
                               "Raise the share of new subscribers from referrals to 18%")
    mine = _marketing_draft("Make referrals the way new subscribers find us", marketing,
                            "Raise the share of new subscribers from referrals to 18%")
    model = ScriptedChatModel(replies=[foreign, mine])
    report = draft_okrs(sample_kb, LLM(sample_kb.settings, chat_model=model), "Marketing",
                        "2027-Q1", count=1)
    feedback = str(model.prompts[1][-1].content)
    assert "repeats work owned by People" in feedback
    assert "Marketing's OKRs must be work" in feedback
    assert model.calls == 2 and not [p for p in report.problems_left if "repeats" in p]
    assert report.okrs.objectives[0].title.startswith("Make referrals")
