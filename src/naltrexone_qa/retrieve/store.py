"""The VectorStore seam: id-keyed vectors with inner-product search.

Why a protocol: retrieval, answering, the conflict map and the index build
only need these few operations, so a second store (NumPy for tests, Milvus for
corpora beyond one machine) is one class. Stores are chosen by name from
``registry.STORES``, and the name is recorded in the index manifest, so changing
the store rebuilds the index. Vectors are L2-normalised, so inner product is cosine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

# (id, score) pairs, best first, for one query.
Matches = list[tuple[int, float]]


@runtime_checkable
class VectorStore(Protocol):
    """What every vector store offers; ids are the caller's (sentence or chunk ids)."""

    name: str

    @property
    def dim(self) -> int: ...

    def __len__(self) -> int: ...

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Store ``vectors`` (n, dim) under ``ids`` (n distinct, not yet stored)."""
        ...

    def search(self, queries: np.ndarray, k: int) -> list[Matches]:
        """For each query row, up to k (id, inner product) pairs, best first."""
        ...

    def get_vectors(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of ``ids``, in that order (KeyError for an unknown id)."""
        ...

    def save(self, folder: Path, stem: str) -> list[str]:
        """Write the store into ``folder``; returns the file names written."""
        ...


class IdMap:
    """Caller ids <-> row positions, with a fast path when ids are 0..n-1 in order."""

    def __init__(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self._pos: dict[int, int] = {}
        self._dense = True

    def __len__(self) -> int:
        return len(self.ids)

    def extend(self, ids: Sequence[int]) -> None:
        new = np.asarray(ids, dtype=np.int64)
        start = len(self.ids)
        for offset, i in enumerate(new.tolist()):
            if i in self._pos:
                raise ValueError(f"id {i} is already stored")
            self._pos[i] = start + offset
        self.ids = np.concatenate([self.ids, new])
        self._dense = bool(np.array_equal(self.ids, np.arange(len(self.ids))))

    def positions(self, ids: Sequence[int]) -> np.ndarray:
        if self._dense:
            arr = np.asarray(ids, dtype=np.int64)
            if len(arr) and (arr.min() < 0 or arr.max() >= len(self.ids)):
                raise KeyError(f"unknown id in {arr.tolist()[:5]}")
            return arr
        return np.array([self._pos[int(i)] for i in ids], dtype=np.int64)

    def to_ids(self, positions: np.ndarray) -> np.ndarray:
        return positions if self._dense else self.ids[positions]
