"""Ingest: corpus files -> Documents -> Sentences and Chunks with exact offsets.

Everything after this stage quotes ``document.text[start:end]``, so this is
where offsets are made and checked.
"""

from .chunk import chunk_document, chunk_search_text, sentence_search_text
from .corpus import load_corpus
from .segment import segment_document

__all__ = ["chunk_document", "chunk_search_text", "load_corpus", "segment_document", "sentence_search_text"]
