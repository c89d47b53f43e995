"""Questions about time (`knowledge/times.py`): pure code, so these judge the rules; the
scripted-model tests drive `qa.settle` only and prove no judgement about the model."""

from __future__ import annotations

from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.claims import non_answer
from assistant.knowledge.qa import answer_question
from assistant.knowledge.times import asks_when, states_time, years_held
from assistant.llm.client import LLM
from assistant.llm.fake_model import ScriptedChatModel


def test_questions_asking_for_a_time() -> None:
    for q in ("When was 18F launched?", "How long does the close take?",
              "How often are surveys run?", "In which year did CoE start?"):
        assert asks_when(q), q
    for q in ("What is our churn?", "Who owns KR2?", "How many cafés do we have?"):
        assert not asks_when(q), q


def test_text_stating_a_time_or_not() -> None:
    assert states_time("Quarterly, through IPAC [S1].") and states_time("In 2016 [S2].")
    assert states_time("Within days of roasting.") and states_time("every six months")
    # a citation marker and a link's address are not a time (spent blind-qa8)
    assert not states_time("It was last updated on [S2] by the Chief of Staff.")
    assert not states_time("See [the notes](https://example.org/d/1wjIj8) for details.")


def test_an_answer_must_come_from_the_year_asked_about() -> None:
    okrs = "Company and team OKRs, 2026 Q4 > Company objective. KR3: Sell 400 gift subscriptions."
    assert not years_held("What is our target for gift subscriptions in 2027?", okrs)
    assert years_held("How many subscribers do we want by 2027?", "Strategy 2026-2028: grow")
    assert years_held("What is our churn?", okrs)  # no year asked


def test_a_fiscal_year_names_its_year() -> None:
    # spent blind-qa9: "What share of partners said they would recommend 18F in FY24?"
    target = "50% or more of partner satisfaction survey respondents are likely to recommend 18F."
    assert not years_held("What share of partners would recommend 18F in FY24?", target)
    assert years_held("What did the FY24 survey find?", "In fiscal year 2024, 61% said yes.")
    assert years_held("What was utilization in 2025?", "FY25 utilization was 71%.")
    assert years_held("What did FY 2023 bring?", "FY2023-24 results: 40 engagements.")
    assert not years_held("What did FY23 bring?", "FY 24 results")


def test_there_is_no_information_is_a_decline() -> None:
    assert non_answer("How many regulars visit each day?",
                      "According to [S1], there is no information provided about visits.")
    assert not non_answer("How many regulars visit each day?", "About 300 a day [S1].")


def test_scripted_answer_from_another_years_page_is_not_covered(
        sample_kb: KnowledgeBase) -> None:
    """Scripted model: the 2026 Q4 KR given for a 2027 question (spent blind-qa8)."""
    model = ScriptedChatModel(replies=[
        "The target is to sell 400 gift subscriptions between 15 November and 24 December "
        "[S1]."])
    answer = answer_question("What is our target for gift subscriptions in 2027?", sample_kb,
                             LLM(sample_kb.settings, chat_model=model))
    assert not answer.covered and "year it asks about" in answer.answer


def test_a_year_question_needs_a_year() -> None:
    """Spent blind-qa9: "In which year did we sign our first partner café in New Hampshire?"
    was answered with a sentence holding counts (14, 4) but no year."""
    question = "In which year did we sign our first partner café in New Hampshire?"
    assert not states_time("Sign 14 new partner cafés and lose no more than 4 [S2].", question)
    assert states_time("We signed it in 2019 [S1].", question)


def test_an_answer_pointing_at_a_passage_is_a_decline() -> None:
    assert non_answer("What were TTSC's FY24 FEVS results?",
                      "The FY24 FEVS results for TTSC TK can be found in [S2].")
    assert not non_answer("Where can staff find templates?",
                          "Templates can be found in the shared Google Drive folder [S1].")


def test_questions_asking_for_an_amount_or_a_year_have_their_numbers_checked() -> None:
    """Spent blind-qa9: a customer-service budget given as a technician's pay, "2015" given
    for 18F's first blog post; both are number questions now, so the claims check applies."""
    from assistant.knowledge.claims import asks_for

    assert asks_for("What will the second service technician be paid?") == "number"
    assert asks_for("In which year did 18F publish its first blog post?") == "number"
    assert asks_for("What does a monthly subscription box cost?") == "number"
    assert asks_for("What kind of partner will help raise waste diversion?") == ""
