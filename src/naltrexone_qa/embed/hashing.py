"""A deterministic embedder with no model: hashed word and character n-grams.

Why ship it: tests of indexing, storage, retrieval plumbing and the fast test
tier need real vectors that are cheap, stable across machines and runs, and
similar for texts that share words; loading a transformer for that costs
seconds per test process. Quality is far below MiniLM; never use it to answer.
"""

from __future__ import annotations

import hashlib
from typing import Sequence

import numpy as np

from ..text import words


class HashEmbedder:
    """Feature hashing of word unigrams, bigrams and character trigrams into ``dim`` buckets."""

    def __init__(self, dim: int = 256) -> None:
        self.name = f"hash:{dim}"
        self._dim = dim

    @property
    def dim(self) -> int:
        return self._dim

    def _bucket(self, feature: str) -> tuple[int, float]:
        h = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(h, "little")
        return value % self._dim, 1.0 if (value >> 63) & 1 else -1.0

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            toks = words(text)
            feats = toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]
            feats += [f"#{w[i : i + 3]}" for w in toks for i in range(max(1, len(w) - 2))]
            for f in feats:
                col, sign = self._bucket(f)
                out[row, col] += sign
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
            else:
                out[row, 0] = 1.0
        return out
