"""Ranked retrieval: BM25 (sparse), dense (FAISS), and their fusion.

BM25 statistics come from rank-bm25 (BM25+ variant: its IDF, log((N+1)/df),
never goes below zero, so a word found in nearly every chunk, such as
"naltrexone" here, weighs almost nothing instead of turning negative or being
floored above rarer words). The delta of BM25+ is added only where a term
occurs, as Lv & Zhai define it (rank-bm25 adds it to every document). The per-term weights are precomputed into a
term-major sparse matrix so a query costs one pass over its terms' postings,
and the index is saved as NumPy arrays plus JSON, never pickled.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple, Optional, Sequence

import numpy as np

from .text import tokenize

HNSW_THRESHOLD = 50_000
# Candidates HNSW explores per query: 64 keeps recall@10 above 0.95 against exact
# search (measured by `bench perf`) at about half the cost of 128.
HNSW_EF_SEARCH = 64
# Reciprocal rank fusion constant. 60 is the paper's default; 20 weighs the top
# ranks more, which measured better on evals/qa.jsonl (answer accuracy 0.655
# vs 0.644, Recall@5 0.937 vs 0.934) and no worse on SciFact (see README).
DEFAULT_RRF_K = 20
# log((N+1)/df) below this means the term is in over ~85% of documents.
MIN_IDF = 0.15


class Hit(NamedTuple):
    """One retrieved chunk; ``rank`` counts from 1."""

    chunk_id: int
    doc_id: str
    score: float
    rank: int


class BM25Index:
    """BM25+ with precomputed term weights; ``search`` is vectorised."""

    def __init__(self, vocab: dict[str, int], indptr: np.ndarray, indices: np.ndarray,
                 weights: np.ndarray, idf: np.ndarray, n_docs: int, params: dict[str, float]) -> None:
        self.vocab = vocab
        self.idf = idf
        self.indptr = indptr
        self.indices = indices
        self.weights = weights
        self.n_docs = n_docs
        self.params = params

    @classmethod
    def build(cls, texts: Sequence[str], k1: float = 1.2, b: float = 0.75, delta: float = 1.0) -> "BM25Index":
        from rank_bm25 import BM25Plus

        tokenized = [tokenize(t) for t in texts]
        if not any(tokenized):
            raise ValueError("no indexable words in these texts")
        bm = BM25Plus(tokenized, k1=k1, b=b, delta=delta)
        doc_len = np.asarray(bm.doc_len, dtype=np.float32)
        norm = k1 * (1 - b + b * doc_len / bm.avgdl)
        postings: dict[str, list[tuple[int, float]]] = {}
        for d, freqs in enumerate(bm.doc_freqs):
            for term, tf in freqs.items():
                w = bm.idf[term] * (delta + tf * (k1 + 1) / (norm[d] + tf))
                postings.setdefault(term, []).append((d, w))
        vocab = {t: i for i, t in enumerate(sorted(postings))}
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        for t, i in vocab.items():
            indptr[i + 1] = len(postings[t])
        np.cumsum(indptr, out=indptr)
        indices = np.empty(indptr[-1], dtype=np.int32)
        weights = np.empty(indptr[-1], dtype=np.float32)
        for t, i in vocab.items():
            ids, ws = zip(*postings[t])
            indices[indptr[i]:indptr[i + 1]] = ids
            weights[indptr[i]:indptr[i + 1]] = ws
        idf = np.array([bm.idf[t] for t in sorted(postings)], dtype=np.float32)
        params = {"k1": k1, "b": b, "delta": delta, "avgdl": float(bm.avgdl)}
        return cls(vocab, indptr, indices, weights, idf, len(texts), params)

    def term_idf(self, term: str) -> Optional[float]:
        """The IDF of a stemmed term, or None when the corpus lacks it."""
        i = self.vocab.get(term)
        return None if i is None else float(self.idf[i])

    def scores(self, query: str, prune: bool = False) -> np.ndarray:
        """A BM25+ score for every document (0 where no query term occurs).

        With ``prune``, terms found in nearly every document (IDF below
        MIN_IDF, e.g. "naltrexone" here) are skipped when rarer terms are
        present: they add almost the same small amount to every document, yet
        their postings are the longest, so scoring them is most of the cost on
        a large corpus.
        """
        rows = [self.vocab[t] for t in tokenize(query) if t in self.vocab]
        if prune:
            kept = [r for r in rows if self.idf[r] >= MIN_IDF]
            rows = kept or rows
        if not rows:
            return np.zeros(self.n_docs, dtype=np.float32)
        # A term's postings name each document once, so a plain fancy-index add is exact;
        # float32 halves the memory traffic, which is the whole cost on a large corpus.
        out = np.zeros(self.n_docs, dtype=np.float32)
        for r in rows:
            lo, hi = self.indptr[r], self.indptr[r + 1]
            out[self.indices[lo:hi]] += self.weights[lo:hi]
        return out

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        s = self.scores(query, prune=True)
        return top_k(s, k, positive_only=True)

    def save(self, folder: Path) -> list[str]:
        np.save(folder / "bm25_indptr.npy", self.indptr, allow_pickle=False)
        np.save(folder / "bm25_indices.npy", self.indices, allow_pickle=False)
        np.save(folder / "bm25_weights.npy", self.weights, allow_pickle=False)
        np.save(folder / "bm25_idf.npy", self.idf, allow_pickle=False)
        meta = {"vocab": self.vocab, "n_docs": self.n_docs, "params": self.params}
        (folder / "bm25.json").write_text(json.dumps(meta), encoding="utf-8")
        return ["bm25_indptr.npy", "bm25_indices.npy", "bm25_weights.npy", "bm25_idf.npy", "bm25.json"]

    @classmethod
    def load(cls, folder: Path) -> "BM25Index":
        meta = json.loads((folder / "bm25.json").read_text(encoding="utf-8"))
        arrays = [np.load(folder / f"bm25_{n}.npy", allow_pickle=False) for n in ("indptr", "indices", "weights", "idf")]
        return cls(meta["vocab"], *arrays, n_docs=int(meta["n_docs"]), params=meta["params"])


class DenseIndex:
    """Inner product over L2-normalised vectors; exact below a size, HNSW above."""

    def __init__(self, index) -> None:  # type: ignore[no-untyped-def]
        self.index = index

    @classmethod
    def build(cls, vectors: np.ndarray, hnsw_threshold: int = HNSW_THRESHOLD) -> "DenseIndex":
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if len(vectors) >= hnsw_threshold:
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(vectors)
        return cls(index)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(self, query_vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = max(1, min(k, len(self)))
        q = np.ascontiguousarray(np.atleast_2d(query_vectors), dtype=np.float32)
        if len(q) > 1:
            return self.index.search(q, k)
        # One query is too little work to share: OpenMP threads only add start-up and,
        # on a busy machine, spin-waiting (5x slower on 10k vectors, 2 cores). Same results.
        import faiss

        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            return self.index.search(q, k)
        finally:
            faiss.omp_set_num_threads(threads)

    def vectors(self) -> np.ndarray:
        """All stored vectors, in insertion order (for scoring known ids)."""
        return self.index.reconstruct_n(0, len(self))

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> "DenseIndex":
        import faiss

        return cls(faiss.read_index(str(path)))


def top_k(scores: np.ndarray, k: int, positive_only: bool = False) -> list[tuple[int, float]]:
    """Indices of the k largest scores, best first, ties broken by index.

    One argpartition over the whole array (no copies of it), then a sort of k.
    """
    n = len(scores)
    cand = np.argpartition(scores, n - k)[n - k:] if n > k else np.arange(n)
    if positive_only:
        cand = cand[scores[cand] > 0]
    order = sorted(cand.tolist(), key=lambda i: (-float(scores[i]), i))
    return [(i, float(scores[i])) for i in order]


def rrf_fuse(ranked_lists: Sequence[Sequence[int]], k: int = DEFAULT_RRF_K,
             weights: Optional[Sequence[float]] = None) -> list[tuple[int, float]]:
    """Reciprocal rank fusion; ranks count from 1, so the top item adds 1/(k+1)."""
    weights = weights or [1.0] * len(ranked_lists)
    fused: dict[int, float] = {}
    for w, ranked in zip(weights, ranked_lists):
        for rank, item in enumerate(ranked, start=1):
            fused[item] = fused.get(item, 0.0) + w / (k + rank)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def weighted_fuse(scored_lists: Sequence[Sequence[tuple[int, float]]],
                  weights: Optional[Sequence[float]] = None) -> list[tuple[int, float]]:
    """Min-max normalise each list's scores, then add them with weights."""
    weights = weights or [1.0 / len(scored_lists)] * len(scored_lists)
    fused: dict[int, float] = {}
    for w, lst in zip(weights, scored_lists):
        if not lst:
            continue
        vals = np.array([s for _, s in lst], dtype=np.float64)
        lo, hi = float(vals.min()), float(vals.max())
        span = hi - lo or 1.0
        for item, s in lst:
            fused[item] = fused.get(item, 0.0) + w * ((s - lo) / span if hi > lo else 1.0)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
