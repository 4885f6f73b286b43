"""``naltrexone-qa eval`` and ``naltrexone-qa bench beir``: quality numbers from the command line.

Kept out of ``cli.py`` so the main CLI stays small; heavy imports (torch,
faiss, matplotlib) happen inside the command bodies so ``--help`` is instant.
Threshold options turn the numbers into a CI gate: any unmet threshold exits 1
with a message naming it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import click

from .cli_options import common_options, model_option
from .cli_perf import perf

from .errors import QAError

EVAL_MODES = ("bm25", "dense", "hybrid")
# option name -> (dotted metric path, "min" | "max")
THRESHOLDS = {
    "min_accuracy": ("answers.accuracy", "min"),
    "min_followup_accuracy": ("answers.followup.accuracy", "min"),
    "min_recall": ("retrieval.recall@5", "min"),
    "min_mrr": ("retrieval.mrr", "min"),
    "min_abstention": ("abstention.unanswerable.abstention_rate", "min"),
    "max_false_abstention": ("abstention.answerable.false_abstention_rate", "max"),
    "min_flag_precision": ("disagreement.flag_precision", "min"),
    "min_flag_recall": ("disagreement.flag_recall", "min"),
    "min_citation_exactness": ("citations.exactness", "min"),
    "max_p95_ms": ("latency_ms.p95", "max"),
}


def _die(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def load_pipeline(**options: Any) -> Any:
    """Build or load the QA pipeline (a seam so tests can score a fake one)."""
    from . import QA

    return QA.load(**options)


def _rate(name: str, help_text: str, upper: Optional[float] = 1.0):  # type: ignore[no-untyped-def]
    return click.option(name, type=click.FloatRange(0.0, upper), default=None, help=help_text)


@click.command("eval")
@click.option("--qa", "qa_file", default="evals/qa.jsonl", show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="Q&A file, one JSON object a line.")
@click.option("--mode", type=click.Choice(EVAL_MODES + ("all",)), default="hybrid", show_default=True,
              help="Retrieval mode to score; 'all' scores each and prints a table by mode.")
@click.option("--fusion", type=click.Choice(["rrf", "weighted"]), default="rrf", show_default=True,
              help="How hybrid mode fuses BM25 and dense rankings.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result (metrics and failures) as JSON.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False), default=None,
              help="Write report.md, metrics.json and chart.png into this folder.")
@click.option("--pairs", "pairs_file", default="evals/contradictions.jsonl", show_default=True,
              type=click.Path(dir_okay=False), help="Labelled conflict pairs, scored when the file exists.")
@click.option("--show-failures", type=click.IntRange(0), default=15, show_default=True,
              help="Failed items to list per mode (the report lists all).")
@_rate("--min-accuracy", "Fail below this answer accuracy (answerable items).")
@_rate("--min-followup-accuracy", "Fail below this answer accuracy on follow-up questions.")
@_rate("--min-recall", "Fail below this Recall@5 of gold sources.")
@_rate("--min-mrr", "Fail below this MRR of gold sources.")
@_rate("--min-abstention", "Fail below this abstention rate on unanswerable items.")
@_rate("--max-false-abstention", "Fail above this abstention rate on answerable items.")
@_rate("--min-flag-precision", "Fail below this disagreement-flag precision.")
@_rate("--min-flag-recall", "Fail below this disagreement-flag recall.")
@_rate("--min-citation-exactness", "Fail below this share of quotes matching the corpus exactly.")
@_rate("--max-p95-ms", "Fail above this p95 latency per question, in ms.", upper=None)
@common_options
def eval_cmd(qa_file: str, mode: str, fusion: str, as_json: bool, report_dir: Optional[str], pairs_file: str,
             show_failures: int, model: Optional[str], index_dir: Optional[str], corpus_dir: Optional[str],
             **limits: Optional[float]) -> None:
    """Score the pipeline on a Q&A file: retrieval, answers, abstention, disagreement, citations, latency.

    Thresholds are checked on hybrid mode when it is scored, else on the one mode
    scored; any unmet threshold makes the command exit with code 1.
    """
    from .evaluation import QAFileError, check_thresholds, load_qa, run_eval

    try:
        items = load_qa(qa_file)
        qa = load_pipeline(corpus_dir=corpus_dir, index_dir=index_dir, model=model, fusion=fusion)
        modes = list(EVAL_MODES) if mode == "all" else [mode]
        result = run_eval(qa, items, modes, qa_path=qa_file, pairs_path=Path(pairs_file))
    except QAFileError as exc:
        _die(str(exc), 2)
        return
    except QAError as exc:
        _die(str(exc), exc.exit_code)
        return
    except KeyboardInterrupt:
        _die("interrupted", 130)
        return
    primary = "hybrid" if "hybrid" in result["modes"] else modes[0]
    wanted = {THRESHOLDS[k][0]: (THRESHOLDS[k][1], v) for k, v in limits.items() if v is not None}
    failed = check_thresholds(result["modes"][primary], wanted)
    result["thresholds"] = {"mode": primary, "checked": {p: list(v) for p, v in wanted.items()}, "failed": failed}
    _output(result, as_json, report_dir, show_failures)
    if failed:
        for msg in failed:
            click.echo(f"Threshold failed ({primary}): {msg}", err=True)
        sys.exit(1)


def _output(result: dict[str, Any], as_json: bool, report_dir: Optional[str], show_failures: int) -> None:
    from .eval_report import counts_line, hybrid_check, pairs_line, render_table, summary_rows, write_report

    if report_dir:
        for p in write_report(result, report_dir):
            click.echo(f"wrote {p}", err=True)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    click.echo(counts_line(result))
    click.echo(render_table(*summary_rows(result)))
    click.echo(pairs_line(result.get("pairs", {})))
    if hybrid_check(result):
        click.echo(hybrid_check(result))
    for mode, fails in result["failures"].items():
        if show_failures and fails:
            click.echo(f"\nFailures ({mode}): {len(fails)}")
            for f in fails[:show_failures]:
                click.echo(f"  {f['id']}: " + "; ".join(f["failures"]))
            if len(fails) > show_failures:
                click.echo(f"  ... {len(fails) - show_failures} more (see --report or --json)")


@click.group("bench")
def bench() -> None:
    """Benchmarks: public retrieval (beir) and speed and scale (perf); not part of CI."""


bench.add_command(perf)


@bench.command("beir")
@click.argument("dataset_dir", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--mode", type=click.Choice(EVAL_MODES + ("all",)), default="all", show_default=True)
@click.option("--limit-queries", type=click.IntRange(1), default=None, help="Score only the first N judged queries.")
@click.option("--fusion", type=click.Choice(["rrf", "weighted"]), default="rrf", show_default=True,
              help="Hybrid fusion: reciprocal rank fusion or weighted min-max-normalised scores.")
@click.option("--rrf-k", type=click.IntRange(1), default=None, help="RRF constant k [default: the pipeline's, 20].")
@click.option("--dense-weight", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True,
              help="Weight of the dense scores in weighted fusion (BM25 gets the rest).")
@click.option("--split", default="test", show_default=True, help="Which qrels/<split>.tsv to score.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Embedding cache folder [default: ~/.cache/naltrexone-qa/beir, or $NALTREXONE_QA_CACHE/beir].")
@model_option
def bench_beir(dataset_dir: str, as_json: bool, mode: str, limit_queries: Optional[int], fusion: str,
               rrf_k: int, dense_weight: float, split: str, cache_dir: Optional[str], model: Optional[str]) -> None:
    """Run BM25, dense and hybrid retrieval on a BEIR-format dataset; report nDCG@10 and Recall@100.

    DATASET_DIR holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv. When the
    folder does not exist the benchmark is skipped with a message (exit 0), so CI
    never depends on the data being present.
    """
    if not Path(dataset_dir).is_dir():
        click.echo(f"Skipped: no BEIR dataset at {dataset_dir} (folder not found).", err=True)
        return
    from .beir import BeirDataError, load_beir, run_beir
    from .retrieval import DEFAULT_RRF_K
    from .eval_report import beir_rows, render_table

    modes = list(EVAL_MODES) if mode == "all" else [mode]
    try:
        ds = load_beir(Path(dataset_dir), split=split)
        embedder = None
        if mode != "bm25":
            from .embedding import Embedder

            embedder = Embedder(model)
        result = run_beir(ds, modes, embedder=embedder, cache_dir=Path(cache_dir) if cache_dir else None,
                          fusion=fusion, rrf_k=rrf_k or DEFAULT_RRF_K, dense_weight=dense_weight,
                          limit_queries=limit_queries,
                          progress=lambda msg: click.echo(msg, err=True))
    except BeirDataError as exc:
        _die(str(exc), 2)
        return
    except QAError as exc:
        _die(str(exc), exc.exit_code)
        return
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"{result['dataset']}: {result['n_docs']} documents, {result['n_queries']} queries, "
               f"{result['n_judgments']} judgments")
    click.echo(render_table(*beir_rows(result)))
    if "hybrid" in result["modes"]:
        f = result["fusion"]
        click.echo(f"hybrid fusion: {f['method']} (rrf_k={f['rrf_k']}, dense_weight={f['dense_weight']}); "
                   f"target nDCG@10 >= {result['hybrid_target_ndcg@10']}")
