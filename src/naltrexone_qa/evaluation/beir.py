"""A public retrieval benchmark: our BM25, dense and hybrid retrieval on a BEIR dataset.

Why: the five-article corpus is too small to tell retrieval methods apart
reliably, while BEIR datasets (e.g. SciFact) come with published scores to
compare against. The same building blocks the QA pipeline uses
(``BM25Index``, ``DenseIndex``, ``rrf_fuse``/``weighted_fuse``, ``Embedder``)
run here over whole documents ("title text"). Document embeddings are costly
(minutes on two cores), so they are cached on disk keyed by a hash of
(model, text), as .npy + .json, and written in slices so an interrupted run
resumes where it stopped.
"""

from __future__ import annotations

import csv
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np

from ..config import Settings
from ..embed.base import Embedder
from ..errors import DataError
from ..jsonl import read_jsonl
from ..retrieve.registry import TEXT_STORES
from .ir_metrics import evaluate_run

log = logging.getLogger(__name__)

MODES = ("bm25", "dense", "hybrid")
# Published nDCG@10 on SciFact: BM25 from the BEIR paper (Thakur et al., 2021),
# all-MiniLM-L6-v2 from the sentence-transformers / MTEB retrieval results.
PUBLISHED = {"scifact": {"bm25": {"ndcg@10": 0.665}, "dense": {"ndcg@10": 0.645}}}
HYBRID_TARGET = 0.70
SLICE = 512  # documents embedded between cache saves


@dataclass
class BeirDataset:
    """Documents, the judged queries and their judgments (relevance > 0 is relevant)."""

    name: str
    doc_ids: list[str]
    doc_texts: list[str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)


def missing_files(folder: Path, split: str = "test") -> list[str]:
    """The required BEIR files absent from ``folder`` (empty when it looks complete)."""
    need = ["corpus.jsonl", "queries.jsonl", f"qrels/{split}.tsv"]
    return [n for n in need if not (Path(folder) / n).is_file()]


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, row in read_jsonl(path):
        if "_id" not in row:
            raise DataError(f"{path}:{n}: expected an object with an '_id'")
        rows.append(row)
    return rows


def _read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.reader(fh, delimiter="\t"), start=1):
            if not row or (n == 1 and row[0].strip().lower() in ("query-id", "query_id", "qid")):
                continue
            if len(row) < 3:
                raise DataError(f"{path.name} line {n}: expected query-id, corpus-id, score")
            try:
                score = int(float(row[2]))
            except ValueError as exc:
                raise DataError(f"{path.name} line {n}: score {row[2]!r} is not a number") from exc
            qrels.setdefault(row[0].strip(), {})[row[1].strip()] = score
    return qrels


def load_beir(folder: Path, split: str = "test") -> BeirDataset:
    """Read a BEIR folder; only queries that have judgments in ``split`` are kept."""
    folder = Path(folder)
    absent = missing_files(folder, split)
    if absent:
        raise DataError(f"{folder} is not a BEIR dataset: missing {', '.join(absent)}")
    docs = _read_jsonl(folder / "corpus.jsonl")
    doc_ids = [str(d["_id"]) for d in docs]
    doc_texts = [f"{d.get('title') or ''} {d.get('text') or ''}".strip() for d in docs]
    qrels = _read_qrels(folder / "qrels" / f"{split}.tsv")
    all_queries = {str(q["_id"]): str(q.get("text") or "") for q in _read_jsonl(folder / "queries.jsonl")}
    unknown = [q for q in qrels if q not in all_queries]
    if unknown:
        raise DataError(f"qrels/{split}.tsv judges queries absent from queries.jsonl: {unknown[:5]}")
    queries = {q: all_queries[q] for q in all_queries if q in qrels}
    return BeirDataset(folder.name, doc_ids, doc_texts, queries, qrels)


def embed_cached(
    texts: Sequence[str],
    embedder: Embedder,
    cache_dir: Path,
    stem: str,
    progress: Optional[Callable[[int], None]] = None,
) -> np.ndarray:
    """Vectors for ``texts``, encoding only uncached ones and saving after every slice."""
    from ..embed.cache import EmbeddingCache

    cache_dir.mkdir(parents=True, exist_ok=True)
    cache = EmbeddingCache.load(cache_dir, embedder.name, stem=stem)
    out = []
    for start in range(0, len(texts), SLICE):
        before = len(cache)
        out.append(cache.embed(texts[start : start + SLICE], embedder))
        if len(cache) != before:
            cache.save(cache_dir, stem=stem)
            if progress:
                progress(min(start + SLICE, len(texts)))
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


def eta_reporter(total: int, say: Callable[[str], None]) -> Callable[[int], None]:
    """A progress callback that says how far embedding got, its rate, and about how long is left."""
    first: list[tuple[int, float]] = []

    def report(done: int) -> None:
        if not first:  # the first report may count cached documents: the rate is measured from here on
            first.append((done, time.perf_counter()))
            say(f"  embedded {done}/{total}")
            return
        elapsed = time.perf_counter() - first[0][1]
        rate = (done - first[0][0]) / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 else 0.0
        say(f"  embedded {done}/{total} ({rate:.0f} documents/s, about {left / 60:.0f} min left)")

    return report


def _ranked_ids(pairs: Sequence[tuple[int, float]], doc_ids: Sequence[str]) -> list[str]:
    return [doc_ids[i] for i, _ in pairs]


def run_beir(
    ds: BeirDataset,
    settings: Settings,
    modes: Sequence[str] = MODES,
    embedder: Optional[Embedder] = None,
    cache_dir: Optional[Path] = None,
    depth: int = 1000,
    limit_queries: Optional[int] = None,
    progress: Optional[Callable[[str], None]] = None,
    reranker: Any = None,
    rerank_depth: int = 20,
) -> dict[str, Any]:
    """Run each mode over the judged queries and return nDCG@10, Recall@100, MRR@10 per mode.

    The same building blocks as the pipeline (BM25, the vector store, fusion,
    with the pipeline's settings) run here over whole documents. With ``reranker``
    (the learned relevance scorer), "hybrid+rerank" re-orders hybrid's top ``rerank_depth``.
    """
    from ..retrieve.bm25 import BM25Index
    from ..retrieve.fusion import fuse
    from ..retrieve.registry import build_store

    bad = [m for m in modes if m not in MODES]
    if bad:
        raise DataError(f"unknown mode {bad}")
    r = settings.retrieval
    say = progress or (lambda msg: log.info("%s", msg))
    qids = sorted(ds.queries)[:limit_queries] if limit_queries else sorted(ds.queries)
    qtexts = [ds.queries[q] for q in qids]
    qrels = {q: ds.qrels[q] for q in qids}
    depth = max(100, depth)
    need_bm25 = any(m in ("bm25", "hybrid") for m in modes)
    need_dense = any(m in ("dense", "hybrid") for m in modes)
    lists: dict[str, list[list[tuple[int, float]]]] = {}
    timings: dict[str, float] = {}

    if settings.store in TEXT_STORES:  # BM25, dense search and fusion all inside the store (Milvus)
        embedder = embedder or _embedder(settings)
        lists, timings = _store_lists(ds, settings, modes, qtexts, embedder, cache_dir, depth, say)
        need_bm25 = need_dense = False
    if need_bm25:
        t = time.perf_counter()
        say(f"BM25: indexing {len(ds.doc_texts)} documents")
        bm25 = BM25Index.build(ds.doc_texts, min_idf=r.min_idf)
        lists["bm25"] = [bm25.search(q, depth) for q in qtexts]
        timings["bm25"] = time.perf_counter() - t
    if need_dense:
        embedder = embedder or _embedder(settings)
        t = time.perf_counter()
        cdir = Path(cache_dir or settings.cache_dir / "beir") / ds.name
        say(f"dense: {len(ds.doc_texts)} documents with {embedder.name} (embedding cache: {cdir})")
        dvec = embed_cached(ds.doc_texts, embedder, cdir, "docs", progress=eta_reporter(len(ds.doc_texts), say))
        qvec = embed_cached(qtexts, embedder, cdir, "queries")
        store = build_store(settings.store, list(range(len(dvec))), dvec, r)
        lists["dense"] = store.search(qvec, depth)
        timings["dense"] = time.perf_counter() - t
    if "hybrid" in modes and "hybrid" not in lists:
        t = time.perf_counter()
        fused = [
            fuse(r.fusion, [b, d], r.rrf_k, r.fusion_weights)
            for b, d in zip(lists["bm25"], lists["dense"], strict=False)
        ]
        lists["hybrid"] = [f[:depth] for f in fused]
        timings["hybrid"] = time.perf_counter() - t + timings["bm25"] + timings["dense"]

    if reranker is not None and "hybrid" in lists:
        t = time.perf_counter()
        say(f"hybrid+rerank: {reranker.name} re-orders the top {rerank_depth} of each query")
        hybrid = zip(qtexts, lists["hybrid"], strict=True)
        lists["hybrid+rerank"] = [reorder_top(reranker, q, pairs, ds.doc_texts, rerank_depth) for q, pairs in hybrid]
        timings["hybrid+rerank"] = time.perf_counter() - t + timings["hybrid"]
        modes = [*modes, "hybrid+rerank"]
    results: dict[str, dict[str, float]] = {}
    for m in modes:
        run = {q: _ranked_ids(pairs, ds.doc_ids) for q, pairs in zip(qids, lists[m], strict=False)}
        metrics = evaluate_run(run, qrels, ndcg_k=(10,), recall_k=(100,), mrr_k=10)
        metrics.pop("n_queries", None)
        metrics["seconds"] = round(timings[m], 2)
        results[m] = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in metrics.items()}
    return {
        "dataset": ds.name,
        "n_docs": len(ds.doc_ids),
        "n_queries": len(qids),
        "n_judgments": sum(len(v) for v in qrels.values()),
        "model": getattr(embedder, "name", None) if any(m != "bm25" for m in modes) else None,
        "store": settings.store,
        "fusion": (
            {"method": r.fusion.value, "rrf_k": r.rrf_k, "weights": list(r.fusion_weights)}
            if "hybrid" in modes
            else None
        ),
        "modes": results,
        "published": PUBLISHED.get(ds.name.lower(), {}),
        "hybrid_target_ndcg@10": HYBRID_TARGET,
    }


def reorder_top(
    reranker: Any, query: str, pairs: list[tuple[int, float]], texts: Sequence[str], depth: int
) -> list[tuple[int, float]]:
    """``pairs`` with its first ``depth`` re-ordered by the reranker's score (which replaces theirs)."""
    head = pairs[:depth]
    scores = np.asarray(reranker.score(query, [texts[i] for i, _ in head]), dtype=np.float64)
    order = np.argsort(-scores, kind="stable")
    return [(head[j][0], float(scores[j])) for j in order] + list(pairs[depth:])


def _embedder(settings: Settings) -> Embedder:
    from ..embed.base import get_embedder

    return get_embedder(settings)


def _store_lists(
    ds: BeirDataset,
    settings: Settings,
    modes: Sequence[str],
    qtexts: Sequence[str],
    embedder: Embedder,
    cache_dir: Optional[Path],
    depth: int,
    say: Callable[[str], None],
) -> tuple[dict[str, list[list[tuple[int, float]]]], dict[str, float]]:
    """Ranked lists from a store that searches text itself: its BM25, its dense search, its fusion."""
    from ..retrieve.registry import build_store

    cdir = Path(cache_dir or settings.cache_dir / "beir") / ds.name
    say(f"{settings.store}: {len(ds.doc_texts)} documents with {embedder.name} (embedding cache: {cdir})")
    dvec = embed_cached(
        ds.doc_texts, embedder, cdir, "docs", progress=lambda n: say(f"  embedded {n}/{len(ds.doc_texts)}")
    )
    qvec = embed_cached(qtexts, embedder, cdir, "queries")
    t = time.perf_counter()
    store: Any = build_store(settings.store, list(range(len(dvec))), dvec, settings.retrieval, ds.doc_texts)
    built = time.perf_counter() - t
    lists: dict[str, list[list[tuple[int, float]]]] = {}
    timings: dict[str, float] = {}
    searches = {
        "bm25": lambda i: store.search_text(qtexts[i], depth),
        "dense": lambda i: store.search(qvec[i], depth)[0],
        "hybrid": lambda i: store.search_hybrid(qtexts[i], qvec[i], depth),
    }
    for mode in modes:
        t = time.perf_counter()
        lists[mode] = [searches[mode](i) for i in range(len(qtexts))]
        timings[mode] = time.perf_counter() - t + built
    store.release()  # a benchmark's collection is not kept
    return lists, timings
