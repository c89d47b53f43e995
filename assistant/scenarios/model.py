"""What a stress test is made of: the model's proposals (schemas at the LLM boundary) and the
report code assembles from them and the strategy map."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from assistant.core.schemas import Citation

__all__ = ["Contingency", "Exposed", "Move", "PlanDraft", "Response",
           "ScenarioEffects", "ScenarioReport", "WarGameDraft", "WarGameReport"]


# -- what the model proposes -------------------------------------------------------------------
class ScenarioEffects(BaseModel):
    """The model's reading: the scenario's consequences, one short sentence each."""

    consequences: list[str] = Field(default=[], max_length=6)


class PlanItem(BaseModel):
    number: int
    watch: list[str] = Field(default=[], max_length=3)
    trigger: str = Field("", max_length=240)
    actions: list[str] = Field(default=[], max_length=2)


class PlanDraft(BaseModel):
    plans: list[PlanItem] = Field(default=[], max_length=8)


class MoveDraft(BaseModel):
    move: str = Field(max_length=240)
    responses: list[str] = Field(default=[], max_length=3)


class WarGameDraft(BaseModel):
    moves: list[MoveDraft] = Field(default=[], max_length=4)


# -- what code reports -------------------------------------------------------------------------
class Exposed(BaseModel):
    """A map element the scenario moves, with the reason a person can check."""

    key: str
    kind: str
    title: str
    department: str = ""
    score: float
    reason: str
    via: Literal["code", "model+code", "link"] = "code"
    citation: Citation | None = None


class Contingency(BaseModel):
    """For one exposed KR: what to watch, when to act, what to do — drafted by the model,
    checked by code (`findings` lists what fails the trigger and action rules)."""

    key: str
    title: str
    watch: list[str] = []
    trigger: str = ""
    actions: list[str] = []
    findings: list[str] = []
    drafted_by: str = "model"


class _Report(BaseModel):
    """What every stress test records besides its findings."""

    exposed: list[Exposed] = []
    notes: list[str] = []
    map_confirmed: bool = False
    model: str = ""
    seconds: float = 0.0
    created_at: datetime | None = None


class ScenarioReport(_Report):
    kind: Literal["scenario"] = "scenario"
    scenario: str
    consequences: list[str] = []
    to_check: list[Exposed] = []  # not decided by the evidence: questions for the owner
    plans: list[Contingency] = []


class Response(BaseModel):
    text: str
    flags: list[str] = []  # a non-goal it may break, a value it may strain, a limit it exceeds


class Move(BaseModel):
    move: str
    threatens: list[Exposed] = []
    responses: list[Response] = []


class WarGameReport(_Report):
    kind: Literal["wargame"] = "wargame"
    competitor: str
    moves: list[Move] = []
