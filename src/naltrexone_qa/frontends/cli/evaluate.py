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

from .common import common_options, fail, fusion_option, load_qa, make_settings, run_guarded

# The order of the by-mode table: each single mode, then their fusion.
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


def _rate(name: str, help_text: str, upper: Optional[float] = 1.0) -> Callable[..., Any]:
    return click.option(name, type=click.FloatRange(0.0, upper), default=None, help=help_text)


@click.command("eval")
@click.option(
    "--qa",
    "qa_file",
    default="evals/qa.jsonl",
    show_default=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Q&A file, one JSON object a line.",
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
    help="Failed items to list per mode (the report lists all).",
)
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
def eval_cmd(
    qa_file: str,
    mode: str,
    fusion: str,
    as_json: bool,
    report_dir: Optional[str],
    pairs_file: str,
    show_failures: int,
    corpus_dir: Optional[str],
    index_dir: Optional[str],
    model: Optional[str],
    store: Optional[str],
    detector: Optional[str],
    **limits: Optional[float],
) -> None:
    """Score the pipeline on a Q&A file: retrieval, answers, abstention, disagreement, citations, latency.

    Thresholds are checked on hybrid mode when it is scored, else on the one mode
    scored; any unmet threshold makes the command exit with code 1.
    """
    from ...evaluation.qa import check_thresholds, load_items, run_eval

    modes = list(EVAL_MODES) if mode == "all" else [mode]

    def go() -> dict[str, Any]:
        items = load_items(qa_file)
        settings = make_settings(
            corpus_dir=corpus_dir, index_dir=index_dir, model=model, store=store, detector=detector, fusion=fusion
        )
        return run_eval(load_qa(settings), items, modes, qa_path=qa_file, pairs_path=Path(pairs_file))

    result = run_guarded(go)
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
@click.option(
    "--questions",
    default="evals/calibration.jsonl",
    show_default=True,
    type=click.Path(dir_okay=False),
    help='JSON lines with "question" and "answerable".',
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the fitted record to this file (point AnswerSettings.calibration at it to use it).",
)
def calibrate(questions: str, out_file: Optional[str], **options: Any) -> None:
    """Fit the answer/abstain decision on covered and uncovered questions.

    The shipped calibration is regenerated with
    `naltrexone-qa calibrate --out src/naltrexone_qa/answer/calibration.json` in a checkout.
    """

    def go() -> None:
        from ...evaluation.calibrate import fit, save

        path = Path(questions)
        if not path.is_file():
            fail(f"{path} not found", 2)
        record = fit(load_qa(make_settings(**options)), path)
        click.echo(json.dumps(record, indent=2))
        if out_file:
            click.echo(f"written to {save(record, Path(out_file))}", err=True)

    run_guarded(go)


COMMANDS = [eval_cmd, calibrate]
