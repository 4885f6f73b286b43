"""The data that flows through the pipeline, as plain dataclasses.

Document -> Sentence / Chunk (ingest) -> Hit (retrieve) -> Citation, Answer
(answer) and Conflict (disagree). Every piece of text a user sees is either a
fixed phrase of ours or a slice ``document.text[start:end]``; these types
carry the offsets that make that checkable.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, NamedTuple, Optional

SentenceKind = Literal["text", "list", "table", "heading", "question"]


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` into one document's text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start


@dataclass
class Document:
    """One corpus file as its canonical text: what every offset indexes into.

    A plain-text file is its own canonical text, byte for byte; other formats
    (HTML, PDF, Markdown, DOCX) are converted once and the text is stored with
    the index build. ``sha256`` is the hash of the source file's bytes (for
    plain text also the text's), so the index knows when the file changed.
    ``pages[i]`` is the offset where page ``i + 1`` begins (PDF only);
    ``line_kinds`` are the kinds of the lines the converter knows (a Markdown
    heading is a heading whatever its punctuation), None when the segmenter
    must guess from the line itself (plain text, PDF).
    """

    doc_id: str
    title: str
    path: str
    text: str
    sha256: str
    metadata: dict[str, Any] = field(default_factory=dict)
    format: str = "text"
    pages: list[int] = field(default_factory=list)
    line_kinds: Optional[list[tuple[int, SentenceKind]]] = None

    @property
    def url(self) -> Optional[str]:
        """Where the document was published, when known (its metadata or metadata.json)."""
        url = self.metadata.get("url")
        return str(url) if url else None

    def page_at(self, offset: int) -> Optional[int]:
        """The page (from 1) holding the character at ``offset``, for paged formats."""
        if not self.pages:
            return None
        return max(1, bisect_right(self.pages, offset))


@dataclass
class Sentence:
    """A sentence with exact offsets; ``id`` is its number in the index's sentence table.

    Vector stores map these ids to vectors themselves, so no store's internal
    positions leak into the rest of the program.
    """

    id: int
    doc_id: str
    start: int
    end: int
    text: str
    section: Optional[str]
    block: int
    kind: SentenceKind = "text"
    promotional: bool = False

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)

    @property
    def answerable(self) -> bool:
        """Whether this sentence may be quoted as part of an answer."""
        return self.kind in ("text", "list") and not self.promotional


@dataclass
class Chunk:
    """A window of whole sentences inside one section of one document."""

    id: int
    doc_id: str
    section: Optional[str]
    start: int
    end: int
    sentence_ids: list[int]
    text: str


class Hit(NamedTuple):
    """One retrieved chunk; ``rank`` counts from 1."""

    chunk_id: int
    doc_id: str
    score: float
    rank: int


@dataclass
class Citation:
    """A verbatim quote and where it is; ``n`` is its number in an answer."""

    n: Optional[int]
    doc_id: str
    title: str
    section: Optional[str]
    start: int
    end: int
    text: str
    score: float = 0.0
    sentence_id: Optional[int] = None
    page: Optional[int] = None
    url: Optional[str] = None
    # How many of the first characters of ``text`` are the sentence(s) the quoted one points back to
    # ("... an overdose may occur. This is associated with ..."): context, not the chosen sentence.
    lead_in: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract; ``page``, ``url`` and ``lead_in`` appear only when set, so answers keep their shape."""
        d = asdict(self)
        d.pop("sentence_id")
        d["score"] = round(float(self.score), 4)
        for key in ("page", "url"):
            if d[key] is None:
                d.pop(key)
        if not self.lead_in:
            d.pop("lead_in")
        return d


@dataclass
class Conflict:
    """Where sources disagree: the type behind "Sources disagree".

    One entry per disagreement: ``a`` and ``b`` are each side's main sentence,
    ``a_more`` and ``b_more`` the other sentences on the same side (all from
    other documents than the opposite side's). ``pairs`` lists the sentence
    pairs the detector judged ((a-side id, b-side id, explanation)), so an
    answer quoting a side's other sentence can say what differs for that one.
    """

    kind: str
    severity: str
    score: float
    explanation: str
    topic: str
    a: Citation
    b: Citation
    a_more: list[Citation] = field(default_factory=list)
    b_more: list[Citation] = field(default_factory=list)
    pairs: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def a_side(self) -> list[Citation]:
        return [self.a, *self.a_more]

    @property
    def b_side(self) -> list[Citation]:
        return [self.b, *self.b_more]

    def to_dict(self) -> dict[str, Any]:
        """``a``/``b`` as always; the other sentences of each side in ``a_more``/``b_more``."""
        return {
            "kind": self.kind,
            "severity": self.severity,
            "score": round(float(self.score), 4),
            "explanation": self.explanation,
            "topic": self.topic,
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "a_more": [c.to_dict() for c in self.a_more],
            "b_more": [c.to_dict() for c in self.b_more],
        }


@dataclass
class AnswerSentence:
    """One quoted sentence of an answer and the number of its citation."""

    text: str
    citation: int


@dataclass
class Answer:
    """What the pipeline returns for one question; ``to_dict`` is the JSON contract."""

    question: str
    answer: str
    abstained: bool
    confidence: float
    sentences: list[AnswerSentence]
    citations: list[Citation]
    conflicts: list[Conflict]
    mode: str
    timings_ms: dict[str, float]
    resolved_question: Optional[str] = None
    urgent: Optional[str] = None
    notice: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "resolved_question": self.resolved_question or self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "confidence": round(float(self.confidence), 4),
            "sentences": [asdict(s) for s in self.sentences],
            "citations": [c.to_dict() for c in self.citations],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "mode": self.mode,
            "urgent": self.urgent,
            "notice": self.notice,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
