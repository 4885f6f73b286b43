"""Shared fixtures: the real model and a real index, built once per test session.

Model work is the slow part of the suite (about 300 texts to embed for the
repository's corpus), so one session-scoped index serves every test that only
reads it; tests that modify an index copy the corpus into their own folders.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def embedder():
    from naltrexone_qa.embedding import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    """A built index of the repository's corpus (read-only for tests)."""
    from naltrexone_qa.chunking import ChunkParams
    from naltrexone_qa.index_store import IndexSettings
    from naltrexone_qa.indexing import ensure_index

    folder = tmp_path_factory.mktemp("index")
    ensure_index(CORPUS, folder, IndexSettings(model=embedder.name, chunk=ChunkParams()), embedder)
    return folder


@pytest.fixture(scope="session")
def qa(index_dir: Path, embedder):
    """The loaded pipeline over the session index, sharing the loaded model."""
    from naltrexone_qa.chunking import ChunkParams
    from naltrexone_qa.index_store import IndexSettings
    from naltrexone_qa.indexing import ensure_index
    from naltrexone_qa.pipeline import QA

    index, _ = ensure_index(CORPUS, index_dir, IndexSettings(model=embedder.name, chunk=ChunkParams()), embedder)
    return QA(index, embedder)


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the corpus that a test may edit."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest
