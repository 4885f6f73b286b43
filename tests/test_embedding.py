"""The embedding model and its cache: offline by default, clear errors, no pickle."""

from __future__ import annotations

import numpy as np
import pytest

from naltrexone_qa.embedding import DEFAULT_MODEL, Embedder, EmbeddingCache, model_name
from naltrexone_qa.errors import ModelError


def test_default_model_is_offline_and_normalised(embedder):
    vecs = embedder.encode(["naltrexone blocks opioid receptors", "gabapentin"])
    assert vecs.shape == (2, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_model_name_comes_from_argument_then_environment(monkeypatch):
    monkeypatch.delenv("NALTREXONE_QA_MODEL", raising=False)
    assert model_name() == DEFAULT_MODEL
    monkeypatch.setenv("NALTREXONE_QA_MODEL", "my/model")
    assert model_name() == "my/model" and model_name("other") == "other"


def test_unloadable_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="cannot load embedding model"):
        Embedder(str(tmp_path / "no-such-model")).encode(["x"])


def test_cache_embeds_only_new_texts_and_round_trips(embedder, tmp_path, monkeypatch):
    cache = EmbeddingCache(embedder.name)
    first = cache.embed(["alpha", "beta"], embedder)
    calls: list[int] = []
    real = embedder.encode
    monkeypatch.setattr(embedder, "encode", lambda texts, **kw: (calls.append(len(texts)), real(texts, **kw))[1])
    again = cache.embed(["beta", "gamma", "alpha"], embedder)
    assert calls == [1]
    assert np.allclose(again[0], first[1]) and np.allclose(again[2], first[0])
    cache.restrict(["alpha", "gamma"]).save(tmp_path)
    loaded = EmbeddingCache.load(tmp_path, embedder.name)
    assert len(loaded) == 2
    assert len(EmbeddingCache.load(tmp_path, "another-model")) == 0
    (tmp_path / "embedding_cache.npy").write_bytes(b"garbage")
    assert len(EmbeddingCache.load(tmp_path, embedder.name)) == 0
