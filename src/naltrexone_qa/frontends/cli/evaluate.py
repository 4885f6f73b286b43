"""``eval`` and ``calibrate``: quality numbers, and the abstention fit, from the command line.

Threshold options turn the numbers into a CI gate: any unmet threshold exits 1
with a message naming it. Heavy imports happen inside the command bodies.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import click

from .common import common_options, evals_file_option, fail, fusion_option, load_qa, make_settings, run_guarded

# The order of the by-mode table: each single mode, then their fusion.
EVAL_MODES = ("bm25", "dense", "hybrid")
# option name -> (dotted metric path, "min" | "max")
THRESHOLDS = {
    "min_accuracy": ("answers.accuracy", "min"),
    "min_single_accuracy": ("answers.self_contained.accuracy", "min"),
    "min_followup_accuracy": ("answers.followup.accuracy", "min"),
    "min_recall": ("retrieval.recall@5", "min"),
    "min_mrr": ("retrieval.mrr", "min"),
    "min_abstention": ("abstention.unanswerable.abstention_rate", "min"),
    "min_near_miss_abstention": ("abstention.near_miss.abstention_rate", "min"),
    "max_false_abstention": ("abstention.answerable.false_abstention_rate", "max"),
    "min_flag_precision": ("disagreement.flag_precision", "min"),
    "min_flag_recall": ("disagreement.flag_recall", "min"),
    "min_citation_exactness": ("citations.exactness", "min"),
    "max_p95_ms": ("latency_ms.p95", "max"),
}


def _rate(name: str, help_text: str, upper: Optional[float] = 1.0) -> Callable[..., Any]:
    return click.option(name, type=click.FloatRange(0.0, upper), default=None, help=help_text)


@click.command("eval")
@click.option(
    "--qa",
    "qa_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Q&A file, one JSON object a line; repeat to score several side by side "
    "[default: evals/dev.jsonl and evals/test.jsonl].",
)
@click.option(
    "--mode",
    type=click.Choice(EVAL_MODES + ("all",)),
    default="hybrid",
    show_default=True,
    help="Retrieval mode to score; 'all' scores each and prints a table by mode.",
)
@fusion_option
@click.option("--json", "as_json", is_flag=True, help="Print the full result (metrics and failures) as JSON.")
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write report.md, metrics.json and chart.png into this folder.",
)
@click.option(
    "--pairs",
    "pairs_file",
    default="evals/conflict_pairs.jsonl",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Labelled sentence pairs for the detector, scored when the file exists.",
)
@click.option(
    "--show-failures",
    type=click.IntRange(0),
    default=15,
    show_default=True,
    help="Failed items to list per column (the report lists all).",
)
@click.option(
    "--typos",
    "typo_seed",
    type=int,
    default=None,
    metavar="SEED",
    help="Score the questions with one typo each (in a word of six letters or more, chosen with SEED), "
    "as people type them.",
)
@_rate("--min-accuracy", "Fail below this answer accuracy (answerable items).")
@_rate("--min-single-accuracy", "Fail below this answer accuracy on single-turn questions.")
@_rate("--min-followup-accuracy", "Fail below this answer accuracy on multi-turn (follow-up) questions.")
@_rate("--min-recall", "Fail below this Recall@5 of gold sources.")
@_rate("--min-mrr", "Fail below this MRR of gold sources.")
@_rate("--min-abstention", "Fail below this abstention rate on unanswerable items.")
@_rate("--min-near-miss-abstention", "Fail below this abstention rate on on-topic questions the articles don't answer.")
@_rate("--max-false-abstention", "Fail above this abstention rate on answerable items.")
@_rate("--min-flag-precision", "Fail below this disagreement-flag precision.")
@_rate("--min-flag-recall", "Fail below this disagreement-flag recall.")
@_rate("--min-citation-exactness", "Fail below this share of quotes matching the corpus exactly.")
@_rate("--max-p95-ms", "Fail above this p95 latency per question, in ms.", upper=None)
@common_options
def eval_cmd(
    qa_files: tuple[str, ...],
    mode: str,
    fusion: str,
    as_json: bool,
    report_dir: Optional[str],
    pairs_file: str,
    show_failures: int,
    typo_seed: Optional[int],
    corpus_dir: Optional[str],
    index_dir: Optional[str],
    model: Optional[str],
    store: Optional[str],
    detector: Optional[str],
    **limits: Any,
) -> None:
    """Score the pipeline on Q&A files: retrieval, answers, abstention, disagreement, citations, latency.

    By default the dev split (tuning allowed) and the frozen test split are scored side by side.
    Thresholds are checked on hybrid mode (else the one mode scored) of every file given; any unmet
    threshold makes the command exit with code 1. The CI gate passes --qa evals/test.jsonl alone.
    """
    from ...evaluation.items import with_typos
    from ...evaluation.qa import check_thresholds, combine, load_items, run_eval

    files = list(qa_files) or [f for f in ("evals/dev.jsonl", "evals/test.jsonl") if Path(f).is_file()]
    if not files:
        fail("no Q&A file: pass --qa FILE (evals/dev.jsonl and evals/test.jsonl are not here)", 2)
    modes = list(EVAL_MODES) if mode == "all" else [mode]
    answerer = {k: limits.pop(k, None) for k in ("rerank", "reranker_dir", "fitted")}  # not thresholds

    def go() -> dict[str, Any]:
        sets = {Path(f).stem: load_items(f) for f in files}
        if typo_seed is not None:
            sets = {name: with_typos(items, typo_seed) for name, items in sets.items()}
        settings = make_settings(
            corpus_dir=corpus_dir,
            index_dir=index_dir,
            model=model,
            store=store,
            detector=detector,
            fusion=fusion,
            **answerer,
        )
        qa = load_qa(settings)
        results = {
            name: run_eval(qa, items, modes, qa_path=str(f), pairs_path=Path(pairs_file))
            for (name, items), f in zip(sets.items(), files)
        }
        return combine(results)

    result = run_guarded(go)
    primary = "hybrid" if "hybrid" in modes else modes[0]
    wanted = {THRESHOLDS[k][0]: (THRESHOLDS[k][1], v) for k, v in limits.items() if v is not None}
    failed = []
    for label, col in result["columns"].items():
        if col["mode"] == primary:
            failed += [f"{col['file']}: {msg}" for msg in check_thresholds(result["modes"][label], wanted)]
    result["thresholds"] = {"mode": primary, "checked": {p: list(v) for p, v in wanted.items()}, "failed": failed}
    _output(result, as_json, report_dir, show_failures)
    if failed:
        for msg in failed:
            click.echo(f"Threshold failed ({primary}): {msg}", err=True)
        sys.exit(1)


def _output(result: dict[str, Any], as_json: bool, report_dir: Optional[str], show_failures: int) -> None:
    from ...evaluation.report import counts_line, hybrid_check, pairs_line, render_table, summary_rows, write_report

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


@click.command()
@common_options
@evals_file_option(
    "--dev",
    "dev_file",
    "evals/dev.jsonl",
    "Questions with the right sentences known (the dev split; never the test split).",
)
@evals_file_option(
    "--questions",
    "questions",
    "evals/calibration.jsonl",
    'More questions for the abstain decision: JSON lines with "question" and "answerable".',
)
@click.option(
    "--train-file",
    "train_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also learn the abstain decision from these training questions (e.g. evals/train.jsonl), cross-fitted "
    "by writer (about 15 minutes); dev then only chooses its regularisation. Not how the shipped records "
    "were made (see the README).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write ranker.json and calibration.json here (point AnswerSettings at them, or ship them), with the heads "
    "and question bank they were fitted with, so the folder is complete. To fit with new heads or a new bank, "
    "pass their folder as --fitted, or have train heads / train bank write into this --out folder first.",
)
def calibrate(dev_file: str, questions: str, train_file: Optional[str], out_dir: Optional[str], **options: Any) -> None:
    """Fit the candidate ranker and the answer/abstain decision on dev questions; print the records.

    The shipped records are regenerated with
    `naltrexone-qa calibrate --out src/naltrexone_qa/answer` in a checkout.
    """

    def go() -> None:
        from ...evaluation.calibrate import adopt_parts
        from ...evaluation.calibrate import calibrate as fit
        from ...evaluation.items import load_items
        from ...training.crossfit import crossfit_examples

        for path in (dev_file, questions, *((train_file,) if train_file else ())):
            if not Path(path).is_file():
                fail(f"{path} not found", 2)
        qa = load_qa(make_settings(**options))
        if out_dir and qa.settings.answer.fitted is None:
            found = adopt_parts(qa, Path(out_dir))
            if found:
                _say(f"fitting with the {', '.join(found)} in {out_dir} (from train heads / train bank)")
        train = crossfit_examples(qa, load_items(Path(train_file)), notify=_say) if train_file else []
        records = fit(
            qa,
            Path(dev_file),
            Path(questions),
            Path(out_dir) if out_dir else None,
            train=train,
            train_name=Path(train_file).name if train_file else "",
        )
        click.echo(json.dumps(records, indent=2))
        if out_dir:
            click.echo(f"written to {out_dir}: " + ", ".join(records), err=True)

    run_guarded(go)


def _say(message: str) -> None:
    click.echo(message, err=True)


COMMANDS = [eval_cmd, calibrate]
