"""Index: build (segment, embed, BM25, vectors, conflict map), store atomically, load validated."""

from .build import build_index, ensure_index
from .loaded import LoadedIndex, load_index
from .store import IndexInvalid, IndexSettings

__all__ = ["IndexInvalid", "IndexSettings", "LoadedIndex", "build_index", "ensure_index", "load_index"]
