"""The OKR set as the model writes it (the drafting LLM boundary), before conversion.

A key result's numbers are its statement's: the model writes "Reduce monthly subscriber churn
from 6.8% to 5.5%" and code reads target, baseline and direction from those words
(`okr_numbers.target_of`, `direction_of`). Asked for them as separate fields, the local model
wrote fields that contradicted its own sentence ("from 70% to 75%" with baseline 0.74, "15%"
with target 150) and spent ~30 tokens a KR on them (issue 28)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

__all__ = ["DraftKR", "DraftOKRs", "DraftObjective", "Perspective", "draft_schema"]

Perspective = Literal["Financial", "Customer", "Internal process", "Learning & growth"]


class DraftKR(BaseModel):
    """A key result as the model writes it (LLM boundary)."""

    statement: str = Field(max_length=220)
    metric: str = Field(max_length=80)
    unit: str = Field(max_length=24)
    owner_role: str = Field(max_length=60)
    measurement_source: str = Field(max_length=80)
    source: str = Field(max_length=6)


class DraftObjective(BaseModel):
    title: str = Field(max_length=140)
    why_now: str = Field(max_length=240)
    perspective: Perspective
    ambition: Literal["committed", "aspirational"]
    parent: str = Field(max_length=100)
    source: str = Field(max_length=6)
    initiatives: list[str] = Field(max_length=2)
    key_results: list[DraftKR] = Field(min_length=2, max_length=3)


class DraftOKRs(BaseModel):
    objectives: list[DraftObjective] = Field(min_length=1, max_length=5)


def draft_schema(count: int, ambition: str = "committed") -> type[DraftOKRs]:
    """DraftOKRs with exactly `count` objectives of the requested ambition, so the grammar
    enforces both (the model used to label objectives "aspirational" when asked for
    committed ones)."""
    only: Any = Literal[ambition]
    objective = create_model("DraftObjective", __base__=DraftObjective,
                             ambition=(only, Field(description="as requested")))
    return create_model(
        "DraftOKRs", __base__=DraftOKRs,
        objectives=(list[objective], Field(min_length=count, max_length=count)))
