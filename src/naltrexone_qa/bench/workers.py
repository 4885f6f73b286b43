"""The measurements of ``bench perf`` that run in a fresh interpreter, one per process.

Each prints one JSON line; ``perf.run_worker`` starts them, so each peak
memory figure is its own and no cache of one warms another.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any, Callable


def worker_main(task: str, raw_args: str) -> None:
    """Entry point of a measuring subprocess: print one JSON line."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    args = json.loads(raw_args)
    tasks: dict[str, Callable[..., dict[str, Any]]] = {
        "warm": work_warm,
        "embed": work_embed,
        "build": work_build,
        "scaling": work_scaling,
    }
    fn = tasks[task]
    print(json.dumps(fn(**args)))


def _warm_model(embedder: Any) -> Any:
    """The loaded sentence-transformers model behind an embedder (for the bare-embedding floors)."""
    embedder.encode(["warm up"])
    return embedder.model


def work_warm(corpus: str, index: str, questions: list[str]) -> dict[str, Any]:
    """Warm ask() latency and bare query embedding, interleaved question by question."""
    from ..pipeline import QA

    qa = QA.load(corpus_dir=corpus, index_dir=index)
    model = _warm_model(qa.embedder)
    for q in questions[:3]:
        qa.ask(q)
    ask_ms, embed_ms, flags_ms = [], [], []
    for q in questions:
        t = time.perf_counter()
        model.encode([q], convert_to_numpy=True, normalize_embeddings=True)
        embed_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        ans = qa.ask(q)
        ask_ms.append((time.perf_counter() - t) * 1000)
        flags_ms.append(ans.timings_ms.get("flags", 0.0))
    import torch

    return {
        "ask_ms": ask_ms,
        "embed_ms": embed_ms,
        "flags_ms": flags_ms,
        "built": qa.built,
        "torch_threads": torch.get_num_threads(),
    }


def corpus_texts(corpus: str) -> list[str]:
    """Every text an index build embeds: chunk search texts, then sentences."""
    from ..index.build import segment_corpus
    from ..index.store import IndexSettings
    from ..ingest.chunk import chunk_search_text
    from ..ingest.corpus import load_corpus

    docs = load_corpus(Path(corpus))
    sentences, chunks = segment_corpus(docs, IndexSettings(""))
    return [chunk_search_text(c, docs[c.doc_id]) for c in chunks] + [s.text for s in sentences]


def work_embed(corpus: str) -> dict[str, Any]:
    """Bare embedding of the build's texts with the model already loaded (the floor of a build)."""
    from ..embed.sentence_transformers import SentenceTransformerEmbedder

    texts = corpus_texts(corpus)
    model = _warm_model(SentenceTransformerEmbedder())
    t = time.perf_counter()
    model.encode(texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=True)
    return {"seconds": time.perf_counter() - t, "texts": len(texts)}


def work_build(corpus: str, index: str) -> dict[str, Any]:
    """One index build with the model already loaded (reusing whatever cache the index folder holds)."""
    from ..config import Settings
    from ..disagree.rules import RuleDetector
    from ..embed.sentence_transformers import SentenceTransformerEmbedder
    from ..index.build import build_index

    embedder = SentenceTransformerEmbedder()
    _warm_model(embedder)
    t = time.perf_counter()
    build_index(Settings(corpus_dir=Path(corpus), index_dir=Path(index)), embedder, RuleDetector())
    return {"seconds": time.perf_counter() - t}


def work_scaling(
    corpus: str, index: str, questions: list[str], sizes: list[int], random_recall: bool = False
) -> dict[str, Any]:
    """Latency growth on synthetic corpora built from the real index's sentences."""
    import numpy as np

    from ..answer.conversation import resolve
    from ..embed.fixed import FixedEmbedder
    from ..pipeline import QA
    from .scaling import scaling_run

    qa = QA.load(corpus_dir=corpus, index_dir=index)
    # Every text the pipeline embeds for these questions (the question with its shorthand written out,
    # the clinical words its vector leans toward), computed once here so the timed runs never call the model.
    recorder = FixedEmbedder(qa.embedder.name, {}, fallback=qa.embedder)
    recorder.encode(questions)
    qa.embedder = recorder
    for q in questions:
        qa.query(q, resolve(q))
    qvecs = dict(recorder.vectors)
    usable = [s for s in qa.index.sentences if s.answerable]
    source_vecs = np.ascontiguousarray(qa.index.sentence_vectors.get_vectors([s.id for s in usable]))
    return scaling_run(usable, source_vecs, questions, qvecs, sizes, qa.embedder.name, random_recall)
