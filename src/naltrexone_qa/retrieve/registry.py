"""Vector stores by name: the registry behind ``--store`` and the index manifest.

Kept apart from ``store`` so that store modules import the protocol without
importing the registry that imports them; backends load only when chosen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

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


# Store name -> (build from vectors, load saved); imported lazily so FAISS loads only when used.
STORES: dict[str, Callable[[], tuple[StoreBuilder, StoreLoader]]] = {"faiss": _faiss, "numpy": _numpy}


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


def build_store(name: str, ids: Sequence[int], vectors: np.ndarray, settings: RetrievalSettings) -> VectorStore:
    """A store of the named backend holding ``vectors`` under ``ids``."""
    return _backend(name)[0](ids, vectors, settings)


def load_store(name: str, folder: Path, stem: str, settings: RetrievalSettings) -> VectorStore:
    """A store of the named backend, read from ``folder``."""
    return _backend(name)[1](folder, stem, settings)
