"""Embedders behind the Embedder protocol: contract, offline loading, clear errors, the cache."""

from __future__ import annotations

import numpy as np
import pytest

from naltrexone_qa.config import DEFAULT_MODEL, Settings
from naltrexone_qa.embed.base import Embedder, backend_of, get_embedder
from naltrexone_qa.embed.cache import EmbeddingCache
from naltrexone_qa.embed.fixed import FixedEmbedder
from naltrexone_qa.embed.hashing import HashEmbedder
from naltrexone_qa.embed.sentence_transformers import SentenceTransformerEmbedder
from naltrexone_qa.errors import ModelError, UsageError

TEXTS = ["naltrexone blocks opioid receptors", "gabapentin", "", "Naltrexone blocks opioid receptors!"]


def check_embedder_contract(emb: Embedder) -> None:
    """What every Embedder promises: float32 (n, dim), unit rows, deterministic, order kept."""
    assert isinstance(emb, Embedder)
    vecs = emb.encode(TEXTS)
    assert vecs.shape == (len(TEXTS), emb.dim) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(emb.encode(TEXTS), vecs)
    assert np.allclose(emb.encode(TEXTS[::-1]), vecs[::-1], atol=1e-6)
    assert emb.encode([]).shape == (0, emb.dim)
    # similar texts are closer than unrelated ones
    assert vecs[0] @ vecs[3] > vecs[0] @ vecs[1]
    assert isinstance(emb.name, str) and emb.name


def test_hash_embedder_meets_the_contract():
    check_embedder_contract(HashEmbedder())


def test_fixed_embedder_meets_the_contract():
    check_embedder_contract(FixedEmbedder("fixed", {}, fallback=HashEmbedder(64)))


def test_sentence_transformer_meets_the_contract(embedder):
    check_embedder_contract(embedder)
    assert embedder.dim == 384


def test_backends_are_chosen_by_model_name():
    assert backend_of("hash:32") == "hash" and backend_of(DEFAULT_MODEL) == "sentence-transformers"
    emb = get_embedder(Settings(model="hash:32"))
    assert isinstance(emb, HashEmbedder) and emb.dim == 32 and emb.name == "hash:32"
    assert isinstance(get_embedder(Settings()), SentenceTransformerEmbedder)
    with pytest.raises(UsageError, match="dimension"):
        get_embedder(Settings(model="hash:many"))


def test_model_name_comes_from_options_then_environment():
    assert Settings.from_env({}).model == DEFAULT_MODEL
    env = {"NALTREXONE_QA_MODEL": "my/model"}
    assert Settings.from_env(env).model == "my/model"
    assert Settings.from_env(env, model="other").model == "other"


def test_unloadable_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="cannot load embedding model"):
        SentenceTransformerEmbedder(str(tmp_path / "no-such-model")).encode(["x"])


def test_cache_embeds_only_new_texts_and_round_trips(tmp_path, monkeypatch):
    emb = HashEmbedder()
    cache = EmbeddingCache(emb.name)
    first = cache.embed(["alpha", "beta"], emb)
    calls: list[int] = []
    real = emb.encode
    monkeypatch.setattr(emb, "encode", lambda texts, **kw: (calls.append(len(texts)), real(texts, **kw))[1])
    assert cache.missing(["beta", "gamma", "alpha", "gamma"]) == 1
    again = cache.embed(["beta", "gamma", "alpha"], emb)
    assert calls == [1]
    assert np.allclose(again[0], first[1]) and np.allclose(again[2], first[0])
    cache.restrict(["alpha", "gamma"]).save(tmp_path)
    loaded = EmbeddingCache.load(tmp_path, emb.name)
    assert len(loaded) == 2
    assert len(EmbeddingCache.load(tmp_path, "another-model")) == 0
    (tmp_path / "embedding_cache.npy").write_bytes(b"garbage")
    assert len(EmbeddingCache.load(tmp_path, emb.name)) == 0
