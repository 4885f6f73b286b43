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
    """A verbatim quote: ``source[start:end] == text``; page, url and lead_in appear only when set."""

    n: Optional[int]
    doc_id: str
    title: str
    section: Optional[str]
    start: int
    end: int
    text: str
    score: float
    page: Optional[int] = Field(default=None, description="The PDF page the quote starts on.")
    url: Optional[str] = Field(default=None, description="The source's address, when known.")
    lead_in: int = Field(
        default=0, description="How many first characters of text are the sentence a 'This ...' sentence points to."
    )


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
    a_more: list[CitationOut] = Field(default_factory=list, description="More sentences on side a.")
    b_more: list[CitationOut] = Field(default_factory=list, description="More sentences on side b.")


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
