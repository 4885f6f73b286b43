"""The VectorStore contract, run against every store: FAISS (flat and HNSW), NumPy and Milvus Lite."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from naltrexone_qa.config import RetrievalSettings
from naltrexone_qa.errors import UsageError
from naltrexone_qa.retrieve.registry import STORES, build_store, load_store
from naltrexone_qa.retrieve.store import VectorStore

FLAT = RetrievalSettings()
HNSW = RetrievalSettings(hnsw_threshold=10)
CASES = [("faiss", FLAT), ("faiss", HNSW), ("numpy", FLAT), ("milvus", FLAT)]


def unit(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture(scope="session")
def milvus_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One Milvus Lite database for the session (real Milvus code, in a local process)."""
    return str(tmp_path_factory.mktemp("milvus") / "stores.db")


@pytest.fixture(params=CASES, ids=["faiss-flat", "faiss-hnsw", "numpy", "milvus-lite"])
def case(request: pytest.FixtureRequest, milvus_uri: str) -> tuple[str, RetrievalSettings]:
    name, settings = request.param
    return (name, replace(settings, milvus_uri=milvus_uri)) if name == "milvus" else (name, settings)


def test_search_finds_each_vector_first_with_its_own_id(case):
    name, settings = case
    vecs = unit(200)
    ids = list(range(1000, 1200))  # ids are the caller's, not positions
    store = build_store(name, ids, vecs, settings)
    assert isinstance(store, VectorStore) and store.name == name and len(store) == 200 and store.dim == 16
    results = store.search(vecs[:20], 5)
    assert len(results) == 20
    for row, matches in enumerate(results):
        assert matches[0][0] == 1000 + row and matches[0][1] == pytest.approx(1.0, abs=1e-5)
        scores = [s for _, s in matches]
        assert scores == sorted(scores, reverse=True) and len(matches) == 5


def test_search_agrees_with_brute_force(case):
    name, settings = case
    vecs, queries = unit(300, seed=1), unit(10, seed=2)
    store = build_store(name, list(range(300)), vecs, settings)
    exact = np.argsort(-(queries @ vecs.T), axis=1)[:, :10]
    got = np.array([[i for i, _ in m] for m in store.search(queries, 10)])
    overlap = np.mean([len(set(g) & set(e)) / 10 for g, e in zip(got, exact, strict=True)])
    assert overlap >= (0.95 if settings is HNSW else 1.0)


def test_get_vectors_returns_the_stored_rows_in_order(case):
    name, settings = case
    vecs = unit(50, seed=3)
    store = build_store(name, list(range(50)), vecs, settings)
    assert np.allclose(store.get_vectors([7, 3, 7]), vecs[[7, 3, 7]], atol=1e-6)
    with pytest.raises((KeyError, IndexError)):
        store.get_vectors([50])


def test_k_larger_than_the_store_and_empty_store(case):
    name, settings = case
    store = build_store(name, [5, 9], unit(2), settings)
    assert [i for i, _ in store.search(unit(1, seed=4), 10)[0]] in ([5, 9], [9, 5])
    empty = build_store(name, [], np.zeros((0, 16), np.float32), settings)
    assert len(empty) == 0 and empty.search(unit(1), 3) == [[]]


def test_add_rejects_duplicate_ids_and_bad_shapes(case):
    name, settings = case
    store = build_store(name, [1, 2], unit(2), settings)
    with pytest.raises(ValueError):
        store.add([2], unit(1))
    with pytest.raises(ValueError):
        store.add([3], unit(1, dim=8))


def test_save_and_load_round_trip_without_pickle(case, tmp_path: Path):
    name, settings = case
    vecs = unit(120, seed=5)
    ids = [i * 3 for i in range(120)]
    store = build_store(name, ids, vecs, settings)
    files = store.save(tmp_path, "vecs")
    assert files and all((tmp_path / f).is_file() for f in files)
    for f in files:
        if f.endswith(".npy"):
            np.load(tmp_path / f, allow_pickle=False)
    again = load_store(name, tmp_path, "vecs", settings)
    assert len(again) == 120
    assert again.search(vecs[:3], 3) == store.search(vecs[:3], 3)
    assert np.allclose(again.get_vectors([ids[7]]), vecs[[7]], atol=1e-6)


def test_milvus_ranks_text_with_its_bm25_and_fuses_inside(milvus_uri: str):
    from naltrexone_qa.retrieve.fusion import rrf_fuse

    settings = replace(FLAT, milvus_uri=milvus_uri, candidates=5)
    texts = [
        "Naltrexone blocks the effects of opioids.",
        "Alcohol cravings are reduced by naltrexone.",
        "Benzodiazepines are not blocked by naltrexone.",
        "The weather is nice today.",
        "Blocking opioid receptors prevents euphoria.",
        "Liver tests are advised before treatment.",
    ]
    vecs = unit(6, seed=7)
    store = build_store("milvus", [10, 11, 12, 13, 14, 15], vecs, settings, texts=texts)
    bm25 = store.search_text("blocked opioids", 6)
    assert {i for i, _ in bm25} == {10, 12, 14} and all(s > 0 for _, s in bm25)
    assert store.search_text("weather", 3)[0][0] == 13
    fused = store.search_hybrid("blocked opioids", vecs[3], 4)
    dense = [i for i, _ in store.search(vecs[3], 5)[0]]
    expected = rrf_fuse([[i for i, _ in bm25], dense], k=settings.rrf_k)[:4]
    assert [i for i, _ in fused] == [i for i, _ in expected]
    assert [s for _, s in fused] == pytest.approx([s for _, s in expected], abs=1e-6)


def test_unknown_store_is_a_usage_error():
    assert set(STORES) >= {"faiss", "numpy", "milvus"}
    with pytest.raises(UsageError, match="unknown vector store 'qdrant'"):
        build_store("qdrant", [], np.zeros((0, 4), np.float32), FLAT)
