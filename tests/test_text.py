"""The shared text helpers: one sentence splitter, Snowball stems, numbers as written."""

from __future__ import annotations

from assistant.core.text import content_stems, numbers_in, split_sentences, stem


def test_sentences_end_at_stops_not_at_abbreviations_or_decimals() -> None:
    text = "We roast e.g. Ethiopian lots. Churn is 6.8%\nnow! Dr. Reyes leads it? Yes."
    assert split_sentences(text) == ["We roast e.g. Ethiopian lots.", "Churn is 6.8% now!",
                                     "Dr. Reyes leads it?", "Yes."]


def test_lines_and_semicolons_end_sentences_when_asked() -> None:
    text = "No discount deeper than 15%; no free shipping.\n- Grow retail\n2. Hire a roaster"
    assert split_sentences(text)[0] == "No discount deeper than 15%; no free shipping."
    assert split_sentences(text, lines=True, semicolons=True) == [
        "No discount deeper than 15%;", "no free shipping.", "Grow retail", "Hire a roaster"]
    assert split_sentences("  \n\n ") == []


def test_stems_join_inflections_and_drop_stop_words() -> None:
    assert stem("discounts") == stem("discount") == stem("discounted")
    assert content_stems("We will not open a third café") == {"open", "third", "café"}
    assert content_stems("Subscribers subscribing") == {stem("subscribers"), "subscrib"}


def test_numbers_as_written() -> None:
    assert numbers_in("From 2,410 to $3.25, 6.8% churn, four cafés, no one else") == {
        2410.0, 3.25, 6.8, 4.0}
    # a decimal without its leading zero (a real OKR page: "a location factor of .65"), not
    # the tail of a version or of another number
    assert numbers_in("a location factor of .65 or below") == {0.65}
    assert numbers_in("v1.65 and FY21.5") == set()


def test_words_that_may_name_a_thing() -> None:
    """Nouns and unknown words (names) may name a topic; words that are only verbs, adverbs
    or adjectives phrase the question; gerunds and ordinals count."""
    from assistant.core.text import may_name

    for word in ("warranty", "vacation", "tiktok", "sidama", "parking", "third", "aim"):
        assert may_name(word), word
    for word in ("describe", "soon", "put", "ahead", "earn"):
        assert not may_name(word), word
