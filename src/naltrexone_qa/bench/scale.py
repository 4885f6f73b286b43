"""``bench scale``: the MedQuAD answers through FAISS and Milvus, and each store alone at 1M vectors.

For each store and each share of the corpus (10% ... 100%), one fresh process
builds the index (build time), loads it and answers the LiveQA-Med questions
(p50/p95 latency), so its peak memory is its own; Milvus Lite's server process
is a child, and its own peak (VmHWM) is reported beside. Index size is the index
folder plus the Milvus Lite data. Then each store alone holds N synthetic unit
vectors (FAISS HNSW, Milvus Lite FLAT): build time, search latency at k=10,
recall@10 against exact search, peak memory.
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


def work_corpus(corpus: str, index: str, store: str, model: str, questions: list[str]) -> dict[str, Any]:
    """Build, load and answer in this process."""
    from ..config import Settings
    from ..disagree.registry import get_detector
    from ..embed.base import get_embedder
    from ..index.build import build_index
    from ..pipeline import QA

    settings = Settings(corpus_dir=Path(corpus), index_dir=Path(index), model=model, store=store)
    embedder = get_embedder(settings)
    t = time.perf_counter()
    build_index(settings, embedder, get_detector(settings.detector, embedder=embedder))
    build_s = time.perf_counter() - t
    qa = QA.load(settings, embedder=embedder)
    qa.ask(questions[0])
    latencies, abstained = [], 0
    for q in questions:
        t = time.perf_counter()
        abstained += qa.ask(q).abstained
        latencies.append((time.perf_counter() - t) * 1000)
    counts = qa.index.manifest["counts"]
    return {
        "store": store,
        "documents": counts["documents"],
        "sentences": counts["sentences"],
        "chunks": counts["chunks"],
        "build_s": round(build_s, 1),
        "p50_ms": round(quantile(latencies, 0.5), 1),
        "p95_ms": round(quantile(latencies, 0.95), 1),
        "abstained": abstained,
        "index_mib": folder_mib(Path(index)),
        "milvus_server_peak_mib": children_peak_mib(),
    }


def work_vectors(store: str, n: int, dim: int, uri: str, queries: int = 100) -> dict[str, Any]:
    """One store alone with n random unit vectors: build, search latency, recall@10 against exact."""
    import numpy as np

    from ..config import RetrievalSettings
    from ..retrieve.registry import build_store
    from .scaling import random_unit_vectors

    vecs = random_unit_vectors(n, dim, seed=1)
    qs = random_unit_vectors(queries, dim, seed=2)
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
        "milvus_server_peak_mib": children_peak_mib(),
    }


def worker(task: str, raw: str) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    tasks: dict[str, Callable[..., dict[str, Any]]] = {"corpus": work_corpus, "vectors": work_vectors}
    fn = tasks[task]
    print(json.dumps(fn(**json.loads(raw))))


def _run(task: str, args: dict[str, Any]) -> dict[str, Any]:
    res = timed_process([sys.executable, "-c", WORKER, task, json.dumps(args)], env=dict(os.environ), timeout=6 * 3600)
    out = json.loads(res["stdout"].strip().splitlines()[-1])
    out["peak_mib"] = res["peak_mib"]
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
        corpus = write_corpus(sample(answers, fraction), work / f"corpus-{int(fraction * 100)}")
        for store in stores:
            index = work / f"index-{store}-{int(fraction * 100)}"
            shutil.rmtree(index, ignore_errors=True)
            say(f"{store}: {fraction:.0%} of {len(answers)} answers")
            row = _run(
                "corpus",
                {"corpus": str(corpus), "index": str(index), "store": store, "model": model, "questions": questions},
            )
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
            for k in ("build_s", "peak_mib", "index_mib", "p50_ms", "p95_ms")
        }
    return out


def markdown(result: dict[str, Any]) -> str:
    """The tables of the README."""
    lines = [
        f"MedQuAD: {result['answers']:,} answers; {result['questions']} LiveQA-Med questions; model {result['model']}",
        "",
        "| store | share | documents | chunks | build s | peak MiB (Milvus server) | index MiB | p50 / p95 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in result["corpus"]:
        server = f" ({r['milvus_server_peak_mib']:.0f})" if r["milvus_server_peak_mib"] else ""
        lines.append(
            f"| {r['store']} | {r['fraction']:.0%} | {r['documents']:,} | {r['chunks']:,} | {r['build_s']} | "
            f"{r['peak_mib']:.0f}{server} | {r['index_mib']} | {r['p50_ms']} / {r['p95_ms']} |"
        )
    lines += [
        "",
        "| store | growth, smallest to largest share: build | peak memory | index size | p50 | p95 |",
        "|---|---|---|---|---|---|",
    ]
    for store, g in sorted(result["growth"].items()):
        lines.append(
            f"| {store} | {g['build_s']}x | {g['peak_mib']}x | {g['index_mib']}x | {g['p50_ms']}x | {g['p95_ms']}x |"
        )
    if result["vectors"]:
        lines += [
            "",
            "| store alone | index | vectors | build s | search p50 / p95 ms | recall@10 | peak MiB (Milvus server) |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in result["vectors"]:
            server = f" ({r['milvus_server_peak_mib']:.0f})" if r["milvus_server_peak_mib"] else ""
            lines.append(
                f"| {r['store']} | {r['index']} | {r['vectors']:,} | {r['build_s']} | {r['p50_ms']} / {r['p95_ms']} | "
                f"{r['recall@10']} | {r['peak_mib']:.0f}{server} |"
            )
    return "\n".join(lines)
