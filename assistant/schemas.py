"""Data shapes shared across use cases and shown at the edges."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["Citation", "GroundedAnswer"]


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
    citations: list[Citation] = []
    sources: list[str] = Field(default=[], description="Chunk ids the model was shown.")
    warnings: list[str] = []
