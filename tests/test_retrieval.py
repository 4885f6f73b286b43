"""BM25 against rank-bm25, fusion, and the small-corpus IDF trap."""

from __future__ import annotations

import numpy as np
from rank_bm25 import BM25Plus

from naltrexone_qa.retrieval import BM25Index, DenseIndex, rrf_fuse, top_k, weighted_fuse
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
        absent = np.array([sum(ref.idf.get(t, 0) * ref.delta for t in terms if t not in doc)
                           for doc in ref.doc_freqs])
        assert np.allclose(idx.scores(q), ref.get_scores(terms) - absent, atol=1e-4), q


def test_ubiquitous_term_never_goes_negative_and_ranks_sensibly():
    idx = BM25Index.build(TEXTS)
    assert idx.term_idf("naltrexon") is not None and idx.term_idf("naltrexon") >= 0
    assert (idx.scores("naltrexone") >= 0).all()
    assert idx.search("naltrexone gabapentin", 1)[0][0] == 0
    assert idx.search("does naltrexone block benzodiazepines", 1)[0][0] == 1
    assert idx.search("naltrexone liver", 1)[0][0] == 3


def test_bm25_on_the_real_corpus_finds_the_right_article(qa):
    for query, doc in [("naltrexone gabapentin together", "naltrexone-gabapentin"),
                       ("naltrexone block benzodiazepines", "naltrexone-benzodiazepines"),
                       ("naltrexone multiple sclerosis", "naltrexone-effects-uses-risks")]:
        hits = qa.retrieve(query, k=3, mode="bm25")
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


def test_dense_flat_and_hnsw_agree_on_the_nearest():
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(300, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    flat = DenseIndex.build(vecs)
    hnsw = DenseIndex.build(vecs, hnsw_threshold=100)
    q = vecs[:5]
    assert (flat.search(q, 1)[1][:, 0] == np.arange(5)).all()
    assert (hnsw.search(q, 1)[1][:, 0] == np.arange(5)).all()
    assert np.allclose(flat.vectors(), vecs)


def test_top_k_orders_and_breaks_ties_by_index():
    assert top_k(np.array([0.5, 0.9, 0.5, 0.0]), 3) == [(1, 0.9), (0, 0.5), (2, 0.5)]
    assert top_k(np.array([0.0, 0.0]), 3, positive_only=True) == []
