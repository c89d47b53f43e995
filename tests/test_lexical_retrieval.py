"""Rare words the embedding missed (`knowledge/lexical.py`): real embeddings and Chroma's real
full-text filter on the bundled company. The scripted-model test only drives `qa` and proves no
judgement about the model."""

from __future__ import annotations

from pathlib import Path

from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.lexical import RESCUES, rare_words, with_rare_words
from assistant.knowledge.qa import answer_question
from assistant.llm.client import LLM
from assistant.llm.fake_model import ScriptedChatModel

DAILY_DEAL = "May we list our coffee on daily-deal sites?"  # spent blind-qa9


def test_a_rare_word_brings_the_passage_that_uses_it(sample_kb: KnowledgeBase) -> None:
    dense = sample_kb.search(DAILY_DEAL)
    assert not any("daily-deal" in h.text for h in dense)  # what the embedding alone misses
    hits = with_rare_words(DAILY_DEAL, sample_kb, dense)
    found = [h for h in hits if "daily-deal" in h.text]
    assert len(hits) == len(dense) and len(found) == 1 and found[0].lexical
    assert found[0].doc_id.endswith("non-goals.md") and hits[-1] is found[0]
    assert hits[:-1] == dense[:-1]  # it takes the last place only


def test_words_that_phrase_a_question_or_are_everyday_are_not_rare(
        sample_kb: KnowledgeBase) -> None:
    # a verb ("came"), a number word, a year and the roaster's everyday words are not rare
    assert rare_words("What share of our revenue came from five cafés in 2025?", sample_kb) == []
    assert "daily" in rare_words(DAILY_DEAL, sample_kb)
    assert rare_words("Do we sell parachutes?", sample_kb) == []  # no chunk uses it at all


def test_a_found_passage_is_not_found_again_and_places_are_capped(
        sample_kb: KnowledgeBase) -> None:
    hits = with_rare_words(DAILY_DEAL, sample_kb, with_rare_words(DAILY_DEAL, sample_kb,
                                                                   sample_kb.search(DAILY_DEAL)))
    assert sum(h.lexical for h in hits) == 1  # once found, not found again
    assert sum(h.lexical for h in with_rare_words(
        "Huila Sidama daily-deal parachutes pods capsules?", sample_kb,
        sample_kb.search("Huila Sidama daily-deal"))) <= RESCUES


def test_scripted_answer_may_cite_the_rare_word_passage(sample_kb: KnowledgeBase) -> None:
    """Scripted model (drives qa only): the passage found by its rare word is shown to the model
    although its cosine score is under the relevance floor, and citing it is a valid answer."""
    model = ScriptedChatModel(replies=["No. We will not list on daily-deal sites [S6]."])
    answer = answer_question(DAILY_DEAL, sample_kb, LLM(sample_kb.settings, chat_model=model))
    shown = model.prompts[0][-1].content
    assert "daily-deal" in str(shown)
    assert answer.covered and answer.citations
    assert answer.citations[0].chunk_id.startswith("knowledge/non-goals.md")


def test_a_goal_verb_is_no_rare_word_even_where_pages_rarely_use_it(
        settings: Settings, tmp_path: Path) -> None:
    """"… aim to certify in MECC?": "aim", used by one page, took the one rescue place from
    "MECC" (spent blind-qa15)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# Goals\n\nWe aim to certify more members this quarter.\n")
    (docs / "b.md").write_text("# MECC\n\nThe MECC course certifies team members.\n")
    (docs / "c.md").write_text("# Members\n\nMembers meet every quarter to certify plans.\n")
    with KnowledgeBase(settings) as kb:
        kb.index([docs])
        found = rare_words("How many members does the team aim to certify in MECC?", kb)
        assert "mecc" in found and "aim" not in found
