"""Vector stores by name: the registry behind ``--store`` and the index manifest.

Kept apart from ``store`` so that store modules import the protocol without
importing the registry that imports them; backends load only when chosen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from ..config import RetrievalSettings
from ..errors import UsageError
from .store import VectorStore

StoreBuilder = Callable[[Sequence[int], np.ndarray, RetrievalSettings], VectorStore]
StoreLoader = Callable[[Path, str, RetrievalSettings], VectorStore]


def _faiss() -> tuple[StoreBuilder, StoreLoader]:
    from .faiss_store import FaissStore

    return FaissStore.build, FaissStore.load


def _numpy() -> tuple[StoreBuilder, StoreLoader]:
    from .numpy_store import NumpyStore

    return NumpyStore.build, NumpyStore.load


def _milvus() -> tuple[StoreBuilder, StoreLoader]:
    from .milvus_store import MilvusStore

    return MilvusStore.build, MilvusStore.load


# Store name -> (build from vectors, load saved); imported lazily so FAISS loads only when used.
STORES: dict[str, Callable[[], tuple[StoreBuilder, StoreLoader]]] = {
    "faiss": _faiss,
    "numpy": _numpy,
    "milvus": _milvus,
}
# Stores that search their own text (BM25 inside the store): the index build hands them the texts.
TEXT_STORES = frozenset({"milvus"})


def _backend(name: str) -> tuple[StoreBuilder, StoreLoader]:
    try:
        return STORES[name]()
    except KeyError:
        raise UsageError(f"unknown vector store {name!r}; choose one of {', '.join(STORES)}") from None


def check_store_name(name: str) -> str:
    """``name`` if a store of that name exists, else a UsageError listing the choices."""
    if name not in STORES:
        raise UsageError(f"unknown vector store {name!r}; choose one of {', '.join(STORES)}")
    return name


def build_store(
    name: str,
    ids: Sequence[int],
    vectors: np.ndarray,
    settings: RetrievalSettings,
    texts: Optional[Sequence[str]] = None,
) -> VectorStore:
    """A store of the named backend holding ``vectors`` under ``ids`` (and ``texts``, when it searches text)."""
    if name in TEXT_STORES:
        from .milvus_store import MilvusStore

        return MilvusStore.build(ids, vectors, settings, texts=texts)
    return _backend(name)[0](ids, vectors, settings)


def drop_saved_store(folder: Path, stem: str, settings: RetrievalSettings) -> None:
    """Release what a saved store holds outside its folder (a Milvus collection); a no-op for file stores."""
    import json

    try:
        name = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8")).get("store")
    except (OSError, ValueError, AttributeError):
        return
    if name in TEXT_STORES:
        from .milvus_store import MilvusStore

        MilvusStore.drop(folder, stem, settings)


def load_store(name: str, folder: Path, stem: str, settings: RetrievalSettings) -> VectorStore:
    """A store of the named backend, read from ``folder``."""
    return _backend(name)[1](folder, stem, settings)
