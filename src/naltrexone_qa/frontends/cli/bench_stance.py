"""``naltrexone-qa bench stance FILE``: a detector's supports/refutes/neutral scores on a labelled pair file.

Kept in its own module so the public retrieval benchmarks and this one can
change apart; only click is imported until the command runs.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import click

from .common import detector_option, run_guarded


@click.command("stance")
@click.argument("pair_file", type=click.Path(dir_okay=False))
@detector_option
@click.option("--nli-model", default=None, help="CrossEncoder NLI model name or local path (--detector nli).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Score only the first N pairs.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def bench_stance(
    pair_file: str, detector: Optional[str], nli_model: Optional[str], limit: Optional[int], as_json: bool
) -> None:
    """Per-label precision, recall and F1, macro-F1 and the confusion matrix of the disagreement detector.

    PAIR_FILE is a HealthVer CSV (id,evidence,claim,label), the public claim-evidence
    JSONL (claim, evidence, label support|contradiction) or our evals/conflict_pairs.jsonl.
    The detector's contradiction counts as refutes, agreement as supports, unrelated
    as neutral; the majority-class and always-refutes baselines are printed beside it.
    """

    def go() -> dict[str, Any]:
        from ...disagree.registry import get_detector
        from ...evaluation.stance import bench_stance as run
        from ...evaluation.stance import read_pair_rows

        rows = read_pair_rows(pair_file)
        rows = rows[:limit] if limit else rows
        return {"file": pair_file, **run(get_detector(detector or "rules", nli_model), rows)}

    res = run_guarded(go)
    if as_json:
        click.echo(json.dumps(res, indent=2))
        return
    from ...evaluation.stance import format_stance

    click.echo(format_stance(f"stance: {pair_file}", res))


BENCH_COMMANDS = [bench_stance]
