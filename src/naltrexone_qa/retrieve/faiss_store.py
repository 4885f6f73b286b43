"""The default vector store: FAISS, exact below a size and HNSW above.

Inner product over L2-normalised vectors. FAISS positions never leave this
module: ids are mapped to positions here, and a copy of the vectors is kept in
memory so that ``get_vectors`` (answering scores known sentences) is one
fancy index instead of per-id reconstruction. FAISS's OpenMP thread count is
process-wide, so it is set once (:func:`set_threads`), never per query.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..config import RetrievalSettings
from .store import IdMap, Matches

_threads_lock = threading.Lock()
_threads_set: list[int] = []


def set_threads(n: int) -> None:
    """Set FAISS's OpenMP threads for this process (first call wins; later calls are no-ops)."""
    with _threads_lock:
        if _threads_set:
            return
        import faiss

        faiss.omp_set_num_threads(max(1, n))
        _threads_set.append(n)


class FaissStore:
    """A FAISS index (IndexFlatIP or IndexHNSWFlat) plus the id map and the vectors."""

    name = "faiss"

    def __init__(self, index: Any, ids: IdMap, vectors: np.ndarray) -> None:
        self.index = index
        self._ids = ids
        self._vectors = vectors

    @staticmethod
    def _new_index(dim: int, settings: RetrievalSettings, n: int) -> Any:
        import faiss

        if n >= settings.hnsw_threshold:
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = settings.hnsw_ef_search
            return index
        return faiss.IndexFlatIP(dim)

    @classmethod
    def build(cls, ids: Sequence[int], vectors: np.ndarray, settings: RetrievalSettings) -> FaissStore:
        """A store sized for ``vectors`` (HNSW when there are many), holding them."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        store = cls(
            cls._new_index(vectors.shape[1], settings, len(vectors)),
            IdMap(),
            np.zeros((0, vectors.shape[1]), dtype=np.float32),
        )
        if len(ids):
            store.add(ids, vectors)
        return store

    @property
    def dim(self) -> int:
        return int(self.index.d)

    @property
    def kind(self) -> str:
        """The FAISS index class (IndexFlatIP or IndexHNSWFlat)."""
        return type(self.index).__name__

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim or len(vectors) != len(ids):
            raise ValueError(f"expected {len(ids)} vectors of dimension {self.dim}, got {vectors.shape}")
        self._ids.extend(ids)
        self.index.add(vectors)
        self._vectors = np.vstack([self._vectors, vectors]) if len(self._vectors) else vectors

    def search(self, queries: np.ndarray, k: int) -> list[Matches]:
        q = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if not len(self) or k < 1:
            return [[] for _ in q]
        scores, positions = self.index.search(q, min(k, len(self)))
        out = []
        for srow, prow in zip(scores, positions, strict=False):
            keep = prow >= 0  # FAISS pads with -1 when it finds fewer than k
            ids = self._ids.to_ids(prow[keep])
            out.append([(int(i), float(s)) for i, s in zip(ids, srow[keep], strict=False)])
        return out

    def get_vectors(self, ids: Sequence[int]) -> np.ndarray:
        return self._vectors[self._ids.positions(ids)]

    def save(self, folder: Path, stem: str) -> list[str]:
        import faiss

        faiss.write_index(self.index, str(folder / f"{stem}.faiss"))
        np.save(folder / f"{stem}.ids.npy", self._ids.ids, allow_pickle=False)
        (folder / f"{stem}.json").write_text(json.dumps({"store": self.name, "index": self.kind}), encoding="utf-8")
        return [f"{stem}.faiss", f"{stem}.ids.npy", f"{stem}.json"]

    @classmethod
    def load(cls, folder: Path, stem: str, settings: RetrievalSettings) -> FaissStore:
        import faiss

        index = faiss.read_index(str(folder / f"{stem}.faiss"))
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = settings.hnsw_ef_search
        ids = IdMap()
        ids.extend(np.load(folder / f"{stem}.ids.npy", allow_pickle=False).tolist())
        if len(ids) != index.ntotal:
            raise ValueError(f"{stem}: {index.ntotal} vectors but {len(ids)} ids")
        vectors = index.reconstruct_n(0, index.ntotal) if index.ntotal else np.zeros((0, index.d), np.float32)
        return cls(index, ids, np.ascontiguousarray(vectors, dtype=np.float32))
