"""The Retriever seam: a question in, ranked chunks (``Hit``) out.

DrQA's split: retrievers find passages, the reader (here the extractive
answerer) picks what to quote. Three retrievers share one protocol: BM25 over
chunk texts, dense search in a vector store, and their fusion; ``make_retriever``
picks one by mode. Retrievers hold only read-only data, so one instance may
serve many threads.
"""

from __future__ import annotations

from typing import Optional, Protocol, Sequence, runtime_checkable

import numpy as np

from ..config import Mode, RetrievalSettings
from ..embed.base import Embedder
from ..types import Hit
from .bm25 import BM25Index
from .fusion import fuse
from .store import VectorStore


@runtime_checkable
class Retriever(Protocol):
    """Ranked chunks for a question; ``qvec`` is its embedding when the caller has it."""

    def retrieve(self, text: str, k: int, qvec: Optional[np.ndarray] = None) -> list[Hit]: ...


def _hits(ranked: Sequence[tuple[int, float]], doc_of: Sequence[str], k: int) -> list[Hit]:
    return [Hit(cid, doc_of[cid], score, rank) for rank, (cid, score) in enumerate(ranked[:k], start=1)]


class BM25Retriever:
    """BM25+ over chunk texts."""

    def __init__(self, bm25: BM25Index, doc_of: Sequence[str], settings: RetrievalSettings) -> None:
        self.bm25 = bm25
        self.doc_of = doc_of
        self.settings = settings

    def ranked(self, text: str, n: int) -> list[tuple[int, float]]:
        return self.bm25.search(text, n)

    def retrieve(self, text: str, k: int, qvec: Optional[np.ndarray] = None) -> list[Hit]:
        return _hits(self.ranked(text, max(k, self.settings.candidates)), self.doc_of, k)


class DenseRetriever:
    """Nearest chunk vectors to the question's vector."""

    def __init__(
        self, store: VectorStore, doc_of: Sequence[str], embedder: Embedder, settings: RetrievalSettings
    ) -> None:
        self.store = store
        self.doc_of = doc_of
        self.embedder = embedder
        self.settings = settings

    def ranked(self, text: str, n: int, qvec: Optional[np.ndarray] = None) -> list[tuple[int, float]]:
        vec = self.embedder.encode([text])[0] if qvec is None else qvec
        return self.store.search(vec, n)[0]

    def retrieve(self, text: str, k: int, qvec: Optional[np.ndarray] = None) -> list[Hit]:
        return _hits(self.ranked(text, max(k, self.settings.candidates), qvec), self.doc_of, k)


class HybridRetriever:
    """Both lists, each cut at ``candidates``, joined by the configured fusion."""

    def __init__(self, sparse: BM25Retriever, dense: DenseRetriever, settings: RetrievalSettings) -> None:
        self.sparse = sparse
        self.dense = dense
        self.settings = settings

    def retrieve(self, text: str, k: int, qvec: Optional[np.ndarray] = None) -> list[Hit]:
        n = max(k, self.settings.candidates)
        lists = [self.sparse.ranked(text, n), self.dense.ranked(text, n, qvec)]
        s = self.settings
        return _hits(fuse(s.fusion, lists, s.rrf_k, s.fusion_weights), self.sparse.doc_of, k)


@runtime_checkable
class TextSearchStore(Protocol):
    """A store that also ranks its rows' text (BM25) and fuses both lists itself (Milvus)."""

    def search_text(self, text: str, k: int) -> list[tuple[int, float]]: ...

    def search_hybrid(self, text: str, vector: np.ndarray, k: int) -> list[tuple[int, float]]: ...


class StoreBM25Retriever(BM25Retriever):
    """BM25 inside the store (its own analyzer and statistics), not over our arrays."""

    def __init__(self, store: TextSearchStore, doc_of: Sequence[str], settings: RetrievalSettings) -> None:
        self.store = store
        self.doc_of = doc_of
        self.settings = settings

    def ranked(self, text: str, n: int) -> list[tuple[int, float]]:
        return self.store.search_text(text, n)


class StoreHybridRetriever:
    """Both searches and their fusion in one request to the store, so no process ranks the whole corpus."""

    def __init__(self, store: TextSearchStore, dense: DenseRetriever, settings: RetrievalSettings) -> None:
        self.store = store
        self.dense = dense
        self.settings = settings

    def retrieve(self, text: str, k: int, qvec: Optional[np.ndarray] = None) -> list[Hit]:
        vec = self.dense.embedder.encode([text])[0] if qvec is None else qvec
        return _hits(self.store.search_hybrid(text, vec, k), self.dense.doc_of, k)


def make_retriever(
    mode: Mode,
    bm25: BM25Index,
    store: VectorStore,
    doc_of: Sequence[str],
    embedder: Embedder,
    settings: RetrievalSettings,
) -> Retriever:
    """The retriever for a mode, over one index's chunk BM25 and chunk vectors.

    When the store searches text itself (Milvus), BM25 and fusion run there too.
    """
    dense = DenseRetriever(store, doc_of, embedder, settings)
    if isinstance(store, TextSearchStore):
        if mode is Mode.BM25:
            return StoreBM25Retriever(store, doc_of, settings)
        return dense if mode is Mode.DENSE else StoreHybridRetriever(store, dense, settings)
    sparse = BM25Retriever(bm25, doc_of, settings)
    if mode is Mode.BM25:
        return sparse
    if mode is Mode.DENSE:
        return dense
    return HybridRetriever(sparse, dense, settings)
