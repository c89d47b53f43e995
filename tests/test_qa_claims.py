"""Issue 25, session 19: an answer's values must come from the passages (`knowledge/claims.py`).
The scripted model only drives the code paths (a borrowed number, a restated question); these
tests prove no judgement of the local model."""

import pytest

from assistant.knowledge.answer_checks import Sentence, asks_number, extractive, values_in
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.claims import (
    asks_for,
    asks_for_someone,
    claims_in,
    names_someone,
    non_answer,
    rarest_stems,
)
from assistant.knowledge.qa import answer_question
from assistant.llm.client import LLM
from assistant.llm.fake_model import ScriptedChatModel


def _ask(kb: KnowledgeBase, question: str, *replies: str):  # type: ignore[no-untyped-def]
    model = ScriptedChatModel(replies=list(replies))
    return answer_question(question, kb, LLM(kb.settings, chat_model=model))


def test_values_are_numbers_written_as_values_not_digits_of_names() -> None:
    assert values_in("18F reached 75% in FY24, Q4 and KR-3 aside") == {75.0}
    assert values_in("revenue $4.1M, batches of 30kg") == {4.1, 30.0}
    assert asks_number("What was TTSC's utilization rate in FY24?")
    assert asks_number("What is the 2027 budget of the wholesale service programme?")
    assert asks_for("Who leads sales?") == "name" and asks_for("When did we start?") == "number"
    assert asks_for("Why do we roast small?") == ""


def test_claims_are_the_first_sentence_values_the_question_asks_for() -> None:
    assert claims_in("What is the name of our head roaster?",
                     "The name of our head roaster is Mara Quell [S1]. She joined in 2019.") == [
        "Mara", "Quell"]
    assert claims_in("How many cafés do we run?", "We run 2 cafés [S1]. Since 2019.") == ["2"]
    assert claims_in("Why do we roast small?", "Quality, says Mara [S1].") == []


@pytest.mark.parametrize(("question", "answer"), [
    ("What is the annual training budget per employee?",
     "The annual training budget per employee is not directly covered in the given passages."),
    ("Which bank provides our credit line?", "The bank provides our credit line [S1]."),
])
def test_a_non_answer_is_recognised(question: str, answer: str) -> None:
    assert non_answer(question, answer)


def test_a_real_answer_and_a_plain_yes_are_answers() -> None:
    assert not non_answer("Which bank provides our credit line?",
                          "Harbor Savings provides it [S1].")
    assert not non_answer("Do we ship abroad?", "No [S1].")
    assert not non_answer("Do we sell pods?", "No, we do not sell single-use pods [S1].")
    # a decimal is a value, though its digits are too short to be words (a defect until
    # session 20: "churn is 6.8%" counted as restating the question)
    assert not non_answer("What is our monthly subscriber churn?",
                          "Monthly subscriber churn is 6.8% [S1].")


def test_scripted_answer_with_a_number_no_passage_holds_is_not_passed_on(
        sample_kb: KnowledgeBase) -> None:
    answer = _ask(sample_kb, "What are the opening hours of the Brunswick café?",
                  "The Brunswick café is open 7:15 AM to 4:45 PM every day [S1].")
    assert "7:15" not in answer.answer and "4:45" not in answer.answer


def test_scripted_answer_that_restates_the_question_is_treated_as_a_decline(
        sample_kb: KnowledgeBase) -> None:
    answer = _ask(sample_kb, "Which bank provides our credit line?",
                  "The bank provides our credit line [S1].", "NOT COVERED")
    assert not answer.covered or answer.quoted


def test_scripted_right_number_stated_under_its_heading_is_kept(
        sample_kb: KnowledgeBase) -> None:
    """"Budget: $65,000." holds the question's words only in its section heading."""
    answer = _ask(sample_kb, "What is the 2027 budget for training path and pay?",
                  "The 2027 budget for training path and pay is $65,000 [S1].")
    assert answer.covered and not answer.quoted and "65,000" in answer.answer


def test_the_rarest_words_of_a_question_are_what_it_is_about(sample_kb: KnowledgeBase) -> None:
    assert rarest_stems("What price per kilo did we pay for our Huila green coffee?",
                        sample_kb) == {"huila"}


def test_a_how_many_question_is_not_answered_by_a_quote_without_a_number() -> None:
    """The dev row "How many vendors does CoE work with?" was answered with "teams are composed
    of federal employees and vendors"; the same close sentence still answers a what-question."""
    text = "CoE engagement teams are composed of federal employees and vendors."
    hit = SearchHit(chunk_id="c", doc_id="d", title="t", kind="strategy", section="CoE teams",
                    text=text, score=0.7)
    close = [Sentence(text, 0, 0.7, 1.0, 3)]
    assert extractive("How many vendors do CoE engagement teams have?", close, [hit]) is None
    assert extractive("Who are CoE engagement teams composed of?", close, [hit]) is not None


def test_a_list_answer_s_lead_line_is_read_with_its_list() -> None:
    """"Our values are:" restates the question alone; with its list it answers it (the
    injection benchmark's control answer was turned into a decline by reading the lead alone)."""
    listed = "Our values are:\n1. Regulars first [S1].\n2. Open books [S2]."
    assert not non_answer("What are our values?", listed)
    assert claims_in("Who leads sales?", "Sales is led by:\n- Mara Quell [S1]") == ["Mara", "Quell"]


def test_scripted_list_answer_to_a_what_question_is_kept(sample_kb: KnowledgeBase) -> None:
    answer = _ask(sample_kb, "What are our values?",
                  "Our values are:\n1. Regulars first: a customer who comes back is worth more "
                  "than a new one [S1].\n2. Open books [S1].")
    assert answer.covered and not answer.quoted and "Regulars first" in answer.answer


def test_who_and_which_firm_questions_ask_for_someone_who_can_questions_do_not() -> None:
    assert asks_for_someone("Who is our Customer Experience Lead?") == "person"
    assert asks_for_someone("Who leads the wholesale team?") == "person"
    assert asks_for_someone("Which firm is our external accountant?") == "organisation"
    for question in ("Who can see the monthly numbers?", "Who do we serve?",
                     "Who takes part in the co-branded seasonal blend programme?",
                     "Which Slack channel do I join?", "Which roles are we hiring for?"):
        assert asks_for_someone(question) == ""


def test_describing_instead_of_naming_names_no_one(sample_kb: KnowledgeBase) -> None:
    """Spent blind-qa3 rows: the model described the role the question named, and a quote
    gave a channel for "Who leads …?". A name, a new role or an acronym names someone."""
    q = "Who is the support contact for benefits questions?"
    assert not names_someone(q, "The support contact for benefits questions is the support "
                                "contact [S1].", sample_kb)
    assert not names_someone("Who leads the Project Leadership Collective?",
                             "Project Leadership Collective (Join the Slack channel #c-pl)",
                             sample_kb)
    assert names_someone("Who is our Customer Experience Lead?",
                         "Our Customer Experience Lead is Sam Rivera [S1].", sample_kb)
    assert names_someone("Who was in charge?", "The TTSC director was [S1].", sample_kb)
    assert names_someone("Who was CoE's first partner?", "It was OPM [S1].", sample_kb)
    firm = "Which firm is our external accountant?"
    assert not names_someone(firm, "The external accountant is the one who closes the year "
                                   "[S1].", sample_kb)
    assert names_someone(firm, "Our external accountant is Baker Newman [S1].", sample_kb)
    assert names_someone("Why do we roast small?", "Quality [S1].", sample_kb)  # asks no one
    assert non_answer(firm, "The external accountant closes the year [S1].", sample_kb) == (
        "it names no one")


def test_scripted_answer_that_names_no_one_is_not_passed_on(sample_kb: KnowledgeBase) -> None:
    """The scripted model describes instead of naming, twice: what Keel shows names someone
    (a quote naming a person) or says "not covered"; never the description."""
    answer = _ask(sample_kb, "Who is our Head of Finance?",
                  "The Head of Finance is the person who runs finance [S1].",
                  "The Head of Finance runs the monthly close [S1].")
    assert "person who runs finance" not in answer.answer
    assert "runs the monthly close" not in answer.answer
    assert not answer.covered or (answer.quoted and "Lena Fischer" in answer.answer)


def test_scripted_answer_naming_someone_only_inside_its_quote_is_not_passed_on(
        sample_kb: KnowledgeBase) -> None:
    """The scripted model restates the role and quotes a passage line full of capitals: the
    quote names no one the answer gives; what Keel shows is a quote or "not covered"."""
    answer = _ask(sample_kb, "Who is our Head of Finance?",
                  'The Head of Finance is our Head of Finance, as "Finance Manager Runs The '
                  'Open Books Review" says [S1].',
                  "The Head of Finance runs the monthly close [S1].")
    assert "is our Head of Finance" not in answer.answer
    assert not answer.covered or (answer.quoted and "Lena Fischer" in answer.answer)


def test_a_name_outside_the_quote_still_names_someone(sample_kb: KnowledgeBase) -> None:
    from assistant.knowledge.claims import non_answer
    assert non_answer("Who is our Head of Finance?",
                      'Lena Fischer, as "Team: Finance Manager" says [S1].', sample_kb) == ""
