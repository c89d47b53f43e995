"""A KR that cites the wrong passage for its current value is pointed at the right one.

The local model often writes a true current value ("from 2,410") but names a neighbouring
passage as its source, and the grounding check then sends the objective back for a repair round
(about half a minute on two cores; the eval's Marketing and Sales drafts spent one on it).
When exactly one of the draft's passages writes that value on a line naming the KR's metric
(at least `ROW_MATCH_SHARE` of the metric's content-word stems on the same line), code cites
that passage instead and says so in the set's notes; otherwise the problem goes to the model as
before. The quote is then chosen from the new passage as for any KR, so it is verbatim.
"""

from __future__ import annotations

from assistant.core.text import content_stems
from assistant.goals.draft_model import DraftOKRs
from assistant.goals.okr_numbers import target_of
from assistant.knowledge.base import SearchHit
from assistant.knowledge.grounding import ROW_MATCH_SHARE, number_in_text

__all__ = ["recited"]


def recited(draft: DraftOKRs, passages: dict[str, SearchHit]) -> tuple[DraftOKRs, list[str]]:
    """The draft with such KRs re-cited, and a note for each."""
    data = draft.model_dump()
    notes = []
    for n, objective in enumerate(data["objectives"], 1):
        for m, kr in enumerate(objective["key_results"], 1):
            stated = target_of(kr["statement"])
            if stated is None or stated.baseline is None:
                continue
            cited = passages.get(kr["source"].strip().upper())
            if cited is not None and number_in_text(stated.baseline, cited.text):
                continue
            found = [sid for sid, hit in passages.items()
                     if _writes(hit.text, kr["metric"], stated.baseline)]
            if len(found) == 1:
                notes.append(f"Objective {n}, KR {m}: cites {found[0]}, where its current value "
                             f"{stated.baseline:g} is written (the draft named "
                             f"{kr['source'] or 'no passage'}).")
                kr["source"] = found[0]
    return (type(draft).model_validate(data) if notes else draft), notes


def _writes(text: str, metric: str, value: float) -> bool:
    stems = content_stems(metric)
    if not stems:
        return False
    return any(number_in_text(value, line)
               and len(stems & content_stems(line)) / len(stems) >= ROW_MATCH_SHARE
               for line in text.splitlines())
