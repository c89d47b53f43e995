"""What a strategy map is made of: typed elements, each citing the passage it came from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.core.schemas import Citation

__all__ = ["KINDS", "STATUSES", "ElementKind", "MapElement", "Status"]

ElementKind = Literal["statement", "pillar", "objective", "key_result", "initiative",
                      "non_goal", "value", "limit"]
KINDS: tuple[str, ...] = ("statement", "pillar", "objective", "key_result", "initiative",
                          "non_goal", "value", "limit")
Status = Literal["proposed", "confirmed", "edited", "rejected"]
STATUSES: tuple[str, ...] = ("proposed", "confirmed", "edited", "rejected")
Perspective = Literal["Financial", "Customer", "Internal process", "Learning & growth"]


class MapElement(BaseModel):
    """One element. `key` is its identity in the workspace and survives rebuilds."""

    key: str = Field(max_length=200)
    kind: ElementKind
    title: str = Field(max_length=300)
    text: str = Field("", description="The element in the documents' own words (the quote).")
    department: str = ""
    period: str = ""
    perspective: Perspective | None = None
    # key results
    metric: str = ""
    unit: str = ""
    direction: Literal["increase", "decrease"] | None = None
    baseline: float | None = None
    target: float | None = None
    deadline: str = ""
    owner: str = ""
    # limits
    amount: float | None = None
    scope: str = Field("", description="What a limit applies to: a department, a channel.")
    # values: the behavioural rules they state, verbatim
    rules: list[str] = []
    serves: list[str] = Field([], description="Keys of the elements this one serves.")
    # scenarios: events that move this element ("supplier price rise"), set by a person; when
    # empty, the drivers table (assistant/data/drivers.yaml) answers for it
    drivers: list[str] = []
    citations: list[Citation] = Field(min_length=1)
    status: Status = "proposed"
    origin: Literal["rules", "model", "person"] = "rules"

    def content(self) -> dict[str, object]:
        """What a rebuild compares: everything but the status."""
        return self.model_dump(mode="json", exclude={"status", "origin"})
