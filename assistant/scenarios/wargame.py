"""War game (issue 29, item 2): a competitor's move, its likely next moves, what each threatens
in our strategy map, and our possible responses — each checked against our non-goals, values
and limits (`checks.response_flags`).

The model drafts the moves and the responses (`wargame` prompt, `WarGameDraft`); code finds what
each move threatens (the same exposure as a scenario; a drafted move is held to the bars of
the model's phrases; at most `MAX_THREATS` each, best first) and flags every response that may
break a non-goal or exceed a stated limit. Responses are options for a meeting, never decisions.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from langchain_core.messages import HumanMessage, SystemMessage

from assistant.core.errors import GenerationError, ModelError
from assistant.knowledge.embeddings import Embedder
from assistant.llm.client import LLM
from assistant.llm.prompts import render
from assistant.scenarios.checks import response_flags
from assistant.scenarios.exposure import Phrase, expose, profile
from assistant.scenarios.model import Move, Response, WarGameDraft, WarGameReport
from assistant.scenarios.stress import Progress, _silent, check_text, live_map
from assistant.strategy.model import MapElement

__all__ = ["MAX_THREATS", "war_game"]

MAX_THREATS = 6  # the closest threatened elements shown per move (best first)


def _strategy_lines(live: list[MapElement]) -> str:
    wanted = {"pillar": "pillar", "key_result": "key result", "non_goal": "we will not"}
    return "\n".join(
        f"- {wanted[e.kind]}: {(e.text if e.kind == 'non_goal' else profile(e))[:100]}"
        for e in live if e.kind in wanted)[:3000]


def war_game(competitor: str, llm: LLM, embedder: Embedder, strategy: list[MapElement],
             progress: Progress | None = None) -> WarGameReport:
    start = time.perf_counter()
    competitor = check_text(competitor, "competitor's move")
    live, notes = live_map(strategy)
    report = WarGameReport(competitor=competitor, model=llm.model_name, notes=notes,
                           map_confirmed=not notes)
    step = progress or _silent
    step(1, 3, "Drafting the competitor's next moves")
    system, user = render("wargame", competitor=competitor, strategy=_strategy_lines(live))
    try:
        draft = llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                               WarGameDraft, max_tokens=450)
    except (ModelError, GenerationError) as exc:
        report.notes.append(f"The model could not draft moves ({exc}); only the competitor's "
                            "move itself is assessed.")
        draft = WarGameDraft()
    step(2, 3, "Finding what each move threatens")
    report.exposed = expose([Phrase(competitor, "scenario")], live, embedder)[:MAX_THREATS]
    for drafted in draft.moves:
        if not drafted.move.strip():
            continue
        threatens = expose([Phrase(drafted.move, "model")], live, embedder)[:MAX_THREATS]
        report.moves.append(Move(move=drafted.move.strip(), threatens=threatens, responses=[]))
        for text in drafted.responses:
            if text.strip():
                report.moves[-1].responses.append(
                    Response(text=text.strip(), flags=response_flags(text, live, embedder)))
    step(3, 3, "Checking the responses against our non-goals and limits")
    flagged = sum(bool(r.flags) for m in report.moves for r in m.responses)
    if flagged:
        report.notes.append(f"{flagged} response(s) may break a non-goal or a stated limit: "
                            "read the flags before discussing them.")
    report.seconds = round(time.perf_counter() - start, 2)
    report.created_at = datetime.now(UTC)
    return report
