"""Data shapes shared across use cases and shown at the edges."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["Citation", "GroundedAnswer", "KeyResult", "OKRSet", "Objective", "SmartGoal"]


class Citation(BaseModel):
    """A pointer to the passage a claim rests on; `quote` is verbatim text of the chunk."""

    chunk_id: str = Field(description="Id of the cited chunk.")
    document: str = Field(description="Document id (path under the indexed folder).")
    section: str = Field(description="Heading path of the chunk.")
    quote: str = Field(description="Exact text copied from the chunk.")


class GroundedAnswer(BaseModel):
    """An answer to a question about the company's documents."""

    question: str
    answer: str
    covered: bool = Field(description="False when the documents do not answer the question.")
    quoted: bool = Field(False, description="True when the answer is the documents' own "
                         "sentence, quoted by Keel, rather than written by the model.")
    citations: list[Citation] = []
    sources: list[str] = Field(default=[], description="Chunk ids the model was shown.")
    warnings: list[str] = []


# --- goals ------------------------------------------------------------------------------------

Perspective = Literal["Financial", "Customer", "Internal process", "Learning & growth"]
Ambition = Literal["committed", "aspirational"]
Direction = Literal["increase", "decrease", "at_least", "at_most"]


class KeyResult(BaseModel):
    """A measurable outcome; numbers only from the documents, never invented."""

    statement: str = Field(max_length=400)
    metric: str = Field("", max_length=200)
    unit: str = Field("", max_length=40)
    baseline: float | None = Field(None, description="None means unknown: ask for it.")
    baseline_note: str = Field("", description="Where the baseline comes from, or who to ask.")
    target: float | None = None
    direction: Direction | None = None
    deadline: date | None = None
    owner_role: str = ""
    measurement_source: str = ""
    citations: list[Citation] = []
    health_metric: str | None = None


class Objective(BaseModel):
    """A qualitative objective serving one parent (pillar or company objective)."""

    title: str = Field(max_length=300)
    why_now: str = ""
    perspective: Perspective | None = None
    ambition: Ambition | None = None
    parent: str = Field("", description="The strategy pillar or company objective it serves.")
    citations: list[Citation] = []
    key_results: list[KeyResult] = []
    initiatives: list[str] = Field([], description="Projects expected to move the KRs.")
    support: Literal["supported", "no support found"] = "supported"


class OKRSet(BaseModel):
    """The OKRs of one department for one period."""

    id: str = ""
    workspace: str = ""
    department: str = ""
    period: str = ""
    period_start: date | None = None
    period_end: date | None = None
    objectives: list[Objective] = []
    created_at: datetime | None = None
    notes: list[str] = []


class SmartGoal(BaseModel):
    """A goal with Doran's five letters as fields."""

    goal: str = Field(description="The goal in one sentence.")
    specific: str = Field(description="The area and the object of change.")
    measurable: str = Field(description="Metric and target value.")
    assignable: str = Field(description="The owner (a role).")
    realistic: str = Field(description="Why it is achievable with the stated resources.")
    time_related: str = Field(description="Deadline, and a checkpoint if any.")
    deadline: date | None = None
    citations: list[Citation] = []
