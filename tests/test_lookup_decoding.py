"""Prompt-lookup guesses (`llm/lookup_decoding.RecentLookup`): plain token arithmetic, no model."""

from __future__ import annotations

import numpy as np

from assistant.llm.lookup_decoding import RecentLookup


def _guess(look: RecentLookup, ids: list[int]) -> list[int]:
    return [int(t) for t in look(np.array(ids, dtype=np.intc))]


def test_the_most_recent_occurrence_of_the_longest_suffix_is_continued() -> None:
    look = RecentLookup(num_pred=3, max_ngram=4, min_ngram=2)
    # suffix (7, 8, 9) occurs twice; the later occurrence is followed by 4, 5, 6
    ids = [7, 8, 9, 1, 2, 3, 0, 7, 8, 9, 4, 5, 6, 0, 7, 8, 9]
    assert _guess(look, ids) == [4, 5, 6]
    # a longer suffix wins over a more recent shorter one: (1, 7, 8) only after the first 1
    assert _guess(look, [1, 7, 8, 2, 3, 9, 7, 8, 4, 1, 7, 8]) == [2, 3, 9]


def test_no_guess_from_a_match_shorter_than_min_ngram() -> None:
    look = RecentLookup(num_pred=4, max_ngram=6, min_ngram=3)
    assert _guess(look, [5, 6, 1, 2, 9, 9, 5, 6]) == []  # only a two-token match
    assert _guess(look, [3]) == []


def test_a_guess_stops_at_num_pred_and_at_the_end_of_the_text() -> None:
    look = RecentLookup(num_pred=2, max_ngram=3, min_ngram=3)
    assert _guess(look, [1, 2, 3, 4, 5, 6, 1, 2, 3]) == [4, 5]
    long = RecentLookup(num_pred=10, max_ngram=3, min_ngram=3)
    # the only earlier occurrence is followed by 4 and then the suffix itself
    assert _guess(long, [1, 2, 3, 4, 1, 2, 3]) == [4, 1, 2, 3]
