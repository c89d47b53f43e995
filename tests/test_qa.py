import pytest

from assistant.core.errors import InputError, KnowledgeError
from assistant.core.schemas import GroundedAnswer
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.grounding import attribute
from assistant.knowledge.qa import answer_question, best_quote, quote_in_chunk, stream_answer
from assistant.llm.client import LLM
from assistant.llm.fake_model import ScriptedChatModel


def test_answer_cites_a_real_chunk_with_a_verbatim_quote(sample_kb: KnowledgeBase) -> None:
    answer = answer_question("Will we sell coffee pods or capsules?", sample_kb,
                             LLM(sample_kb.settings))
    assert answer.covered and answer.citations
    cited = sample_kb.get_chunks([c.chunk_id for c in answer.citations])
    for citation in answer.citations:
        assert quote_in_chunk(citation.quote, cited[citation.chunk_id].text)
    assert answer.citations[0].document == "knowledge/non-goals.md"


def test_irrelevant_question_is_not_covered_and_the_model_is_not_asked(
        sample_kb: KnowledgeBase) -> None:
    model = ScriptedChatModel(replies=["invented answer [S1]"])
    answer = answer_question("Who won the football world cup in 1998?", sample_kb,
                             LLM(sample_kb.settings, chat_model=model))
    assert not answer.covered and "do not cover" in answer.answer
    assert model.calls == 0


def test_model_saying_not_covered_is_respected_when_no_sentence_is_close(
        sample_kb: KnowledgeBase) -> None:
    model = ScriptedChatModel(replies=["NOT COVERED"])
    answer = answer_question("Who founded the company and when?", sample_kb,
                             LLM(sample_kb.settings, chat_model=model))
    assert not answer.covered and not answer.citations
    assert model.calls == 1


def test_invented_citations_and_images_are_removed(sample_kb: KnowledgeBase) -> None:
    reply = ("Churn is 6.8% a month [S1]. It was 2% in 1990 [S99]. "
             "![tracker](http://evil.example/x.png) <b>bold</b>")
    answer = answer_question("What is our monthly subscriber churn?", sample_kb,
                             LLM(sample_kb.settings, chat_model=ScriptedChatModel(
                                 replies=[reply])))
    assert "[S99]" not in answer.answer and "http://evil" not in answer.answer
    assert "<b>" not in answer.answer
    assert len(answer.citations) == 1
    assert any("not retrieved" in w for w in answer.warnings)
    assert any("image" in w for w in answer.warnings)


def test_stream_yields_text_then_the_checked_answer(sample_kb: KnowledgeBase) -> None:
    parts = list(stream_answer("What are our values?", sample_kb, LLM(sample_kb.settings)))
    assert all(isinstance(p, str) for p in parts[:-1]) and len(parts) > 2
    assert isinstance(parts[-1], GroundedAnswer) and parts[-1].citations


@pytest.mark.parametrize("question", ["", "   ", "x" * 5000])
def test_bad_questions(sample_kb: KnowledgeBase, question: str) -> None:
    with pytest.raises(InputError):
        answer_question(question, sample_kb, LLM(sample_kb.settings))


def test_empty_workspace_says_what_to_do(settings) -> None:
    with KnowledgeBase(settings) as kb, pytest.raises(KnowledgeError, match="keel --workspace"):
        answer_question("anything?", kb, LLM(settings))


def test_best_quote_is_verbatim_modulo_whitespace() -> None:
    chunk = "We roast in small batches.\nWe cup every batch\nbefore it ships."
    quote = best_quote("every batch is cupped before shipping", chunk)
    assert quote == "We cup every batch before it ships."
    assert quote_in_chunk(quote, chunk) and not quote_in_chunk("We cup nothing.", chunk)


def test_an_uncited_restatement_is_cited_and_said_so(sample_kb: KnowledgeBase) -> None:
    hits = sample_kb.search("Will we sell coffee pods or capsules?")
    sentence = next(s for s in hits[0].text.replace("\n", " ").split(". ") if len(s) > 40)
    reply = f"{sentence}.\nNous ne vendons pas de capsules, c'est une traduction."
    answer = answer_question("Will we sell coffee pods or capsules?", sample_kb,
                             LLM(sample_kb.settings, chat_model=ScriptedChatModel(
                                 replies=[reply])))
    first, second = answer.answer.split("\n")
    assert first.endswith("[S1].") and "[S" not in second
    assert [c.chunk_id for c in answer.citations] == [hits[0].chunk_id]
    assert any("left uncited" in w for w in answer.warnings)


def test_a_sentence_in_other_words_is_not_attributed() -> None:
    passages = ["We roast in small batches and cup every batch before it ships.",
                "Wholesale customers get next-day delivery within the M25."]
    assert attribute("Every batch is cupped before it ships, roasted small.", passages) == 0
    assert attribute("Customers can expect delivery the next day.", passages) == 1
    assert attribute("Customers get free delivery anywhere in Europe.", passages) is None
    assert attribute("Ship it.", passages) is None  # too few words to say anything
    assert attribute("Nous torréfions en petits lots.", passages) is None
