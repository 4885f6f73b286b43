"""Retrieve: BM25, vector stores behind the VectorStore protocol, fusion, and retrievers."""

from .bm25 import BM25Index
from .registry import STORES, build_store, load_store
from .retriever import Retriever, make_retriever
from .store import VectorStore

__all__ = ["BM25Index", "Retriever", "STORES", "VectorStore", "build_store", "load_store", "make_retriever"]
