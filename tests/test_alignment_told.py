"""A planned action told in other words (`alignment/told.py`), with the real MiniLM embedder:
the clauses a plan's passage is cut into, and where the dev rows put the bar."""

from assistant.alignment.told import TOLD_AT, action_sentences, planned_clauses, told_again
from assistant.knowledge.base import KnowledgeBase

PRIORITY_3 = ("### Priority 3: Wholesale service programme (Pillar 2)\n\nSign 14 new partner "
              "cafés in Maine, New Hampshire and Massachusetts and lose no more than 4.\nLaunch "
              "the barista training academy (two free sessions a year per partner) and the "
              "48-hour equipment support promise. Budget: $95,000, including a second service "
              "technician.\n")


def test_a_plan_passage_is_cut_into_actions_without_headings_or_budgets() -> None:
    clauses = [c for c, _ in planned_clauses(PRIORITY_3)]
    assert any(c.startswith("Launch the barista training academy") for c in clauses)
    assert not [c for c in clauses if "Budget" in c or c.startswith("#")]
    sentence = dict(planned_clauses(PRIORITY_3))[clauses[0]]
    assert sentence.startswith("Sign 14 new partner cafés")  # the sentence holding the clause
    assert action_sentences("Run a school. Goal: more cafés.") == ["Run a school."]


def test_told_in_other_words_reaches_the_bar_and_a_new_idea_does_not(
        sample_kb: KnowledgeBase) -> None:
    """Dev rows' shapes (the bar was read off them): a barista school twice a year repeats the
    planned academy; a laminated recipe card for cafés is new work."""
    repeat, sentence = told_again(PRIORITY_3, "Run a training school where partner cafés' "
                                  "baristas come twice a year, free of charge. Goal: keep "
                                  "partner cafés.", sample_kb.embedder)
    assert repeat >= TOLD_AT and "barista training academy" in sentence
    new, _ = told_again(PRIORITY_3, "Give each partner café a laminated card with our "
                        "recommended recipe for every seasonal coffee.", sample_kb.embedder)
    assert new < TOLD_AT
    assert told_again("Budget: $95,000.", "Anything at all.", sample_kb.embedder) == (0.0, "")
