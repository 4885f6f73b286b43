"""Request and response models of the HTTP API (they also make the OpenAPI page at ``/docs``).

The answer models describe ``Answer.to_dict()`` for the documentation only: the
handler sends the JSON the ``ask --json`` renderer makes, byte for byte, so the
CLI and the API cannot drift apart.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictStr


class AskRequest(BaseModel):
    """A question, the user's earlier turns (oldest first) and, optionally, a retrieval mode."""

    model_config = ConfigDict(extra="forbid")

    question: StrictStr = Field(description="The question; at most Settings.max_question_chars characters.")
    history: list[StrictStr] = Field(default_factory=list, description="Earlier user turns, oldest first.")
    mode: Optional[Literal["hybrid", "bm25", "dense"]] = Field(default=None, description="Retrieval mode.")


class CitationOut(BaseModel):
    n: Optional[int]
    doc_id: str
    title: str
    section: Optional[str]
    start: int
    end: int
    text: str
    score: float


class SentenceOut(BaseModel):
    text: str
    citation: int


class ConflictOut(BaseModel):
    kind: str
    severity: str
    score: float
    explanation: str
    topic: str
    a: CitationOut
    b: CitationOut


class AnswerOut(BaseModel):
    """Exactly the object ``naltrexone-qa ask --json`` prints."""

    question: str
    resolved_question: str
    answer: str
    abstained: bool
    confidence: float
    sentences: list[SentenceOut]
    citations: list[CitationOut]
    conflicts: list[ConflictOut]
    mode: str
    urgent: Optional[str]
    notice: str
    timings_ms: dict[str, float]


class ConflictsOut(BaseModel):
    conflicts: list[ConflictOut]


class ErrorOut(BaseModel):
    error: str
    message: str
    request_id: str
