"""BM25+ over chunk texts, with precomputed term weights and a vectorised search.

BM25 statistics come from rank-bm25 (BM25+ variant: its IDF, log((N+1)/df),
never goes below zero, so a word found in nearly every chunk, such as
"naltrexone" here, weighs almost nothing instead of turning negative or being
floored above rarer words). The delta of BM25+ is added only where a term
occurs, as Lv & Zhai define it (rank-bm25 adds it to every document). The
per-term weights are precomputed into a term-major sparse matrix so a query
costs one pass over its terms' postings, and the index is saved as NumPy arrays
plus JSON, never pickled.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ..text import tokenize

# log((N+1)/df) below this means the term is in over ~85% of documents.
DEFAULT_MIN_IDF = 0.15
FILES = ["bm25_indptr.npy", "bm25_indices.npy", "bm25_weights.npy", "bm25_idf.npy", "bm25.json"]


class BM25Index:
    """BM25+ with precomputed term weights; ``search`` is vectorised."""

    def __init__(
        self,
        vocab: dict[str, int],
        indptr: np.ndarray,
        indices: np.ndarray,
        weights: np.ndarray,
        idf: np.ndarray,
        n_docs: int,
        params: dict[str, float],
        min_idf: float = DEFAULT_MIN_IDF,
    ) -> None:
        self.vocab = vocab
        self.idf = idf
        self.indptr = indptr
        self.indices = indices
        self.weights = weights
        self.n_docs = n_docs
        self.params = params
        self.min_idf = min_idf
        self.max_idf = float(idf.max()) if len(idf) else 1.0

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        k1: float = 1.2,
        b: float = 0.75,
        delta: float = 1.0,
        min_idf: float = DEFAULT_MIN_IDF,
    ) -> BM25Index:
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
            ids, ws = zip(*postings[t], strict=False)
            indices[indptr[i] : indptr[i + 1]] = ids
            weights[indptr[i] : indptr[i + 1]] = ws
        idf = np.array([bm.idf[t] for t in sorted(postings)], dtype=np.float32)
        params = {"k1": k1, "b": b, "delta": delta, "avgdl": float(bm.avgdl)}
        return cls(vocab, indptr, indices, weights, idf, len(texts), params, min_idf)

    def term_idf(self, term: str) -> Optional[float]:
        """The IDF of a stemmed term, or None when the corpus lacks it."""
        i = self.vocab.get(term)
        return None if i is None else float(self.idf[i])

    def scores(self, query: str, prune: bool = False) -> np.ndarray:
        """A BM25+ score for every document (0 where no query term occurs).

        With ``prune``, terms found in nearly every document (IDF below
        ``min_idf``, e.g. "naltrexone" here) are skipped when rarer terms are
        present: they add almost the same small amount to every document, yet
        their postings are the longest, so scoring them is most of the cost on
        a large corpus.
        """
        rows = [self.vocab[t] for t in tokenize(query) if t in self.vocab]
        if prune:
            kept = [r for r in rows if self.idf[r] >= self.min_idf]
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
        """(document number, score) of the k best documents with a positive score, best first."""
        s = self.scores(query, prune=True)
        return top_k(s, k, positive_only=True)

    def save(self, folder: Path) -> list[str]:
        np.save(folder / "bm25_indptr.npy", self.indptr, allow_pickle=False)
        np.save(folder / "bm25_indices.npy", self.indices, allow_pickle=False)
        np.save(folder / "bm25_weights.npy", self.weights, allow_pickle=False)
        np.save(folder / "bm25_idf.npy", self.idf, allow_pickle=False)
        meta = {"vocab": self.vocab, "n_docs": self.n_docs, "params": self.params}
        (folder / "bm25.json").write_text(json.dumps(meta), encoding="utf-8")
        return list(FILES)

    @classmethod
    def load(cls, folder: Path, min_idf: float = DEFAULT_MIN_IDF) -> BM25Index:
        meta = json.loads((folder / "bm25.json").read_text(encoding="utf-8"))
        indptr, indices, weights, idf = (
            np.load(folder / f"bm25_{n}.npy", allow_pickle=False) for n in ("indptr", "indices", "weights", "idf")
        )
        return cls(
            meta["vocab"],
            indptr,
            indices,
            weights,
            idf,
            n_docs=int(meta["n_docs"]),
            params=meta["params"],
            min_idf=min_idf,
        )


def top_k(scores: np.ndarray, k: int, positive_only: bool = False) -> list[tuple[int, float]]:
    """Indices of the k largest scores, best first, ties broken by index.

    One argpartition over the whole array (no copies of it), then a sort of k.
    """
    n = len(scores)
    cand = np.argpartition(scores, n - k)[n - k :] if n > k else np.arange(n)
    if positive_only:
        cand = cand[scores[cand] > 0]
    order = sorted(cand.tolist(), key=lambda i: (-float(scores[i]), i))
    return [(i, float(scores[i])) for i in order]
