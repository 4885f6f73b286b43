"""Chunks: whole sentences, one section each, overlapping windows."""

from __future__ import annotations

import pytest

from naltrexone_qa.ingest.chunk import ChunkParams, chunk_document, windows
from naltrexone_qa.ingest.corpus import load_corpus
from naltrexone_qa.ingest.segment import segment_document


def test_windows_cover_with_overlap():
    assert windows(0, ChunkParams()) == []
    assert windows(3, ChunkParams(4, 1)) == [(0, 3)]
    assert windows(10, ChunkParams(4, 1)) == [(0, 4), (3, 7), (6, 10)]
    assert windows(8, ChunkParams(4, 1)) == [(0, 4), (3, 7), (6, 8)]


def test_bad_params_rejected():
    with pytest.raises(ValueError):
        ChunkParams(window=2, overlap=2)


def test_chunks_quote_the_document_and_stay_in_a_section(corpus_dir):
    for doc in load_corpus(corpus_dir).values():
        sents = segment_document(doc)
        by_id = {s.id: s for s in sents}
        chunks = chunk_document(doc, sents, ChunkParams())
        assert chunks
        covered = set()
        for c in chunks:
            assert doc.text[c.start : c.end] == c.text
            members = [by_id[i] for i in c.sentence_ids]
            assert {m.section for m in members} == {c.section}
            assert all(not m.promotional and m.kind != "heading" for m in members)
            assert len(members) <= 4
            covered.update(c.sentence_ids)
        quotable = {s.id for s in sents if s.answerable}
        assert quotable <= covered
