"""Route a chat message: the rules (`assistant.core.intents`) place the clear cases at once; a
message they cannot place with confidence goes to the model, which answers a small schema
(`ModelRoute`); if the model fails or names a department the workspace does not have, the
rules' answer stands.
"""

from __future__ import annotations

from datetime import date

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.core.errors import KeelError
from assistant.core.intents import PERIOD, Route, Task, route, strip_request
from assistant.core.periods import next_quarter
from assistant.llm.client import LLM
from assistant.llm.prompts import render

__all__ = ["ModelRoute", "Route", "route", "route_with_model"]


class ModelRoute(BaseModel):
    """What the model answers when asked to route a message (LLM boundary)."""

    task: Task
    department: str = Field("", max_length=60)
    period: str = Field("", max_length=10)


def route_with_model(llm: LLM, message: str, departments: list[str], today: date,
                     has_draft: bool = False) -> Route:
    """Rules first; the model for messages the rules cannot place; rules if it fails."""
    ruled = route(message, departments, today, has_draft)
    if ruled.confident:
        return ruled
    system, user = render("route", message=message[:2000], departments=", ".join(departments),
                          today=today.isoformat(), has_draft="yes" if has_draft else "no")
    try:
        answer = llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                                ModelRoute, max_tokens=60)
    except KeelError:
        return ruled
    if answer.task == "draft_okrs":
        department = next((d for d in departments if d.lower() == answer.department.lower()
                           ), "")
        if not department:
            return ruled
        period = answer.period if PERIOD.fullmatch(answer.period or "") else next_quarter(today)
        return Route("draft_okrs", department, period.upper(), by="model")
    if answer.task == "refine_draft" and not has_draft:
        return ruled
    text = strip_request(message) if answer.task == "check_alignment" else message.strip()
    return Route(answer.task, text=text, by="model")
