"""Embeddings cached by a hash of (model, text), saved as one .npy and one JSON list.

Why: rebuilding an index after one document changes should embed only that
document's text, and benchmarks over thousands of documents should resume
where an interrupted run stopped. Nothing is pickled.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

import numpy as np

from .base import Embedder

log = logging.getLogger(__name__)


def text_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()[:32]


class EmbeddingCache:
    """Vectors keyed by (model, text) hash."""

    def __init__(self, model: str, keys: Optional[list[str]] = None, vectors: Optional[np.ndarray] = None) -> None:
        self.model = model
        self._rows: dict[str, np.ndarray] = {}
        if keys is not None and vectors is not None:
            self._rows = {k: vectors[i] for i, k in enumerate(keys)}

    def __len__(self) -> int:
        return len(self._rows)

    def missing(self, texts: Sequence[str]) -> int:
        """How many distinct ``texts`` are not cached yet (what ``embed`` would encode)."""
        return len({text_key(self.model, t) for t in texts} - set(self._rows))

    def embed(
        self,
        texts: Sequence[str],
        embedder: Embedder,
        batch_size: int = 32,
        progress: Optional[Callable[[int], None]] = None,
    ) -> np.ndarray:
        """Vectors for ``texts``, encoding only those not cached yet.

        ``progress`` is called with the number of texts just encoded (never for
        cached ones, so a rate computed from it means something).
        """
        keys = [text_key(self.model, t) for t in texts]
        # Longest first, so each group of batches pads as little as one sorted encode() call would.
        pending = {k: t for k, t in zip(keys, texts, strict=False) if k not in self._rows}
        missing = sorted(pending.items(), key=lambda kt: (-len(kt[1]), kt[0]))
        if missing:
            log.info("embedding %d new texts (%d cached)", len(missing), len(texts) - len(missing))
        for start in range(0, len(missing), batch_size * 4):
            part = missing[start : start + batch_size * 4]
            vecs = embedder.encode([t for _, t in part], batch_size=batch_size)
            for (k, _), v in zip(part, vecs, strict=False):
                self._rows[k] = v
            if progress:
                progress(len(part))
        if not keys:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.stack([self._rows[k] for k in keys]).astype(np.float32)

    def restrict(self, texts: Iterable[str]) -> EmbeddingCache:
        """A cache holding only ``texts`` (so a saved cache never grows stale)."""
        out = EmbeddingCache(self.model)
        for t in texts:
            k = text_key(self.model, t)
            if k in self._rows:
                out._rows[k] = self._rows[k]
        return out

    def save(self, folder: Path, stem: str = "embedding_cache") -> list[str]:
        keys = sorted(self._rows)
        arr = np.stack([self._rows[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)
        np.save(folder / f"{stem}.npy", arr.astype(np.float32), allow_pickle=False)
        (folder / f"{stem}.json").write_text(json.dumps({"model": self.model, "keys": keys}), encoding="utf-8")
        return [f"{stem}.npy", f"{stem}.json"]

    @classmethod
    def load(cls, folder: Path, model: str, stem: str = "embedding_cache") -> EmbeddingCache:
        """The cache saved in ``folder`` for ``model``, or an empty one."""
        try:
            meta = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
            if meta.get("model") != model:
                return cls(model)
            vecs = np.load(folder / f"{stem}.npy", allow_pickle=False)
            if len(vecs) != len(meta["keys"]):
                return cls(model)
            return cls(model, list(meta["keys"]), vecs)
        except (OSError, ValueError, KeyError):
            return cls(model)
