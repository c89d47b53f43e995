"""Issue 25: what code decides about a grounded answer. The scripted model only drives the code
paths (a decline, a wrong "Yes"); these tests prove no judgement of the local model."""

import pytest

from assistant.knowledge.answer_checks import asked_head, is_yes_no, unmentioned
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.polarity import evidence_polarity, stated_polarity
from assistant.knowledge.qa import answer_question, quote_in_chunk
from assistant.llm.client import LLM
from assistant.llm.fake_model import ScriptedChatModel


def _ask(kb: KnowledgeBase, question: str, *replies: str) -> tuple:
    model = ScriptedChatModel(replies=list(replies))
    return answer_question(question, kb, LLM(kb.settings, chat_model=model)), model


def _quotes_are_real(kb: KnowledgeBase, answer) -> bool:
    chunks = kb.get_chunks([c.chunk_id for c in answer.citations])
    return bool(answer.citations) and all(
        quote_in_chunk(c.quote, chunks[c.chunk_id].text) for c in answer.citations)


def test_scripted_decline_of_an_answered_question_is_asked_again_with_the_best_passages(
        sample_kb: KnowledgeBase) -> None:
    answer, model = _ask(sample_kb, "What is our monthly subscriber churn?",
                         "NOT COVERED", "Monthly subscriber churn is 6.8% [S1].")
    assert model.calls == 2 and answer.covered and not answer.quoted
    assert "6.8%" in answer.answer and _quotes_are_real(sample_kb, answer)


def test_scripted_second_decline_gets_the_closest_sentence_quoted_and_marked(
        sample_kb: KnowledgeBase) -> None:
    answer, model = _ask(sample_kb, "What is our monthly subscriber churn?", "NOT COVERED")
    assert model.calls == 2 and answer.covered and answer.quoted
    assert answer.answer.startswith("Your documents say") and "6.8%" in answer.answer
    assert not any("moved" in w for w in answer.warnings)
    assert _quotes_are_real(sample_kb, answer)
    assert any("quotes the closest sentence" in w for w in answer.warnings)


def test_scripted_decline_of_something_the_documents_never_mention_stays_not_covered(
        sample_kb: KnowledgeBase) -> None:
    answer, model = _ask(sample_kb, "What is the dog policy in our cafés?", "NOT COVERED")
    assert not answer.covered and model.calls == 1
    assert "never mention ‘dog’" in answer.answer


def test_scripted_invented_answer_about_something_never_mentioned_becomes_not_covered(
        sample_kb: KnowledgeBase) -> None:
    answer, _ = _ask(sample_kb, "How many vacation days do our roasters get?",
                     "Roasters get 25 vacation days a year [S1].")
    assert not answer.covered and "‘vacation’" in answer.answer


def test_scripted_answer_using_words_the_documents_lack_but_citing_the_rest_is_kept(
        sample_kb: KnowledgeBase) -> None:
    answer, _ = _ask(sample_kb, "Do we ship coffee to Canada?",
                     "We will not ship outside the United States [S1].")
    assert answer.covered and not answer.quoted


@pytest.mark.parametrize(("question", "reply", "expected"), [
    ("Can we open a third café?", "Yes, a third café is planned [S1].", "third café"),
    ("Can we sell to an independent grocer that has five stores?", "Yes, that is fine [S1].",
     "three stores"),
])
def test_scripted_yes_that_the_evidence_contradicts_is_replaced_by_the_sentence(
        sample_kb: KnowledgeBase, question: str, reply: str, expected: str) -> None:
    answer, _ = _ask(sample_kb, question, reply)
    assert answer.covered and answer.quoted and not answer.answer.startswith("Yes")
    assert expected in answer.answer and _quotes_are_real(sample_kb, answer)
    assert any("contradicts" in w for w in answer.warnings)


def test_scripted_no_that_the_evidence_supports_is_kept(sample_kb: KnowledgeBase) -> None:
    answer, _ = _ask(sample_kb, "Can we open a third café?",
                     "No: we will not open a third café until the end of 2028 [S1].")
    assert answer.covered and not answer.quoted and answer.answer.startswith("No")


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("Do we ship to Canada?", "We will not ship coffee to Canada or abroad.", "no"),
    ("Do we roast batches larger than 30 kg?", "We roast in small batches of at most 30 kg.",
     "no"),
    ("Is a 20% discount allowed?", "No discount deeper than 15% off list.", "no"),
    ("Is a 10% discount allowed?", "No discount deeper than 15% off list.", None),
    ("Do subscribers get a discount?", "No discount deeper than 15% off list.", None),
    ("Do 18F and CoE do everything the same way?", "No.", "no"),
    ("Do we publish the price we paid?", "We publish the price we paid.", None),
    ("Don't we ship to Canada?", "We will not ship to Canada.", None),
    # a quality stated by its opposite (spent blind-qa3: "easy" was never written)
    ("Is the referral invite link easy to find?",
     "Referral programme is hard to find: the invite link is buried in the account page.", "no"),
    ("Is the referral invite link hard to find?",
     "Referral programme is hard to find: the invite link is buried in the account page.", None),
    # a value compared with the question's (spent blind-qa4: "Yes" to "below 38%?" at 39.5%)
    ("Is our wholesale gross margin below 38% today?",
     "| Wholesale gross margin | 39.5% | finance, monthly close |", "no"),
    ("Is our wholesale gross margin above 38% today?",
     "| Wholesale gross margin | 39.5% | finance, monthly close |", "yes"),
    ("Have we lost more than five partner cafés in 2026?",
     "| Partner cafés lost in 2026 so far | 3 | CRM |", "no"),
    ("Does the monthly close take more than ten working days?",
     "The monthly close takes 12 working days, so the meeting shows numbers six weeks old.",
     "yes"),
    ("Is our operating margin above 10%?", "| Gross margin, all channels | 52% | close |", None),
    ("Is our margin above 10% or below 5%?", "| Operating margin | 6.1% | close |", None),
    # what the sentence turns down (spent blind-qa10: "Yes" to "… on price?")
    ("Do we try to win café wholesale on price?", "Keep wholesale profitable by winning on "
     "service rather than price: barista training and equipment support.", "no"),
    ("Do we try to win café wholesale on service?", "Keep wholesale profitable by winning on "
     "service rather than price: barista training and equipment support.", None),
    ("Do we grow subscribers through referrals rather than paid advertising?",
     "Mainly through referrals and gifting rather than paid advertising.", None),
    ("Are some roles still paid below the Maine livable wage?",  # another subject
     "Mainly through referrals and gifting rather than paid advertising.", None),
    # a count stated differently (spent blind-qa11: "five AMAs?" where the page says three)
    ("Does the committee aim to run five AMAs?", "Key Result: Run 3 AMAs with folks from our "
     "ecosystem", "no"),
    ("Does the committee aim to run three AMAs?", "Key Result: Run 3 AMAs with folks from our "
     "ecosystem", None),  # the same count: code does not say yes
    ("Do we run four cupping sessions a month?", "We run four cupping sessions and two "
     "barista classes a month.", None),
    ("Do we plan six farm stories?", "Publish 3 farm stories and 2 videos; stories take a "
     "week each.", "no"),
    ("Do we aim for a 50% share of revenue online?", "Online share of revenue: 27% → 40%.",
     None),  # a percentage: current and target values of one measure are not read
    ("Do we run more than five AMAs?", "Run 3 AMAs with folks from our ecosystem", "no"),
    # a table row's own priority cell (spent blind-qa11, qa12 and qa14 rows answered "Yes")
    ("Is the streaming API a P0 priority for the cluster team?",
     "|  Streaming API for the cluster team | P3 |  |  |", "no"),
    ("Is the streaming API a P0 priority for the cluster team?",
     "|  Streaming API for the cluster team | **P0** | Hector |", "yes"),
    ("Is the streaming API a P0 priority for the cluster team?",
     "The streaming API for the cluster team moved from P0 to P3.", None),  # prose: not read
])
def test_evidence_polarity_decides_only_plain_cases(question, sentence, expected) -> None:
    assert evidence_polarity(question, sentence) == expected


def test_yes_no_questions_and_stated_polarity() -> None:
    assert is_yes_no("Can we open a third café?") and is_yes_no("Does 18F use open source?")
    assert not is_yes_no("What is our churn?") and not is_yes_no("How do we ship?")
    assert stated_polarity("No: never. [S1]") == "no" and stated_polarity("Yes.") == "yes"
    assert stated_polarity("Nothing here") is None and stated_polarity("Churn is 6%") is None


def test_unmentioned_words_ignore_asking_words_and_match_word_families(
        sample_kb: KnowledgeBase) -> None:
    assert unmentioned("What is the dog policy in our cafés?", sample_kb)[0] == "dog"
    assert unmentioned("How many subscribers do we have today?", sample_kb) == []
    assert unmentioned("What is the financial health of the roastery?", sample_kb) == [
        "health"]  # "financial" is mentioned by "finance"
    # a quality the documents state by its opposite ("hard to find") is mentioned
    assert unmentioned("Is the referral invite link easy to find?", sample_kb) == []
    # a fixed phrase names nothing ("as well as": no "well" in the documents; spent blind-qa10)
    assert unmentioned("Do we sell subscriptions as well as wholesale?", sample_kb) == []
    assert "well" in unmentioned("Do we dig a well at the roastery?", sample_kb)
    # a word naming the kind of value asked for, which pages write as "%" or a bare number
    # (spent blind-qa15 and blind-qa6 declined on ‘percentage’ and ‘figures’)
    assert unmentioned("By what percentage do we want to cut churn?", sample_kb) == []
    # a number word is a value, not a topic (spent blind-qa4: declined on ‘ten’)
    assert unmentioned("Does the monthly close take more than ten working days?",
                       sample_kb) == []
    # a fraction is a value too, and an irregular form meets the documents' one (spent
    # blind-qa6: declined on ‘tenth’ and on "become" where the documents say "became")
    assert unmentioned("Do referrals bring more than a tenth of our new subscribers?",
                       sample_kb) == []
    assert unmentioned("What drove the most shared posts?", sample_kb) == []  # "drive"
    # "key result" where the page writes "KR1", "able" in "be able to" (spent blind-qa7)
    assert unmentioned("Who owns the key result on gift subscriptions?", sample_kb) == []
    assert unmentioned("Are we able to pause subscriptions?", sample_kb) == []
    # words that only phrase a question — a verb, an adverb, a negated quality — name no
    # topic (spent blind-qa8: declined on ‘describe’, ‘soon’, ‘put’, ‘ahead’, ‘uncrowded’);
    # a noun still does, and so does a gerund ("the parking policy")
    assert unmentioned("How does the strategy describe café wholesale?", sample_kb) == []
    assert unmentioned("Does the strategy put acquisition ahead of retention?", sample_kb) == []
    assert unmentioned("Does the strategy call café wholesale an uncrowded market?",
                       sample_kb) == []
    assert unmentioned("How soon after roasting do we ship, according to the plan?",
                       sample_kb) == []
    assert unmentioned("Does the strategy describe a parking policy?", sample_kb) == [
        "parking", "policy"]
    # a word the documents spell the other way (spent blind-qa9: "favour" / "favor")
    from assistant.knowledge.answer_checks import _other_spellings, _spelled_otherwise
    assert _spelled_otherwise("favour", frozenset({"favor"}))
    assert not _spelled_otherwise("favour", frozenset({"flavour"}))
    assert {"favor"} <= _other_spellings("favour") and "program" in _other_spellings(
        "programme") and "centre" in _other_spellings("center")
    # words about wording name nothing (spent blind-qa9: declined on ‘word’); the word
    # asked about still must be there
    assert unmentioned("Do we use the word wholesale to mean a roast?", sample_kb) == []
    assert unmentioned("Do we use the word hackathon to mean a batch?", sample_kb) == [
        "hackathon"]
    # a when-question's verb is the event it asks about (spent blind-qa2: "founded in 2026")
    assert unmentioned("When was Tidewater founded?", sample_kb) == ["founded"]
    # an ordinal names which one; only a fraction is a value ("a tenth", not "third partner")
    from assistant.knowledge.answer_checks import _fraction
    assert _fraction("tenth", "more than a tenth of them?") and _fraction("half", "half of it")
    assert not _fraction("third", "Which agency was CoE's third partner?")


@pytest.mark.parametrize(("question", "head"), [
    ("How long is the warranty on the new roaster?", "warranty"),
    ("Which accounting system holds our revenue figures?", "accounting"),
    ("Who heads the wholesale team?", "heads"),
    ("What is the maximum batch size we roast?", ""),  # a measure names no topic
    ("What share of bags ship within 72 hours?", ""),
    ("Is churn above 5%?", ""),  # yes/no: no asked-about word
])
def test_the_word_a_question_asks_about(question: str, head: str) -> None:
    assert asked_head(question) == head


def test_scripted_answer_whose_asked_about_word_is_never_mentioned_is_not_covered(
        sample_kb: KnowledgeBase) -> None:
    """The cited sentence holds the rest ("the new roaster"), but the question asks about a
    warranty the documents never mention (spent blind-qa6: "2 years" was kept)."""
    answer, _ = _ask(sample_kb, "How long is the warranty on the new roaster?",
                     "The new 60 kg-per-hour roaster has a two-year warranty [S1].")
    assert not answer.covered and "never mention ‘warranty’" in answer.answer


def test_scripted_citation_is_moved_to_the_one_passage_holding_its_numbers(
        sample_kb: KnowledgeBase) -> None:
    question = "How many active subscribers do we have now?"
    hits = [h for h in sample_kb.search(question)
            if h.score >= sample_kb.settings.min_relevance]
    holders = [i for i, h in enumerate(hits) if "2,410" in h.text]
    assert len(holders) == 1  # the sample's marketing metrics table
    wrong = next(i for i, h in enumerate(hits) if "2,410" not in h.text)
    answer, _ = _ask(sample_kb, question,
                     f"According to document S{wrong + 1}, we have 2,410 active subscribers.")
    assert [c.chunk_id for c in answer.citations] == [hits[holders[0]].chunk_id]
    assert f"[S{holders[0] + 1}]" in answer.answer and _quotes_are_real(sample_kb, answer)
    assert any("moved 1 citation" in w for w in answer.warnings)


def test_a_negating_heading_negates_the_list_under_it_only() -> None:
    heading = "Annual plan 2027 > What is not funded in 2027"
    listed = "A third café, a mobile coffee cart, a capsule line, and trade-show booths."
    assert evidence_polarity("Is a mobile coffee cart funded?", listed, heading) == "no"
    assert evidence_polarity("Is a mobile coffee cart funded?", listed, "Plans") is None
    assert evidence_polarity("Do subscribers get a fixed discount?",
                             "Subscribers get a fixed 10%.", "No deep discounting") is None


def test_scripted_answer_with_a_number_the_passages_tie_to_something_else_is_not_covered(
        sample_kb: KnowledgeBase) -> None:
    answer, _ = _ask(sample_kb, "How many baristas work in our cafés?",
                     "We have 41 baristas [S1].")
    assert not answer.covered and "no number" in answer.answer


def test_scripted_answer_with_the_number_stated_for_the_question_is_kept(
        sample_kb: KnowledgeBase) -> None:
    answer, _ = _ask(sample_kb, "How many partner cafés do we work with?",
                     "We work with 104 partner cafés [S1].")
    assert answer.covered and "104" in answer.answer


def test_scripted_money_read_from_a_quantity_of_another_unit_is_not_covered(
        sample_kb: KnowledgeBase) -> None:
    """Scripted model (drives qa only; a dev row's reply): "$41" from "41 kg per month"."""
    answer, _ = _ask(sample_kb, "What is our average order value?",
                     'The average order value is $41 kg per month, as shown in the "Sales '
                     '(wholesale)" section of the document [S6].')
    assert not answer.covered and "no number" in answer.answer
    from assistant.knowledge.answer_checks import _money, _unitless
    assert _money("It is $41 [S1].") == {41.0} and _unitless("| Budget | 41 |") == {41.0}
    assert _unitless("41 kg per month") == set()


def test_scripted_citation_moves_to_the_passage_the_words_point_to(
        sample_kb: KnowledgeBase) -> None:
    """Scripted model (drives qa only; a dev row's reply): "41 kg per month" stands in three
    retrieved passages; the sentence's words point to the sales metrics table."""
    answer, _ = _ask(sample_kb, "What is the average wholesale volume per café?",
                     "The average wholesale volume per café is 41 kg per month, as shown in "
                     "the table [S2].")
    assert answer.covered and "41 kg" in answer.citations[0].quote
    assert answer.citations[0].section.endswith("Current metrics (October 2026)")


def test_scripted_marker_after_the_full_stop_cites_that_sentence(sample_kb: KnowledgeBase
                                                                  ) -> None:
    """"… cafés. [S1]": the sentence before the marker is the claim (its quote and its
    numbers), not the empty text after the full stop."""
    question = "How many partner cafés do we work with?"
    hits = [h for h in sample_kb.search(question)
            if h.score >= sample_kb.settings.min_relevance]
    holder = next(i for i, h in enumerate(hits) if "| 104 |" in h.text)
    wrong = next(i for i, h in enumerate(hits) if "104" not in h.text)
    answer, _ = _ask(sample_kb, question, f"We work with 104 partner cafés. [S{wrong + 1}]")
    assert answer.covered and [c.chunk_id for c in answer.citations] == [hits[holder].chunk_id]
    assert "104" in answer.citations[0].quote


def test_scripted_list_of_section_names_is_cited_to_their_passages(
        sample_kb: KnowledgeBase) -> None:
    """The model listed the values' names without a marker (the third attack set's blind run:
    six answers Keel could not cite); each line that is a retrieved passage's heading is cited
    to that passage."""
    answer, _ = _ask(sample_kb, "What are our values?",
                     "Our values are:\n1. Regulars first\n2. Craft over scale\n3. Open books")
    assert answer.covered and len(answer.citations) >= 2
    assert "Regulars first [S" in answer.answer and _quotes_are_real(sample_kb, answer)
    assert any("naming its heading" in w for w in answer.warnings)


def test_a_sentence_holds_a_questions_word_in_an_irregular_form() -> None:
    from assistant.knowledge.answer_checks import held, naming_stems

    wanted = naming_stems("How much did the team grow in those months?")
    assert held(wanted, "We grew 10x in the following 18 months!") == 2  # grow, month


def test_a_key_result_is_held_by_the_abbreviation_a_page_writes() -> None:
    """"Who owns the churn key result?" of "KR2: Reduce monthly subscriber churn … Owner: …"
    (spent blind-qa8: the owner's name was dropped as tied to nothing). A bare "Q" is a
    letter, not a quarter."""
    from assistant.knowledge.answer_checks import held, naming_stems
    from assistant.knowledge.vocabulary import spelled_out

    wanted = naming_stems("Who owns the churn key result?")
    assert held(wanted, "KR2: Reduce monthly subscriber churn from 7.4% to 6.0%.") == 3
    assert held(wanted, "Reduce monthly subscriber churn from 7.4% to 6.0%.") == 1
    assert spelled_out("KR2 and FY24 in Q4") == "key result fiscal year quarter"
    assert spelled_out("Press Q to quit; QA is not a quarter") == ""


def test_scripted_plural_spelled_markers_become_citations(sample_kb: KnowledgeBase) -> None:
    """"As documents S1 and S2 say" (spent blind4 attack run: the answer named its sources so,
    nothing was cited and it was abandoned). Scripted model: drives the reader only."""
    answer, _ = _ask(sample_kb, "What are our values?",
                     "As documents S1 and S2 say, our values include Regulars first and Open "
                     "books.")
    assert answer.covered and answer.citations and "documents S1" not in answer.answer


@pytest.mark.parametrize(("question", "answer", "passage", "expected"), [
    # a current figure asked, a target given (spent blind-qa11 rows)
    ("How many members does the committee have today?", "The committee has 5 members today.",
     "Key Result: Add and retain 5 members to the committee from new backgrounds", True),
    ("How many case studies did the repository hold at the start of 2025?",
     "It held 20 case studies [S1].", "Key result: 20 case studies added to our repository by "
     "end 2025", True),
    # "from X to Y": X is where things stand
    ("How many active subscribers do we have today?", "2,410 [S1].",
     "Raise active subscribers from 2,410 to 2,900.", False),
    ("How many active subscribers do we have today?", "2,900 [S1].",
     "Raise active subscribers from 2,410 to 2,900.", True),
    ("What is our current churn?", "Churn is 6.8% [S1].",
     "| Monthly churn | 6.8% | subscription platform, monthly |", False),
    ("How many views do the articles get now?", "125k views [S1].",
     "Key Result: 200k views per 30 days of articles (current is 125k)", False),
    # the question does not ask where things stand: not read
    ("How many members does the committee aim to add?", "5 members [S1].",
     "Key Result: Add and retain 5 members to the committee", False),
])
def test_a_target_is_not_given_as_a_current_figure(question: str, answer: str, passage: str,
                                                   expected: bool) -> None:
    from assistant.knowledge.base import SearchHit
    from assistant.knowledge.targets import target_only

    hit = SearchHit(chunk_id="c1", doc_id="okrs.md", title="OKRs", kind="okrs",
                    section="OKRs", text=passage, score=0.8)
    found = target_only(question, answer, [hit])
    assert (found is not None) == expected
    if expected:
        assert found and found in " ".join(passage.split())


def test_scripted_target_given_for_a_current_figure_becomes_not_covered(
        sample_kb: KnowledgeBase) -> None:
    """The scripted model answers "today" with the KR's target; code declines and says the
    documents state a target. The figure that stands now passes."""
    answer, _ = _ask(sample_kb, "How many active subscribers do we have today?",
                     "We have 2,600 active subscribers today [S1].")
    assert not answer.covered and "a target, not a current figure" in answer.answer
    assert "2,600" in answer.answer  # the target's sentence is shown
    kept, _ = _ask(sample_kb, "How many active subscribers do we have today?",
                   "We have 2,410 active subscribers [S1].")
    assert kept.covered and "2,410" in kept.answer


def test_scripted_decline_of_a_yes_no_question_a_close_sentence_decides_is_quoted(
        sample_kb: KnowledgeBase) -> None:
    """The scripted model declines a yes/no question whose count the documents state
    differently, and no sentence holds enough of its words to be quoted as an answer: the
    sentence code reads as "no" is quoted, marked as such."""
    question = "Does the marketing team plan to publish six farm stories this quarter?"
    answer, model = _ask(sample_kb, question, "NOT COVERED")
    assert model.calls == 1 and answer.covered and answer.quoted
    assert "3 farm stories" in answer.answer and _quotes_are_real(sample_kb, answer)
    assert any("decides it" in w for w in answer.warnings)


def test_a_unit_written_against_its_number_is_a_word_the_pages_use(tmp_path) -> None:
    """Spent blind-qa12: "they never mention ‘tib’" of a page writing "1TiB"."""
    from assistant.core.config import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "okrs.md").write_text("# Package OKRs\n\nIPFS can add a large repository (1TiB) in "
                                  "3 hours and syncs at 10MiB/s; each add takes a night.\n",
                                  encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", workspace="glued", llm_provider="fake",
                        embeddings_provider="fake")
    with KnowledgeBase(settings) as kb:
        kb.index([docs])
        assert unmentioned("How long does adding a 1 TiB repository take?", kb) == []
        assert unmentioned("How many MiB does IPFS sync?", kb) == []
        assert unmentioned("How many petabytes does it add?", kb) == ["petabytes"]
        # a value the question states is no topic; a year the pages never name still is
        # (spent blind-qa13: "never mention ‘150’" of "a retention of 150%?")
        assert unmentioned("Does IPFS add a 150 TiB repository?", kb) == []
        assert unmentioned("How long did adding a repository take in 2019?", kb) == ["2019"]


def test_of_several_targets_the_one_about_the_question_is_quoted() -> None:
    """Spent blind-qa12: a decline quoted "Run 3 AMAs" for active contributors."""
    from assistant.knowledge.base import SearchHit
    from assistant.knowledge.targets import target_only

    text = ("* **Key Result:** Run 3 AMAs with folks from our ecosystem\n"
            "* **Key Result:** Increase number of total active contributors by 3%\n")
    hit = SearchHit(chunk_id="c1", doc_id="okrs.md", title="OKRs", kind="okrs",
                    section="OKRs", text=text, score=0.8)
    found = target_only("How many active contributors does the project have today?",
                        "It has 3% more active contributors [S1].", [hit])
    assert found is not None and "active contributors" in found


def test_a_sentence_decides_a_yes_no_question_only_when_it_is_about_what_is_asked(
        sample_kb: KnowledgeBase) -> None:
    """Sharing the page's subject is not enough: the sentence must hold one of the question's
    rarest naming words (spent blind-qa12 overturned a right "Yes" with such a sentence)."""
    from assistant.knowledge.qa import _about

    about = _about("Do subscribers get a loyalty programme?", sample_kb)
    assert about("Subscribers get a fixed 10% and that is our loyalty programme.", "")
    assert not about("We will not compete on price.", "No deep discounting")


@pytest.mark.parametrize(("text", "expected"), [
    ("Churn is 6.8%. This can be found in [S2] and [S3].", "Churn is 6.8% [S2, S3]."),
    ("The budget is $65,000 [S1]. This is stated in [S1] and [S2].", "The budget is $65,000 [S1]."),
    # not plain pointers: a quoted heading, a "which" clause, a number, the only sentence
    ('Yes, we hire two. This is stated in [S4] under "Build team".', None),
    ("It has 3 posts [S1]. This is stated in [S2], which can be found at [S2].", None),
    ("Churn is 6.8% [S1]. It is found in the October 2026 section [S2].", None),
    ("This can be found in [S2].", None),
])
def test_a_sentence_that_only_points_at_a_passage_becomes_a_citation(text: str,
                                                                     expected: str | None
                                                                     ) -> None:
    from assistant.knowledge.pointers import fold_pointers

    folded, count = fold_pointers(text)
    assert (folded, count) == ((expected, 1) if expected else (text, 0))


def test_where_a_passage_stands_includes_its_documents_title_and_file_name() -> None:
    """Spent blind-qa13: "nothing for the year it asks about" of an FY21-Q1 question whose
    passages say FY21 only in the file's name."""
    from assistant.knowledge.answer_checks import where
    from assistant.knowledge.base import SearchHit
    from assistant.knowledge.times import years_held

    hit = SearchHit(chunk_id="c", doc_id="gitlab-fy21-q1-okrs.md", title="FY21-Q1 OKRs",
                    kind="okrs", section="On this page > 1. CEO: IACV",
                    text="Engineering Fellow KR: Review 100 merge requests.", score=0.8)
    assert where(hit) == "On this page > 1. CEO: IACV FY21-Q1 OKRs gitlab fy21 q1 okrs"
    question = "How many merge requests does GitLab's Engineering Fellow review in FY21-Q1?"
    assert not years_held(question, f"{hit.section} {hit.text}")
    assert years_held(question, f"{where(hit)} {hit.text}")


@pytest.mark.parametrize(("question", "answer", "expected"), [
    ("How many packages does the mirror hold?", "The mirror holds 1TiB of data [S1].", True),
    ("How many people work on the team?", "100% of the team is trained [S1].", True),
    ("How many articles did they publish in 2020?",
     "They reached 200k views per 30 days of articles in 2020 [S1].", True),
    ("How many people does TTSC employ?", "TTSC has 18F and CoE [S1].", False),  # a name
    ("How many partner cafés are in the pilot?", "The 20 largest partner cafés [S1].", False),
    ("How many kilos an hour can the roaster roast?", "60 kg per hour [S1].", False),
    ("How many help desk tickets do we get per 100 orders?",
     "Tickets per 100 orders: 4.2 [S1].", False),  # a bare number may be the count
    ("How many chapters does 18F have?", "18F has five chapters [S1].", False),
    ("What share of bags ship on time?", "88% [S1].", False),  # not a "how many" question
])
def test_a_count_of_something_else_is_told_from_a_count_of_what_was_asked(
        question: str, answer: str, expected: bool) -> None:
    from assistant.knowledge.counts import counts_otherwise
    assert counts_otherwise(question, answer) is expected


def test_scripted_how_many_answered_with_a_share_is_not_covered(
        sample_kb: KnowledgeBase) -> None:
    answer, _ = _ask(sample_kb, "How many subscribers cancel each month?",
                     "Monthly subscriber churn is 6.8% [S1].")
    assert not answer.covered and "no count of what it asks about" in answer.answer


def test_past_results_at_the_end_of_a_period_and_actual_figures_ask_where_things_stand() -> None:
    from assistant.knowledge.targets import asks_current
    assert asks_current("What was the stages per user figure at the end of FY21-Q1?")
    assert asks_current("How many certifications had they actually completed?")
    assert not asks_current("How many certifications should be completed by the end of Q1?")


@pytest.mark.parametrize(("question", "answer", "expected"), [
    ("What budget does the cluster team have for Q2?", "A budget of 0.4 for Q2 [S1].", True),
    ("What budget does the cluster team have for Q2?", "A budget of $95,000 [S1].", False),
    ("What salary do interns get?", "Interns are paid 20 dollars an hour [S1].", False),
    ("How much is a subscriber who stays 12 months worth?", "Three times as much [S1].",
     False),  # worth need not be money
    ("How many cafés do we serve?", "We serve 104 cafés [S1].", False),  # not a money question
])
def test_a_money_question_answered_without_money_is_told(question: str, answer: str,
                                                         expected: bool) -> None:
    from assistant.knowledge.counts import money_otherwise
    assert money_otherwise(question, answer) is expected
