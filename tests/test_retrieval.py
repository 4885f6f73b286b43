"""BM25 against rank-bm25, fusion, the small-corpus IDF trap, and the Retriever protocol."""

from __future__ import annotations

import numpy as np
from rank_bm25 import BM25Plus

from naltrexone_qa.config import Fusion, Mode, RetrievalSettings
from naltrexone_qa.embed.hashing import HashEmbedder
from naltrexone_qa.retrieve.bm25 import BM25Index, top_k
from naltrexone_qa.retrieve.fusion import fuse, rrf_fuse, weighted_fuse
from naltrexone_qa.retrieve.registry import build_store
from naltrexone_qa.retrieve.retriever import Retriever, make_retriever
from naltrexone_qa.text import tokenize

TEXTS = [
    "Naltrexone and gabapentin may be prescribed together for alcohol dependence.",
    "Naltrexone does not block the effects of benzodiazepines such as diazepam.",
    "Naltrexone blocks opioid receptors; taking opioids while on naltrexone is useless.",
    "Naltrexone can cause liver damage at high doses.",
    "Naltrexone is an opioid antagonist.",
]


def test_scores_match_rank_bm25_bm25plus():
    """rank-bm25 adds idf*delta even to documents without the term; BM25+ (Lv & Zhai) does not."""
    idx = BM25Index.build(TEXTS)
    ref = BM25Plus([tokenize(t) for t in TEXTS], k1=1.2, b=0.75, delta=1.0)
    for q in ["naltrexone gabapentin", "block benzodiazepines", "liver damage doses", "opioid"]:
        terms = tokenize(q)
        absent = np.array([sum(ref.idf.get(t, 0) * ref.delta for t in terms if t not in doc) for doc in ref.doc_freqs])
        assert np.allclose(idx.scores(q), ref.get_scores(terms) - absent, atol=1e-4), q


def test_ubiquitous_term_never_goes_negative_and_ranks_sensibly():
    idx = BM25Index.build(TEXTS)
    assert idx.term_idf("naltrexon") is not None and idx.term_idf("naltrexon") >= 0
    assert (idx.scores("naltrexone") >= 0).all()
    assert idx.search("naltrexone gabapentin", 1)[0][0] == 0
    assert idx.search("does naltrexone block benzodiazepines", 1)[0][0] == 1
    assert idx.search("naltrexone liver", 1)[0][0] == 3


def test_bm25_on_the_real_corpus_finds_the_right_article(hash_qa):
    for query, doc in [
        ("naltrexone gabapentin together", "naltrexone-gabapentin"),
        ("naltrexone block benzodiazepines", "naltrexone-benzodiazepines"),
        ("naltrexone multiple sclerosis", "naltrexone-effects-uses-risks"),
    ]:
        hits = hash_qa.retrieve(query, k=3, mode="bm25")
        assert hits[0].doc_id == doc, (query, hits)


def test_bm25_save_load_roundtrip(tmp_path):
    idx = BM25Index.build(TEXTS)
    idx.save(tmp_path)
    again = BM25Index.load(tmp_path)
    assert np.allclose(idx.scores("opioid receptors"), again.scores("opioid receptors"))


def test_rrf_counts_ranks_from_one():
    fused = rrf_fuse([[7, 8], [8, 9]], k=60)
    assert fused[0] == (8, 1 / 62 + 1 / 61)
    assert dict(fused)[7] == 1 / 61


def test_weighted_fusion_normalises():
    fused = weighted_fuse([[(1, 10.0), (2, 0.0)], [(2, 0.9), (1, 0.1)]], weights=[0.5, 0.5])
    assert dict(fused) == {1: 0.5, 2: 0.5}


def test_fusion_is_an_enum_and_dispatches():
    lists = [[(1, 10.0), (2, 0.0)], [(2, 0.9), (1, 0.1)]]
    assert fuse(Fusion.RRF, lists, 60, (0.5, 0.5)) == rrf_fuse([[1, 2], [2, 1]], k=60)
    assert fuse(Fusion.WEIGHTED, lists, 60, (0.5, 0.5)) == weighted_fuse(lists, [0.5, 0.5])
    assert Fusion.from_str("RRF") is Fusion.RRF


def test_top_k_orders_and_breaks_ties_by_index():
    assert top_k(np.array([0.5, 0.9, 0.5, 0.0]), 3) == [(1, 0.9), (0, 0.5), (2, 0.5)]
    assert top_k(np.array([0.0, 0.0]), 3, positive_only=True) == []


def test_every_retriever_meets_the_protocol():
    """Each mode's retriever: ranks from 1, at most k hits, valid chunk ids, the right document per chunk."""
    emb = HashEmbedder()
    settings = RetrievalSettings()
    bm25 = BM25Index.build(TEXTS)
    store = build_store("numpy", list(range(len(TEXTS))), emb.encode(TEXTS), settings)
    docs = [f"doc{i}" for i in range(len(TEXTS))]
    for mode in Mode:
        r = make_retriever(mode, bm25, store, docs, emb, settings)
        assert isinstance(r, Retriever)
        hits = r.retrieve("naltrexone liver damage", 3)
        assert 1 <= len(hits) <= 3 and [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert all(h.doc_id == docs[h.chunk_id] for h in hits)
        assert hits[0].chunk_id == 3, mode
        qvec = emb.encode(["naltrexone liver damage"])[0]
        assert [h.chunk_id for h in r.retrieve("naltrexone liver damage", 3, qvec)] == [h.chunk_id for h in hits]
