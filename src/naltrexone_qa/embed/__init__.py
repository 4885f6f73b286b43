"""Embed: the Embedder protocol, its backends (chosen by name) and the embedding cache."""

from .base import EMBEDDERS, Embedder, get_embedder
from .cache import EmbeddingCache

__all__ = ["EMBEDDERS", "Embedder", "EmbeddingCache", "get_embedder"]
