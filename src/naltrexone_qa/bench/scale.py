"""``bench scale``: the MedQuAD answers through FAISS and Milvus, and each store alone at 1M vectors.

For each store and each share of the corpus (10% ... 100%), one fresh process
builds the index (build time, build peak memory) and another loads it and
answers the LiveQA-Med questions (p50/p95 latency, the answering process's
peak memory), so each peak is its own; Milvus Lite's server process is a
child, and its own peak (VmHWM) is reported beside. Index size is the index
folder plus the Milvus Lite data. Then each store alone holds N synthetic unit
vectors (FAISS HNSW, Milvus Lite FLAT): build time, search latency at k=10,
recall@10 against exact search, peak memory (vectors clustered around 1,000 centres, queries
near stored vectors: uniform random directions in 384 dimensions have no neighbours to find).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from .perf import percentile as quantile
from .perf import timed_process

WORKER = "import sys; from naltrexone_qa.bench.scale import worker; worker(sys.argv[1], sys.argv[2])"


def folder_mib(path: Path) -> float:
    if not path.exists():
        return 0.0
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / 2**20, 1)


def own_peak_mib() -> float:
    """This process's peak RSS (VmHWM) alone, without its children (wait4's figure covers both)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def children_peak_mib() -> float:
    """Peak RSS (VmHWM) of this process's live children, e.g. the Milvus Lite server."""
    import psutil

    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            for line in Path(f"/proc/{child.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return round(total, 1)


def work_build(corpus: str, index: str, store: str, model: str) -> dict[str, Any]:
    """Build the index in this process (its peak memory is the build's)."""
    from ..config import Settings
    from ..disagree.registry import get_detector
    from ..embed.base import get_embedder
    from ..index.build import build_index

    settings = Settings(corpus_dir=Path(corpus), index_dir=Path(index), model=model, store=store)
    embedder = get_embedder(settings)
    t = time.perf_counter()
    build_index(settings, embedder, get_detector(settings.detector, embedder=embedder))
    return {
        "build_s": round(time.perf_counter() - t, 1),
        "own_peak_mib": own_peak_mib(),
        "build_milvus_peak_mib": children_peak_mib(),
    }


def work_serve(corpus: str, index: str, store: str, model: str, questions: list[str]) -> dict[str, Any]:
    """Load the built index and answer in this process (its peak memory is the answering process's)."""
    from ..config import Settings
    from ..pipeline import QA

    qa = QA.load(Settings(corpus_dir=Path(corpus), index_dir=Path(index), model=model, store=store))
    if qa.built:
        raise RuntimeError("the index was rebuilt instead of loaded")
    qa.ask(questions[0])
    latencies, abstained = [], 0
    for q in questions:
        t = time.perf_counter()
        abstained += qa.ask(q).abstained
        latencies.append((time.perf_counter() - t) * 1000)
    counts = qa.index.manifest["counts"]
    return {
        "documents": counts["documents"],
        "sentences": counts["sentences"],
        "chunks": counts["chunks"],
        "p50_ms": round(quantile(latencies, 0.5), 1),
        "p95_ms": round(quantile(latencies, 0.95), 1),
        "abstained": abstained,
        "index_mib": folder_mib(Path(index)),
        "own_peak_mib": own_peak_mib(),
        "milvus_server_peak_mib": children_peak_mib(),
    }


def clustered_unit_vectors(n: int, dim: int, clusters: int = 1000, noise: float = 0.6, seed: int = 1) -> Any:
    """n unit vectors around ``clusters`` random centres: structured like text embeddings, unlike
    uniform random directions, on which every approximate index loses most of its recall."""
    import numpy as np

    from .scaling import random_unit_vectors

    rng = np.random.default_rng(seed)
    centres = random_unit_vectors(clusters, dim, seed=seed)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        rows = centres[rng.integers(0, clusters, m)] + rng.standard_normal((m, dim), dtype=np.float32) * (
            noise / dim**0.5
        )
        out[start : start + m] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return out


def work_vectors(store: str, n: int, dim: int, uri: str, queries: int = 100) -> dict[str, Any]:
    """One store alone with n clustered unit vectors: build, search latency, recall@10 against exact."""
    import numpy as np

    from ..config import RetrievalSettings
    from ..retrieve.registry import build_store

    vecs = clustered_unit_vectors(n, dim)
    picks = np.random.default_rng(2).integers(0, n, queries)
    noisy = vecs[picks] + np.random.default_rng(3).standard_normal((queries, dim), dtype=np.float32) * (0.3 / dim**0.5)
    qs = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    settings = RetrievalSettings(hnsw_threshold=1, milvus_uri=uri)  # FAISS HNSW at any size
    t = time.perf_counter()
    index: Any = build_store(store, list(range(n)), vecs, settings)
    build_s = time.perf_counter() - t
    exact = [set(np.argsort(-(vecs @ q))[:10].tolist()) for q in qs]
    latencies, hits = [], 0
    for q, want in zip(qs, exact, strict=True):
        t = time.perf_counter()
        got = index.search(q, 10)[0]
        latencies.append((time.perf_counter() - t) * 1000)
        hits += len({i for i, _ in got} & want)
    kind = getattr(index, "kind", "FLAT (Milvus Lite)")
    if hasattr(index, "release"):
        index.release()
    return {
        "store": store,
        "index": kind,
        "vectors": n,
        "build_s": round(build_s, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(quantile(latencies, 0.95), 2),
        "recall@10": round(hits / (10 * len(qs)), 4),
        "own_peak_mib": own_peak_mib(),
        "milvus_server_peak_mib": children_peak_mib(),
    }


def worker(task: str, raw: str) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    tasks: dict[str, Callable[..., dict[str, Any]]] = {
        "build": work_build,
        "serve": work_serve,
        "vectors": work_vectors,
    }
    fn = tasks[task]
    print(json.dumps(fn(**json.loads(raw))))


def _run(task: str, args: dict[str, Any]) -> dict[str, Any]:
    res = timed_process([sys.executable, "-c", WORKER, task, json.dumps(args)], env=dict(os.environ), timeout=6 * 3600)
    out = json.loads(res["stdout"].strip().splitlines()[-1])
    out["peak_mib"] = out.pop("own_peak_mib", res["peak_mib"])
    return out


def run_scale(
    medquad: Path,
    liveqa: Path,
    work: Path,
    stores: Sequence[str] = ("faiss", "milvus"),
    fractions: Sequence[float] = (0.1, 0.5, 1.0),
    model: str = "all-MiniLM-L6-v2",
    vectors: int = 1_000_000,
    dim: int = 384,
    progress: Optional[Callable[[str], None]] = None,
) -> dict[str, Any]:
    """Every measurement of the module docstring, as one JSON-able dict."""
    from .medquad import liveqa_questions, medquad_answers, sample, write_corpus

    say = progress or (lambda m: None)
    answers = list(medquad_answers(medquad))
    questions = liveqa_questions(liveqa)
    corpus_rows = []
    for fraction in sorted(fractions):
        corpus = write_corpus(sample(answers, fraction), work / f"corpus-{fraction:g}")
        for store in stores:
            index = work / f"index-{store}-{fraction:g}"
            shutil.rmtree(index, ignore_errors=True)
            say(f"{store}: {fraction:.0%} of {len(answers)} answers")
            where = {"corpus": str(corpus), "index": str(index), "store": store, "model": model}
            built = _run("build", where)
            served = _run("serve", {**where, "questions": questions})
            row = {"store": store, **built, "build_peak_mib": built.pop("peak_mib"), **served}
            corpus_rows.append({"fraction": fraction, **row})
            say(f"  {row}")
    vector_rows = []
    for store in stores if vectors else ():
        say(f"{store}: {vectors:,} synthetic vectors")
        row = _run("vectors", {"store": store, "n": vectors, "dim": dim, "uri": str(work / "vectors-milvus.db")})
        vector_rows.append(row)
        say(f"  {row}")
    return {
        "answers": len(answers),
        "questions": len(questions),
        "model": model,
        "corpus": corpus_rows,
        "growth": growth(corpus_rows),
        "vectors": vector_rows,
    }


def growth(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per store, each measure at the largest share over the smallest."""
    out: dict[str, dict[str, float]] = {}
    for store in {r["store"] for r in rows}:
        mine = sorted((r for r in rows if r["store"] == store), key=lambda r: r["fraction"])
        lo, hi = mine[0], mine[-1]
        out[store] = {
            k: round(hi[k] / lo[k], 2) if lo[k] else float("inf")
            for k in ("build_s", "build_peak_mib", "peak_mib", "index_mib", "p50_ms", "p95_ms")
        }
    return out


def _server(mib: float) -> str:
    return f" ({mib:.0f})" if mib else ""


def markdown(result: dict[str, Any]) -> str:
    """The tables of the README."""
    lines = [
        f"MedQuAD: {result['answers']:,} answers; {result['questions']} LiveQA-Med questions; model {result['model']}",
        "",
        "| store | share | documents | chunks | build s | build peak MiB (Milvus server) "
        "| answering peak MiB (Milvus server) | index MiB | p50 / p95 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["corpus"]:
        lines.append(
            f"| {r['store']} | {r['fraction'] * 100:g}% | {r['documents']:,} | {r['chunks']:,} | {r['build_s']} "
            f"| {r['build_peak_mib']:.0f}{_server(r['build_milvus_peak_mib'])} "
            f"| {r['peak_mib']:.0f}{_server(r['milvus_server_peak_mib'])} | {r['index_mib']} "
            f"| {r['p50_ms']} / {r['p95_ms']} |"
        )
    lines += [
        "",
        "| store | growth, smallest to largest share: build | build peak | answering peak | index size | p50 | p95 |",
        "|---|---|---|---|---|---|---|",
    ]
    for store, g in sorted(result["growth"].items()):
        lines.append(
            f"| {store} | {g['build_s']}x | {g['build_peak_mib']}x | {g['peak_mib']}x | {g['index_mib']}x "
            f"| {g['p50_ms']}x | {g['p95_ms']}x |"
        )
    if result["vectors"]:
        lines += [
            "",
            "| store alone | index | vectors | build s | search p50 / p95 ms | recall@10 | peak MiB (Milvus server) |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in result["vectors"]:
            lines.append(
                f"| {r['store']} | {r['index']} | {r['vectors']:,} | {r['build_s']} | {r['p50_ms']} / {r['p95_ms']} "
                f"| {r['recall@10']} | {r['peak_mib']:.0f}{_server(r['milvus_server_peak_mib'])} |"
            )
    return "\n".join(lines)
