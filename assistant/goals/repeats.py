"""One commitment, once: drafted objectives and KRs that repeat an earlier line are removed.

The local model, asked for three objectives, often writes the second as a copy of the first
(same title, same KRs), and repair rounds asking for "a different objective" gave the copy
back (eval, session 27 code: 3 of 8 drafts still held a whole copied objective after two
rounds, 5 of 8 some repeated line). A copy adds nothing,
so code removes it instead of asking again: an objective whose title and every KR repeat
earlier lines of the set (lint A4's sameness: content-word stems and numbers), before the
problems are listed, and — once repair is over — any KR still repeating an earlier line. Each
removal is written in the set's notes; an objective whose title alone repeats stays for the
model to rename.
"""

from __future__ import annotations

from assistant.core.schemas import OKRSet
from assistant.goals.draft_model import DraftObjective, DraftOKRs
from assistant.goals.lint import RepeatKey, repeat_key

__all__ = ["without_copied_objectives", "without_repeated_krs"]


def _remember(seen: dict[RepeatKey, str], text: str, where: str) -> None:
    if (key := repeat_key(text)) is not None:
        seen.setdefault(key, where)


def _earlier(seen: dict[RepeatKey, str], text: str) -> str | None:
    key = repeat_key(text)
    return seen.get(key) if key is not None else None


def without_copied_objectives(draft: DraftOKRs) -> tuple[DraftOKRs, list[str]]:
    """The draft without objectives that copy earlier lines whole, and a note for each."""
    seen: dict[RepeatKey, str] = {}
    kept: list[DraftObjective] = []
    notes: list[str] = []
    for n, objective in enumerate(draft.objectives, 1):
        first = _earlier(seen, objective.title)
        copied = first is not None and all(
            _earlier(seen, kr.statement) is not None for kr in objective.key_results)
        if copied and kept:
            notes.append(f"Objective {n} (“{objective.title[:80]}”) and its key results "
                         f"repeated {first}; removed.")
            continue
        kept.append(objective)
        _remember(seen, objective.title, f"objective {n}")
        for m, kr in enumerate(objective.key_results, 1):
            _remember(seen, kr.statement, f"objective {n}, KR {m}")
    if not notes:
        return draft, []
    return DraftOKRs.model_validate({"objectives": [o.model_dump() for o in kept]}), notes


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
