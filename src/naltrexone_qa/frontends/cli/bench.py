"""``naltrexone-qa bench``: public retrieval (beir) and speed and scale (perf); not part of CI.

Only click is imported at module level; the measuring code (and with it numpy,
torch and faiss) loads when a benchmark runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import click

from .common import fail, make_settings, model_option, reranker_option, run_guarded


@click.group("bench")
def bench() -> None:
    """Benchmarks: public retrieval (beir) and speed and scale (perf); not part of CI."""


@bench.command("beir")
@click.argument("dataset_dir", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--mode", type=click.Choice(("bm25", "dense", "hybrid", "all")), default="all", show_default=True)
@click.option("--limit-queries", type=click.IntRange(1), default=None, help="Score only the first N judged queries.")
@click.option(
    "--fusion",
    type=click.Choice(["rrf", "weighted"]),
    default=None,
    help="Hybrid fusion [default: the pipeline's, rrf].",
)
@click.option("--rrf-k", type=click.IntRange(1), default=None, help="RRF constant k [default: the pipeline's, 20].")
@click.option(
    "--dense-weight",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Weight of the dense scores in weighted fusion, BM25 gets the rest [default: the pipeline's, 0.6].",
)
@click.option("--split", default="test", show_default=True, help="Which qrels/<split>.tsv to score.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Embedding cache folder [default: the settings' cache folder + /beir].",
)
@click.option(
    "--store",
    type=click.Choice(["faiss", "numpy", "milvus"]),
    default=None,
    help="Vector store; with milvus, BM25, dense search and RRF all run inside Milvus [default: faiss].",
)
@click.option("--milvus-uri", default=None, metavar="URI", help="Milvus Lite file or server URI for --store milvus.")
@click.option(
    "--rerank-depth",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Also score hybrid+rerank: the learned relevance scorer re-orders this many hybrid results (0: off).",
)
@reranker_option
@model_option
def bench_beir(
    dataset_dir: str,
    as_json: bool,
    mode: str,
    limit_queries: Optional[int],
    fusion: Optional[str],
    rrf_k: Optional[int],
    dense_weight: Optional[float],
    split: str,
    cache_dir: Optional[str],
    store: Optional[str],
    milvus_uri: Optional[str],
    rerank_depth: int,
    reranker_dir: Optional[Path],
    model: Optional[str],
) -> None:
    """Run BM25, dense and hybrid retrieval on a BEIR-format dataset; report nDCG@10 and Recall@100.

    DATASET_DIR holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv. When the
    folder does not exist the benchmark is skipped with a message (exit 0), so CI
    never depends on the data being present.
    """
    if not Path(dataset_dir).is_dir():
        click.echo(f"Skipped: no BEIR dataset at {dataset_dir} (folder not found).", err=True)
        return
    modes = ["bm25", "dense", "hybrid"] if mode == "all" else [mode]

    def go() -> dict[str, Any]:
        from ...embed.base import get_embedder
        from ...evaluation.beir import load_beir, run_beir

        settings = make_settings(model=model, store=store, milvus_uri=milvus_uri, reranker_dir=reranker_dir)
        changes: dict[str, Any] = {}
        if fusion:
            changes["fusion"] = fusion
        if rrf_k:
            changes["rrf_k"] = rrf_k
        if dense_weight is not None:
            changes["fusion_weights"] = (1.0 - dense_weight, dense_weight)
        settings = settings.with_retrieval(**changes)
        ds = load_beir(Path(dataset_dir), split=split)
        embedder = get_embedder(settings) if mode != "bm25" else None
        reranker = None
        if rerank_depth and "hybrid" in modes:
            from ...answer.rerank import load_scorer

            reranker = load_scorer(settings.answer.reranker_dir, device=settings.device)
        return run_beir(
            ds,
            settings,
            modes,
            embedder=embedder,
            cache_dir=Path(cache_dir) if cache_dir else settings.cache_dir / "beir",
            limit_queries=limit_queries,
            progress=lambda msg: click.echo(msg, err=True),
            reranker=reranker,
            rerank_depth=rerank_depth,
        )

    result = run_guarded(go)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    from ...evaluation.report import beir_rows, render_table

    click.echo(
        f"{result['dataset']}: {result['n_docs']} documents, {result['n_queries']} queries, "
        f"{result['n_judgments']} judgments"
    )
    click.echo(render_table(*beir_rows(result)))
    if "hybrid" in result["modes"]:
        f = result["fusion"]
        click.echo(
            f"hybrid fusion: {f['method']} (rrf_k={f['rrf_k']}, weights bm25/dense={f['weights']}); "
            f"target nDCG@10 >= {result['hybrid_target_ndcg@10']}"
        )


def _sizes(_ctx: click.Context, _param: click.Parameter, value: str) -> list[int]:
    try:
        sizes = [int(x) for x in value.split(",") if x.strip()]
    except ValueError:
        raise click.BadParameter("give chunk counts separated by commas, e.g. 1000,10000,100000") from None
    if not sizes or min(sizes) < 10:
        raise click.BadParameter("give at least one size, each of 10 chunks or more")
    return sorted(sizes)


@bench.command("perf")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option(
    "--qa",
    "qa_file",
    default="evals/dev.jsonl",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Questions to time (built-in questions when the file is missing).",
)
@click.option(
    "--sizes",
    default="1000,10000,100000",
    show_default=True,
    callback=_sizes,
    help="Synthetic corpus sizes, in chunks, for the scaling table.",
)
@click.option(
    "--repeats",
    type=click.IntRange(1),
    default=3,
    show_default=True,
    help="Rounds of the cold one-shot comparison (the median is reported).",
)
@click.option(
    "--random-recall",
    is_flag=True,
    help="Also check HNSW recall on random unit vectors (the hard case; slow to build at 100k).",
)
@click.option(
    "--markdown",
    "markdown_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the tables as Markdown to this file.",
)
@click.option("--check", is_flag=True, help="Exit 1 when any target is missed.")
@click.option(
    "--index",
    "index_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Index folder [env NALTREXONE_QA_INDEX; default: ./index].",
)
@click.option(
    "--corpus",
    "corpus_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Folder of documents (.txt .md .html .pdf .docx) [env NALTREXONE_QA_CORPUS; default: ./corpus].",
)
def perf(
    as_json: bool,
    qa_file: str,
    sizes: list[int],
    repeats: int,
    random_recall: bool,
    markdown_file: Optional[str],
    check: bool,
    index_dir: Optional[str],
    corpus_dir: Optional[str],
) -> None:
    """Time answers, start-up and index builds against the model work they cannot avoid.

    Takes several minutes: every measurement runs in its own process, and the
    largest synthetic corpus (100k chunks) is indexed with BM25 and HNSW.
    """
    settings = run_guarded(lambda: make_settings(corpus_dir=corpus_dir, index_dir=index_dir))
    if not settings.corpus_dir.is_dir():
        fail(f"corpus folder {settings.corpus_dir} not found", 2)

    def go() -> dict[str, Any]:
        from ...bench.perf import run_perf

        try:
            return run_perf(
                str(settings.corpus_dir),
                str(settings.index_dir),
                Path(qa_file),
                sizes=sizes,
                repeats=repeats,
                random_recall=random_recall,
                progress=lambda m: click.echo(m, err=True),
            )
        except RuntimeError as exc:
            fail(str(exc), 1)

    result = run_guarded(go)
    from ...bench.perf_report import render_markdown

    table = render_markdown(result)
    if markdown_file:
        Path(markdown_file).write_text(table + "\n", encoding="utf-8")
    click.echo(json.dumps(result, indent=2) if as_json else table)
    missed = [c["check"] for c in result["checks"] if not c["ok"]]
    if check and missed:
        click.echo("Targets missed: " + "; ".join(missed), err=True)
        sys.exit(1)


COMMANDS = [bench]
