"""An embedder that serves precomputed vectors (scaling benchmarks and tests).

Why: a benchmark of retrieval at 100k chunks must time retrieval, not the
model, so the question vectors are computed once and served from memory.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import numpy as np


class FixedEmbedder:
    """Looks texts up in ``vectors``; unknown texts go to ``fallback`` (or raise KeyError)."""

    def __init__(self, name: str, vectors: Mapping[str, np.ndarray], fallback: Optional[Any] = None) -> None:
        self.name = name
        self.vectors = dict(vectors)
        self.fallback = fallback

    @property
    def dim(self) -> int:
        if self.vectors:
            return len(next(iter(self.vectors.values())))
        if self.fallback is None:
            raise KeyError("no vectors and no fallback embedder")
        return int(self.fallback.dim)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        missing = [t for t in texts if t not in self.vectors]
        if missing:
            if self.fallback is None:
                raise KeyError(f"no precomputed vector for {missing[0]!r}")
            for t, v in zip(missing, self.fallback.encode(missing), strict=False):
                self.vectors[t] = v
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32)
