"""Shared fixtures: real components, built once per test session.

Two tiers. The fast tier (``pytest -m "not slow"``) uses the model-free hash
embedder and runs without loading a transformer. Tests that need the real
model (anything using the ``embedder``, ``index_dir`` or ``qa`` fixtures) or
start subprocesses are marked ``slow``; a test that asks for a model fixture is
marked automatically, so it can never sneak into the fast tier.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
MODEL_FIXTURES = {"embedder", "index_dir", "qa", "model_settings"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


# ------------------------------------------------------------------ the real model (slow tier)
@pytest.fixture(scope="session")
def embedder() -> Any:
    from naltrexone_qa.embed.sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Path:
    """A built index of the repository's corpus (read-only for tests)."""
    from naltrexone_qa.config import Settings
    from naltrexone_qa.disagree.rules import RuleDetector
    from naltrexone_qa.index.build import ensure_index

    folder = tmp_path_factory.mktemp("index")
    ensure_index(Settings(corpus_dir=CORPUS, index_dir=folder), embedder, RuleDetector())
    return folder


@pytest.fixture(scope="session")
def model_settings(index_dir: Path) -> Any:
    from naltrexone_qa.config import Settings

    return Settings(corpus_dir=CORPUS, index_dir=index_dir)


@pytest.fixture(scope="session")
def qa(model_settings: Any, embedder: Any) -> Any:
    """The loaded pipeline over the session index, sharing the loaded model."""
    from naltrexone_qa.pipeline import QA

    return QA.load(model_settings, embedder=embedder)


# ------------------------------------------------------------------ model-free (fast tier)
@pytest.fixture(scope="session")
def hash_embedder() -> Any:
    from naltrexone_qa.embed.hashing import HashEmbedder

    return HashEmbedder()


def hash_settings_for(corpus: Path, index: Path, store: str = "numpy") -> Any:
    from naltrexone_qa.config import Settings

    return Settings(corpus_dir=corpus, index_dir=index, model="hash:256", store=store)


@pytest.fixture(scope="session")
def hash_qa(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The real pipeline over the real corpus, with the hash embedder and the NumPy store."""
    from naltrexone_qa.pipeline import QA

    return QA.load(hash_settings_for(CORPUS, tmp_path_factory.mktemp("hash-index")))


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the corpus that a test may edit."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest
