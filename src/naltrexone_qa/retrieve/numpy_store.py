"""An exact vector store in plain NumPy: the reference the other stores are tested against.

Why ship it: it proves the store seam (the pipeline answers with it, and it
passes the same contract tests as FAISS), it needs no native library, and for
a few thousand vectors a matrix product is as fast as any index.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from ..config import RetrievalSettings
from .store import IdMap, Matches


class NumpyStore:
    """Vectors in one float32 matrix; search is a matrix product and a partial sort."""

    name = "numpy"

    def __init__(self, dim: int) -> None:
        self._dim = dim
        self._vectors = np.zeros((0, dim), dtype=np.float32)
        self._ids = IdMap()

    @classmethod
    def build(cls, ids: Sequence[int], vectors: np.ndarray, settings: RetrievalSettings) -> NumpyStore:
        store = cls(int(np.atleast_2d(vectors).shape[1]))
        if len(ids):
            store.add(ids, vectors)
        return store

    @property
    def dim(self) -> int:
        return self._dim

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self._dim or len(vectors) != len(ids):
            raise ValueError(f"expected {len(ids)} vectors of dimension {self._dim}, got {vectors.shape}")
        self._ids.extend(ids)
        self._vectors = np.vstack([self._vectors, vectors])

    def search(self, queries: np.ndarray, k: int) -> list[Matches]:
        q = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if not len(self) or k < 1:
            return [[] for _ in q]
        k = min(k, len(self))
        sims = q @ self._vectors.T
        out = []
        for row in sims:
            top = np.argpartition(-row, k - 1)[:k] if k < len(row) else np.arange(len(row))
            top = top[np.lexsort((top, -row[top]))]
            ids = self._ids.to_ids(top)
            out.append([(int(i), float(row[p])) for i, p in zip(ids, top, strict=False)])
        return out

    def get_vectors(self, ids: Sequence[int]) -> np.ndarray:
        return self._vectors[self._ids.positions(ids)]

    def save(self, folder: Path, stem: str) -> list[str]:
        np.save(folder / f"{stem}.npy", self._vectors, allow_pickle=False)
        np.save(folder / f"{stem}.ids.npy", self._ids.ids, allow_pickle=False)
        (folder / f"{stem}.json").write_text(json.dumps({"store": self.name, "dim": self._dim}), encoding="utf-8")
        return [f"{stem}.npy", f"{stem}.ids.npy", f"{stem}.json"]

    @classmethod
    def load(cls, folder: Path, stem: str, settings: RetrievalSettings) -> NumpyStore:
        meta = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
        store = cls(int(meta["dim"]))
        vectors = np.load(folder / f"{stem}.npy", allow_pickle=False)
        ids = np.load(folder / f"{stem}.ids.npy", allow_pickle=False)
        if len(ids):
            store.add(ids.tolist(), vectors)
        return store
