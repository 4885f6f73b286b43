"""A validated index in memory, and the function that loads one from disk.

Loading checks everything before anything is served: the manifest matches the
corpus and settings, every file matches its checksum, the parts agree in size,
and every stored sentence still quotes its document's canonical text (stored
with the build, ``documents.jsonl``) exactly. Any failure raises
:class:`IndexInvalid` with the reason, and the caller rebuilds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import RetrievalSettings
from ..disagree.conflict_map import conflicts_from_json
from ..retrieve.bm25 import BM25Index
from ..retrieve.registry import load_store
from ..retrieve.store import VectorStore
from ..types import Chunk, Conflict, Document, Sentence
from .documents import read_documents
from .store import IndexInvalid, current_build, read_json, read_manifest, stale_reason, verify_files

CHUNK_VECTORS = "chunk_vectors"
SENTENCE_VECTORS = "sentence_vectors"


@dataclass(frozen=True)
class LoadedIndex:
    """One index build, read-only once loaded (so any number of threads may query it)."""

    folder: Path
    manifest: dict[str, Any]
    documents: dict[str, Document]
    sentences: list[Sentence]
    chunks: list[Chunk]
    bm25: BM25Index
    chunk_vectors: VectorStore
    sentence_vectors: VectorStore
    conflicts: list[Conflict]

    @property
    def chunk_docs(self) -> list[str]:
        """The document of each chunk, by chunk id."""
        return [c.doc_id for c in self.chunks]


def load_index(
    index_dir: Path, expected: dict[str, Any], retrieval: RetrievalSettings, corpus_dir: Path
) -> LoadedIndex:
    """Load and validate the live build; raises IndexInvalid with the reason."""
    folder = current_build(index_dir)
    if folder is None or not folder.is_dir():
        raise IndexInvalid("no index built yet")
    manifest = read_manifest(folder)
    reason = stale_reason(manifest, expected)
    if reason:
        raise IndexInvalid(reason)
    verify_files(folder, manifest)
    store = manifest["store"]
    documents = read_documents(folder, corpus_dir)
    if set(documents) - set(expected["corpus"]["files"]):
        raise IndexInvalid("stored documents are not the corpus's")
    try:
        sentences = [Sentence(**s) for s in read_json(folder / "sentences.json")]
        chunks = [Chunk(**c) for c in read_json(folder / "chunks.json")]
        conflicts = conflicts_from_json(read_json(folder / "conflicts.json"))
        bm25 = BM25Index.load(folder, min_idf=retrieval.min_idf)
        chunk_vectors = load_store(store, folder, CHUNK_VECTORS, retrieval)
        sentence_vectors = load_store(store, folder, SENTENCE_VECTORS, retrieval)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise IndexInvalid(f"index files unreadable: {exc}") from exc
    if len(chunk_vectors) != len(chunks) or len(sentence_vectors) != len(sentences) or bm25.n_docs != len(chunks):
        raise IndexInvalid("index parts disagree in size")
    if any(s.id != i for i, s in enumerate(sentences)) or any(c.id != i for i, c in enumerate(chunks)):
        raise IndexInvalid("sentence or chunk ids are not numbered in order")
    for s in sentences:
        doc = documents.get(s.doc_id)
        if doc is None or doc.text[s.start : s.end] != s.text:
            raise IndexInvalid("stored sentences no longer quote the corpus")
    return LoadedIndex(folder, manifest, documents, sentences, chunks, bm25, chunk_vectors, sentence_vectors, conflicts)
