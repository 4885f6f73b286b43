"""Scaling measurements on synthetic corpora recombined from the real sentences.

Why synthetic: the five articles hold ~100 chunks, too few to show how
retrieval and answering grow. Each synthetic document strings real corpus
sentences together, so BM25 sees real vocabulary and real document lengths.
Embedding 100k new chunks would take hours, so vectors are derived instead:
each sentence keeps its real embedding plus a little noise (so no two are
identical), and a chunk's vector is the normalised mean of its sentences'.
HNSW recall is checked on those vectors and on plain random unit vectors, the
harder case with no structure to exploit.
"""

from __future__ import annotations

import logging
import statistics
import time
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

from ..config import RetrievalSettings, Settings
from ..embed.fixed import FixedEmbedder
from ..index.loaded import LoadedIndex
from ..ingest.chunk import chunk_search_text
from ..types import Chunk, Document, Sentence

log = logging.getLogger(__name__)

SENTENCES_PER_CHUNK = 3
CHUNKS_PER_DOC = 40
NOISE = 0.25


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.ascontiguousarray(rows / np.maximum(norms, 1e-12), dtype=np.float32)


def random_unit_vectors(n: int, dim: int, seed: int = 0) -> np.ndarray:
    """n random directions in dim dimensions, float32, L2-normalised."""
    rng = np.random.default_rng(seed)
    return _unit(rng.standard_normal((n, dim), dtype=np.float32))


def synthetic_corpus(
    source: Sequence[Sentence], source_vecs: np.ndarray, n_chunks: int, seed: int = 0
) -> tuple[dict[str, Document], list[Sentence], list[Chunk], np.ndarray, np.ndarray]:
    """Documents, sentences, chunks and their vectors, ``n_chunks`` chunks in all.

    Offsets are exact, so every synthetic sentence quotes its synthetic document
    just as a real one does.
    """
    if not len(source):
        raise ValueError("no source sentences to recombine")
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(source), size=n_chunks * SENTENCES_PER_CHUNK)
    docs: dict[str, Document] = {}
    sentences: list[Sentence] = []
    chunks: list[Chunk] = []
    for d, first in enumerate(range(0, n_chunks, CHUNKS_PER_DOC)):
        doc_id = f"synthetic-{d:05d}"
        count = min(CHUNKS_PER_DOC, n_chunks - first)
        parts: list[str] = []
        pos = 0
        doc_sents: list[Sentence] = []
        for j in picks[first * SENTENCES_PER_CHUNK : (first + count) * SENTENCES_PER_CHUNK]:
            src = source[int(j)]
            doc_sents.append(
                Sentence(
                    len(sentences) + len(doc_sents),
                    doc_id,
                    pos,
                    pos + len(src.text),
                    src.text,
                    None,
                    len(doc_sents) // SENTENCES_PER_CHUNK,
                    src.kind,
                    src.promotional,
                )
            )
            parts.append(src.text)
            pos += len(src.text) + 1
        text = " ".join(parts)
        doc = docs[doc_id] = Document(doc_id, f"Synthetic article {d}", f"{doc_id}.txt", text, f"{d:064x}")
        for c in range(count):
            group = doc_sents[c * SENTENCES_PER_CHUNK : (c + 1) * SENTENCES_PER_CHUNK]
            start, end = group[0].start, group[-1].end
            chunks.append(Chunk(len(chunks), doc_id, None, start, end, [s.id for s in group], doc.text[start:end]))
        sentences.extend(doc_sents)
    noise = rng.standard_normal((len(picks), source_vecs.shape[1]), dtype=np.float32) * (
        NOISE / np.sqrt(source_vecs.shape[1])
    )
    sent_vecs = _unit(source_vecs[picks] + noise)
    chunk_vecs = _unit(sent_vecs.reshape(n_chunks, SENTENCES_PER_CHUNK, -1).mean(axis=1))
    return docs, sentences, chunks, sent_vecs, chunk_vecs


def synthetic_index(
    source: Sequence[Sentence],
    source_vecs: np.ndarray,
    n_chunks: int,
    seed: int = 0,
    store: str = "faiss",
    settings: Optional[RetrievalSettings] = None,
) -> tuple[LoadedIndex, float]:
    """An in-memory index of ``n_chunks`` synthetic chunks, and seconds taken to build it."""
    from ..retrieve.bm25 import BM25Index
    from ..retrieve.registry import build_store

    settings = settings or RetrievalSettings()
    t0 = time.perf_counter()
    docs, sentences, chunks, sent_vecs, chunk_vecs = synthetic_corpus(source, source_vecs, n_chunks, seed)
    bm25 = BM25Index.build([chunk_search_text(c, docs[c.doc_id]) for c in chunks])
    chunk_store = build_store(store, [c.id for c in chunks], chunk_vecs, settings)
    sentence_store = build_store(store, [s.id for s in sentences], sent_vecs, settings)
    index = LoadedIndex(
        Path("<synthetic>"),
        {"counts": {"chunks": n_chunks}},
        docs,
        sentences,
        chunks,
        bm25,
        chunk_store,
        sentence_store,
        [],
    )
    return index, time.perf_counter() - t0


def recall_at_k(approx_ids: np.ndarray, exact_ids: np.ndarray, k: int = 10) -> float:
    """Mean share of the exact top-k that the approximate search also returned."""
    hits = [len(set(a[:k].tolist()) & set(e[:k].tolist())) / k for a, e in zip(approx_ids, exact_ids, strict=False)]
    return float(np.mean(hits)) if hits else 0.0


def hnsw_recall(vectors: np.ndarray, queries: np.ndarray, k: int = 10, dense: Optional[Any] = None) -> dict[str, Any]:
    """Recall@k of an HNSW FAISS store (built here unless given) against exact NumPy search."""
    from ..retrieve.faiss_store import FaissStore
    from ..retrieve.numpy_store import NumpyStore

    ids = list(range(len(vectors)))
    t0 = time.perf_counter()
    dense = dense or FaissStore.build(ids, vectors, RetrievalSettings(hnsw_threshold=0))
    build_s = time.perf_counter() - t0
    exact = NumpyStore.build(ids, vectors, RetrievalSettings())
    got = np.array([[i for i, _ in m] for m in dense.search(queries, k)])
    want = np.array([[i for i, _ in m] for m in exact.search(queries, k)])
    return {
        "n": len(vectors),
        "recall@10": round(recall_at_k(got, want, k), 4),
        "build_s": round(build_s, 2),
        "index": getattr(dense, "kind", type(dense).__name__),
    }


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def scaling_run(
    source: Sequence[Sentence],
    source_vecs: np.ndarray,
    questions: Sequence[str],
    qvecs: dict[str, np.ndarray],
    sizes: Sequence[int],
    model_name: str,
    random_recall: bool = False,
) -> dict[str, Any]:
    """Retrieval and answering latency per corpus size, growth factors, and HNSW recall.

    All sizes stay loaded and each question is timed on every size in turn, so
    a change in background load hits every size alike instead of skewing the growth.
    """
    from ..pipeline import QA

    settings = Settings()
    qas, builds = [], []
    for n in sizes:
        index, build_s = synthetic_index(source, source_vecs, n, settings=settings.retrieval)
        log.info("synthetic index of %d chunks built in %.1f s", n, build_s)
        qas.append(QA(index, FixedEmbedder(model_name, dict(qvecs)), settings))
        builds.append(build_s)
    retrieve_ms: list[list[float]] = [[] for _ in sizes]
    answer_ms: list[list[float]] = [[] for _ in sizes]
    for q in list(questions[:3]) + list(questions):
        for j, qa in enumerate(qas):
            t = time.perf_counter()
            qa.retrieve(q, k=settings.answer.top_chunks, qvec=qvecs[q])
            took = (time.perf_counter() - t) * 1000
            ans = qa.ask(q)
            retrieve_ms[j].append(took)
            answer_ms[j].append(ans.timings_ms["total"] - ans.timings_ms["embed"])
    warm = min(3, len(questions))
    rows: list[dict[str, Any]] = []
    for j, (n, qa) in enumerate(zip(sizes, qas, strict=False)):
        r, a = retrieve_ms[j][warm:], answer_ms[j][warm:]
        rows.append(
            {
                "chunks": n,
                "sentences": len(qa.index.sentences),
                "dense_index": getattr(qa.index.chunk_vectors, "kind", qa.index.chunk_vectors.name),
                "build_s": round(builds[j], 2),
                "retrieve_p50_ms": round(statistics.median(r), 3),
                "retrieve_p95_ms": round(_p(r, 0.95), 3),
                "answer_p50_ms": round(statistics.median(a), 3),
                "answer_p95_ms": round(_p(a, 0.95), 3),
            }
        )
    largest = qas[-1].index
    qmat = np.stack([qvecs[q] for q in questions])
    chunk_ids = [c.id for c in largest.chunks]
    recall = {
        "recombined": hnsw_recall(largest.chunk_vectors.get_vectors(chunk_ids), qmat, dense=largest.chunk_vectors)
    }
    if random_recall:
        recall["random"] = hnsw_recall(random_unit_vectors(sizes[-1], qmat.shape[1], seed=1), qmat)
    first, last = rows[0], rows[-1]
    growth = {
        "retrieve": round(last["retrieve_p50_ms"] / max(first["retrieve_p50_ms"], 1e-9), 2),
        "answer": round(last["answer_p50_ms"] / max(first["answer_p50_ms"], 1e-9), 2),
        "from": first["chunks"],
        "to": last["chunks"],
    }
    return {"rows": rows, "growth": growth, "recall": recall}
