"""One commitment, once: drafted objectives and KRs that repeat an earlier line are removed.

The local model, asked for three objectives, often writes the second as a copy of the first
(same title, same KRs), and repair rounds asking for "a different objective" gave the copy
back (eval, session 27 code: 3 of 8 drafts still held a whole copied objective after two
rounds, 5 of 8 some repeated line). A copy adds nothing,
so code removes it instead of asking again: an objective whose title and every KR repeat
earlier lines of the set (lint A4's sameness: content-word stems and numbers), before the
problems are listed, and — once repair is over — any KR still repeating an earlier line. Each
removal is written in the set's notes; an objective whose title alone repeats stays for the
model to rename. A repair round that turns an objective into a copy of another gets the
objective's earlier version back instead (`kept_where_copied`): on the drafting eval of
2026-12-02 a Marketing repair rewrote objective 2 as objective 1, and the set lost an objective.
"""

from __future__ import annotations

from assistant.core.schemas import OKRSet
from assistant.goals.draft_model import DraftOKRs
from assistant.goals.lint import RepeatKey, repeat_key

__all__ = ["copies", "kept_where_copied", "without_copied_objectives",
           "without_repeated_krs"]


def _remember(seen: dict[RepeatKey, str], text: str, where: str) -> None:
    if (key := repeat_key(text)) is not None:
        seen.setdefault(key, where)


def _earlier(seen: dict[RepeatKey, str], text: str) -> str | None:
    key = repeat_key(text)
    return seen.get(key) if key is not None else None


def copies(draft: DraftOKRs) -> dict[int, str]:
    """{index (0-based): the earlier line it repeats} for each objective whose title and every
    KR repeat earlier lines of the set (the first objective is never a copy)."""
    seen: dict[RepeatKey, str] = {}
    found: dict[int, str] = {}
    for n, objective in enumerate(draft.objectives, 1):
        first = _earlier(seen, objective.title)
        if n > 1 and first is not None and all(
                _earlier(seen, kr.statement) is not None for kr in objective.key_results):
            found[n - 1] = first
            continue
        _remember(seen, objective.title, f"objective {n}")
        for m, kr in enumerate(objective.key_results, 1):
            _remember(seen, kr.statement, f"objective {n}, KR {m}")
    return found


def without_copied_objectives(draft: DraftOKRs) -> tuple[DraftOKRs, list[str]]:
    """The draft without objectives that copy earlier lines whole, and a note for each."""
    found = copies(draft)
    if not found:
        return draft, []
    notes = [f"Objective {i + 1} (“{draft.objectives[i].title[:80]}”) and its key results "
             f"repeated {first}; removed." for i, first in found.items()]
    kept = [o for i, o in enumerate(draft.objectives) if i not in found]
    return DraftOKRs.model_validate({"objectives": [o.model_dump() for o in kept]}), notes


def kept_where_copied(before: DraftOKRs, after: DraftOKRs) -> tuple[DraftOKRs, list[str]]:
    """`after` (a repair of `before`) with each objective the repair turned into a copy of
    another put back as it was before, when that version was no copy itself: a repair that
    writes an objective twice would otherwise cost the set an objective."""
    found, earlier = copies(after), copies(before)
    back = [i for i in found if i < len(before.objectives) and i not in earlier]
    if not back:
        return after, []
    objectives = list(after.objectives)
    for i in back:
        objectives[i] = before.objectives[i]
    restored = type(after).model_validate({"objectives": [o.model_dump() for o in objectives]})
    if copies(restored).keys() & set(back):
        return after, []  # the earlier version repeats the repaired ones: no gain
    return restored, [f"Objective {i + 1}'s repair repeated {found[i]}; its earlier version "
                      "is kept." for i in back]


def without_repeated_krs(okrs: OKRSet) -> None:
    """Remove, in place, KRs that repeat an earlier line of the set (an objective left with
    none goes too), noting each in `okrs.notes`."""
    seen: dict[RepeatKey, str] = {}
    objectives = []
    for n, objective in enumerate(okrs.objectives, 1):
        key_results = []  # KRs against KRs: an objective restating one is lint A4's to show
        for m, kr in enumerate(objective.key_results, 1):
            if (first := _earlier(seen, kr.statement)) is not None:
                okrs.notes.append(f"Objective {n}, KR {m} (“{kr.statement[:80]}”) repeated "
                                  f"{first}; removed.")
                continue
            key_results.append(kr)
            _remember(seen, kr.statement, f"objective {n}, KR {m}")
        if key_results:
            objective.key_results = key_results
            objectives.append(objective)
        else:
            okrs.notes.append(f"Objective {n} (“{objective.title[:80]}”) had only repeated key "
                              "results; removed.")
    okrs.objectives = objectives
