"""Split a document into sentences with exact character offsets.

Lines are classified first (heading, table row, list item, paragraph) because
the articles use bare short lines as section headings (a converter that knows
what each line is, such as Markdown's headings, says so in
``Document.line_kinds`` and is believed); paragraphs are then
segmented by pySBD, which handles abbreviations and reports spans. Every span
is checked against the original text, so a glitch in the source (a missing
space after a full stop, table cells run together, a repeated title) can change
where we cut but never what a span quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator, Optional

from ..types import Document, Sentence, SentenceKind
from .promo import is_promotional

MAX_HEADING_WORDS = 16
_BULLET = re.compile(r"^(?:[\u2022\u2023\u25e6\u2043\u2219\u00b7*+\-\u2013]|\d{1,3}[.)])\s+")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_GLUED_CELLS = re.compile(r"[a-z0-9)][A-Z][a-z]")
_FAQ = re.compile(r"^Q\d{1,3}[:.]\s")
# "disturbances.Therefore": a full stop with no space before a capitalised word.
_GLUED_SENTENCE = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")


@dataclass(frozen=True)
class Line:
    """A non-blank line of the document, whitespace trimmed, with its offsets."""

    start: int
    end: int
    text: str
    kind: SentenceKind


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def iter_lines(text: str) -> Iterator[tuple[int, int]]:
    """Offsets of each non-blank line with surrounding whitespace trimmed."""
    for m in re.finditer(r"[^\n]+", text):
        seg = m.group()
        stripped = seg.strip()
        if not stripped:
            continue
        lead = len(seg) - len(seg.lstrip())
        start = m.start() + lead
        yield start, start + len(stripped)


def classify_line(line: str) -> SentenceKind:
    """Tell a heading from a table row, a list item or running text."""
    if _MD_HEADING.match(line):
        return "heading"
    if _BULLET.match(line):
        return "list"
    ends_open = line[-1] not in ".!?:;,\"'\u201d\u2019)"
    words = len(line.split())
    if _FAQ.match(line) and line.endswith("?"):
        return "question"
    if ends_open and _GLUED_CELLS.search(line):
        return "table"
    if words <= MAX_HEADING_WORDS and (ends_open or (line.endswith("?") and _single_sentence(line))):
        return "heading"
    return "text"


def _single_sentence(line: str) -> bool:
    return len(re.findall(r"[.!?](?:\s|$)", line)) == 1


def heading_title(line: str) -> str:
    return _MD_HEADING.sub("", line).strip()


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]``, each trimmed and exact."""
    para = text[start:end]
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in _segmenter().segment(para):
        s, e = piece.start, piece.end
        if para[s:e] != piece.sent:
            # pySBD located this sentence wrongly: find it from the cursor.
            found = para.find(piece.sent.strip(), cursor)
            if found < 0:
                continue
            s, e = found, found + len(piece.sent.strip())
        spans.extend(_split_glued(para, s, e))
        cursor = e
    spans = _cover_gaps(para, spans)
    out = []
    for s, e in spans:
        seg = para[s:e]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg) - len(seg.rstrip())
        if e - trail > s + lead:
            out.append((start + s + lead, start + e - trail))
    return out


def _split_glued(para: str, s: int, e: int) -> list[tuple[int, int]]:
    cuts = [s] + [s + m.start() for m in _GLUED_SENTENCE.finditer(para[s:e])] + [e]
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _cover_gaps(para: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep text the segmenter skipped as sentences of its own, so nothing is lost."""
    spans = sorted(spans)
    out: list[tuple[int, int]] = []
    cursor = 0
    for s, e in spans:
        if s < cursor:
            s = cursor
        if s >= e:
            continue
        if para[cursor:s].strip():
            out.append((cursor, s))
        out.append((s, e))
        cursor = e
    if para[cursor:].strip():
        out.append((cursor, len(para)))
    return out


def segment_document(doc: Document, first_id: int = 0) -> list[Sentence]:
    """All sentences of ``doc`` (headings and table rows included, flagged by kind)."""
    text = doc.text
    sentences: list[Sentence] = []
    section: Optional[str] = None
    title_norm = _norm(doc.title)
    # A converter that knows each line's kind (a Markdown heading, an HTML list item) says so.
    known = dict(doc.line_kinds) if doc.line_kinds is not None else {}
    for block, (ls, le) in enumerate(iter_lines(text)):
        line = text[ls:le]
        kind = known.get(ls) or classify_line(line)
        if kind == "list" and not _BULLET.match(line):
            kind = "text"
        if kind in ("heading", "question"):
            name = heading_title(line)
            if _norm(name) != title_norm:
                section = name
            sentences.append(_sentence(doc, first_id + len(sentences), ls, le, section, block, kind))
            continue
        if kind == "table":
            sentences.append(_sentence(doc, first_id + len(sentences), ls, le, section, block, kind))
            continue
        body_start = ls
        if kind == "list":
            m = _BULLET.match(line)
            body_start = ls + (m.end() if m else 0)
        block_sents = [
            _sentence(doc, first_id + len(sentences) + i, s, e, section, block, kind)
            for i, (s, e) in enumerate(split_sentences(text, body_start, le))
        ]
        if any(is_promotional(s.text) for s in block_sents):
            for s in block_sents:
                s.promotional = True
        sentences.extend(block_sents)
    return sentences


def _sentence(
    doc: Document, sid: int, start: int, end: int, section: Optional[str], block: int, kind: SentenceKind
) -> Sentence:
    return Sentence(
        id=sid,
        doc_id=doc.doc_id,
        start=start,
        end=end,
        text=doc.text[start:end],
        section=section,
        block=block,
        kind=kind,
    )


def _norm(s: str) -> str:
    return re.sub(r"\W+", " ", s).strip().lower()
