"""Windows of whole sentences within one section, with overlap.

Headings, promotional blocks and section changes end a run; a window never
crosses them, so every chunk quotes one place in one article.
"""

from __future__ import annotations

from ..config import ChunkParams
from ..types import Chunk, Document, Sentence

__all__ = ["ChunkParams", "chunk_document", "chunk_search_text", "sentence_search_text", "windows"]

CHUNKABLE_KINDS = ("text", "list", "table")
# Bump when chunk_search_text or sentence_search_text change: indexes built
# with other texts must be rebuilt (the manifest records it).
SEARCH_TEXT_VERSION = "chunk:title+section/sentence:plain"


def runs(sentences: list[Sentence]) -> list[list[Sentence]]:
    """Maximal stretches of chunkable sentences sharing a section."""
    out: list[list[Sentence]] = []
    current: list[Sentence] = []
    for s in sentences:
        ok = s.kind in CHUNKABLE_KINDS and not s.promotional
        if current and (not ok or s.section != current[-1].section):
            out.append(current)
            current = []
        if ok:
            current.append(s)
    if current:
        out.append(current)
    return out


def windows(n: int, params: ChunkParams) -> list[tuple[int, int]]:
    """[start, end) index windows covering range(n) with the given overlap."""
    if n <= params.window:
        return [(0, n)] if n else []
    step = params.window - params.overlap
    out = []
    start = 0
    while True:
        end = min(start + params.window, n)
        out.append((start, end))
        if end == n:
            break
        start += step
    return out


def chunk_document(doc: Document, sentences: list[Sentence], params: ChunkParams, first_id: int = 0) -> list[Chunk]:
    """Chunks of one document; ``text`` is the exact slice of the document."""
    chunks: list[Chunk] = []
    for run in runs(sentences):
        for a, b in windows(len(run), params):
            part = run[a:b]
            start, end = part[0].start, part[-1].end
            chunks.append(
                Chunk(
                    id=first_id + len(chunks),
                    doc_id=doc.doc_id,
                    section=part[0].section,
                    start=start,
                    end=end,
                    sentence_ids=[s.id for s in part],
                    text=doc.text[start:end],
                )
            )
    return chunks


def chunk_search_text(chunk: Chunk, doc: Document) -> str:
    """What retrieval indexes: title and section give the chunk its context."""
    head = doc.title if not chunk.section else f"{doc.title}. {chunk.section}"
    return f"{head}.\n{chunk.text}"


def sentence_search_text(sentence: Sentence, doc: Document) -> str:
    """What a sentence's vector encodes: the sentence alone.

    Prefixing the section was measured (evals/qa.jsonl): answer accuracy did not
    change, while cross-document conflict pairing and the abstention
    calibration got worse, so sentences are embedded as they are.
    """
    return sentence.text
