"""The index lifecycle: reuse, rebuild on change or damage, atomic and locked builds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from naltrexone_qa.config import ChunkParams, Settings
from naltrexone_qa.disagree.rules import RuleDetector
from naltrexone_qa.embed.hashing import HashEmbedder
from naltrexone_qa.index import build as indexing
from naltrexone_qa.index.build import ensure_index
from naltrexone_qa.index.store import current_build

TINY = {
    "alpha.txt": "Alpha Article\n\nNaltrexone blocks opioid receptors. It reduces cravings for alcohol.\n",
    "beta.txt": "Beta Article\n\nGabapentin is an anticonvulsant. It may help with sleep.\n",
}


@pytest.fixture()
def tiny_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in TINY.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture()
def embedder() -> HashEmbedder:
    """Index mechanics need real vectors, not a real model: the fast-tier hash embedder."""
    return HashEmbedder(64)


def build(corpus: Path, index: Path, embedder, window: int = 4, store: str = "faiss"):
    settings = Settings(
        corpus_dir=corpus,
        index_dir=index,
        model=embedder.name,
        store=store,
        chunk=ChunkParams(window=window, overlap=1),
    )
    return ensure_index(settings, embedder, RuleDetector())


def test_second_load_reuses_the_index(tiny_corpus, tmp_path, embedder):
    idx_dir = tmp_path / "index"
    first, built = build(tiny_corpus, idx_dir, embedder)
    assert built
    again, built_again = build(tiny_corpus, idx_dir, embedder)
    assert not built_again and again.folder == first.folder
    manifest = json.loads((first.folder / "manifest.json").read_text())
    assert manifest["model"] == embedder.name and manifest["chunking"] == {"window": 4, "overlap": 1}
    assert manifest["store"] == "faiss" and manifest["detector"] == {"name": "rules", "version": RuleDetector.version}
    assert set(manifest["corpus"]["files"]) == {"alpha", "beta"}
    assert not list(first.folder.glob("*.pkl")) and not list(first.folder.glob("*.pickle"))


def test_editing_a_file_or_settings_triggers_a_rebuild(tiny_corpus, tmp_path, embedder, monkeypatch):
    idx_dir = tmp_path / "index"
    build(tiny_corpus, idx_dir, embedder)
    (tiny_corpus / "beta.txt").write_text(TINY["beta.txt"] + "It can cause dizziness.\n", encoding="utf-8")
    encoded: list[int] = []
    real = embedder.encode
    monkeypatch.setattr(embedder, "encode", lambda texts, **kw: (encoded.append(len(texts)), real(texts, **kw))[1])
    index, built = build(tiny_corpus, idx_dir, embedder)
    assert built
    assert any("dizziness" in s.text for s in index.sentences)
    # Only beta's new text is embedded again; alpha comes from the cache.
    assert sum(encoded) <= 3
    _, built = build(tiny_corpus, idx_dir, embedder, window=3)
    assert built
    # The store is part of the manifest: changing it rebuilds.
    index, built = build(tiny_corpus, idx_dir, embedder, window=3, store="numpy")
    assert built and index.manifest["store"] == "numpy"


def test_corrupted_file_is_detected_and_rebuilt(tiny_corpus, tmp_path, embedder):
    idx_dir = tmp_path / "index"
    first, _ = build(tiny_corpus, idx_dir, embedder)
    target = first.folder / "chunk_vectors.faiss"
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    index, built = build(tiny_corpus, idx_dir, embedder)
    assert built and index.folder != first.folder
    (index.folder / "sentences.json").write_text("[]", encoding="utf-8")
    _, built = build(tiny_corpus, idx_dir, embedder)
    assert built


def test_interrupted_build_leaves_the_old_index_usable(tiny_corpus, tmp_path, embedder, monkeypatch):
    idx_dir = tmp_path / "index"
    first, _ = build(tiny_corpus, idx_dir, embedder)
    (tiny_corpus / "alpha.txt").write_text(TINY["alpha.txt"] + "More text here.\n", encoding="utf-8")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(indexing, "build_into", crash)
    with pytest.raises(KeyboardInterrupt):
        build(tiny_corpus, idx_dir, embedder)
    assert current_build(idx_dir) == first.folder
    assert not [p for p in idx_dir.iterdir() if p.name.startswith(".tmp-")]
    (tiny_corpus / "alpha.txt").write_text(TINY["alpha.txt"], encoding="utf-8")
    index, built = build(tiny_corpus, idx_dir, embedder)
    assert not built and index.folder == first.folder


@pytest.mark.slow
def test_two_concurrent_index_runs_leave_one_valid_index(tiny_corpus, tmp_path):
    idx_dir = tmp_path / "index"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [
        sys.executable,
        "-m",
        "naltrexone_qa",
        "index",
        "--corpus",
        str(tiny_corpus),
        "--index",
        str(idx_dir),
        "--model",
        "hash:64",
    ]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    builds = [p for p in idx_dir.iterdir() if p.name.startswith("build-")]
    assert len(builds) == 1
    assert sorted(o[0].split(":")[0] for o in outs) == ["Index built", "Index up to date"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0 and "up to date" in out.stdout
