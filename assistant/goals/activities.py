"""A "key result" that is an activity without a number is an initiative: code moves it there.

Key results are outcomes with a number; activities belong under them as initiatives (lint K1,
K2, K3: "Turn it into an initiative under a KR that measures its effect"). The local model
still writes some ("Analyze the results of the survey and make necessary improvements"), and a
repair round asking for "the customer or business effect" gave them back (18F's Account
management draft on the drafting eval, 2026-12-02: two such KRs). Once repair is over, such a
KR — no numeric target and a leading activity verb — is moved to its objective's initiatives,
with a note, when the objective keeps at least one key result; an objective of activities
alone is left as it is, for the person to see its K1 errors. The drafting eval counts the
moves (`krs_moved`), so a higher KR pass rate that comes from them is visible as such.
"""

from __future__ import annotations

from assistant.core.schemas import OKRSet
from assistant.goals.lint import activity_verb

__all__ = ["activities_to_initiatives"]


def activities_to_initiatives(okrs: OKRSet) -> int:
    """Move, in place, numberless activity KRs to their objective's initiatives (where a KR
    stays); note each in `okrs.notes`; return how many moved."""
    moved = 0
    for n, objective in enumerate(okrs.objectives, 1):
        activities = [kr for kr in objective.key_results
                      if kr.target is None and activity_verb(kr.statement)]
        if not activities or len(activities) == len(objective.key_results):
            continue
        for kr in activities:
            m = objective.key_results.index(kr) + 1
            okrs.notes.append(f"Objective {n}, KR {m} (“{kr.statement[:80]}”) is an activity "
                              "without a number: moved to the objective's initiatives.")
        objective.key_results = [kr for kr in objective.key_results if kr not in activities]
        objective.initiatives = objective.initiatives + [kr.statement for kr in activities]
        moved += len(activities)
    return moved
