"""The Embedder seam: texts in, L2-normalised float32 vectors out.

Why a protocol: the index build, retrieval, the conflict map and the
benchmarks only ever need ``encode``; a test can hand them a model-free
embedder (``hash``) and the scaling benchmark one that serves precomputed
vectors (``FixedEmbedder``), with nothing else changed. Backends are chosen by
name from :data:`EMBEDDERS`.
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence, runtime_checkable

import numpy as np

from ..config import Settings
from ..errors import UsageError


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into unit vectors; ``name`` goes into the index manifest."""

    name: str

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """float32 array of shape (len(texts), dim), each row of length 1."""
        ...


def _sentence_transformers(settings: Settings) -> Embedder:
    from .sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(settings.model, device=settings.device)


def _hash(settings: Settings) -> Embedder:
    from .hashing import HashEmbedder

    _, _, dim = settings.model.partition(":")
    if dim and not dim.isdigit():
        raise UsageError(f"hash embedder dimension must be a number, got {settings.model!r}")
    return HashEmbedder(int(dim) if dim else 256)


# Backend name -> factory. "hash:" model names pick the model-free test embedder.
EMBEDDERS: dict[str, Callable[[Settings], Embedder]] = {
    "sentence-transformers": _sentence_transformers,
    "hash": _hash,
}


def backend_of(model: str) -> str:
    """The backend a model name selects: ``hash`` for ``hash`` / ``hash:...``, else sentence-transformers."""
    return "hash" if model == "hash" or model.startswith("hash:") else "sentence-transformers"


def get_embedder(settings: Settings) -> Embedder:
    """The embedder for ``settings.model``."""
    backend = backend_of(settings.model)
    try:
        factory = EMBEDDERS[backend]
    except KeyError:
        raise UsageError(f"unknown embedder backend {backend!r}") from None
    return factory(settings)
