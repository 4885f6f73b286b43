"""The frozen test split as a CI gate: a regression in answer quality fails the build.

Only the test split is read; thresholds sit a little below what was measured on
it when they were set (see the README's Evaluation section), never tuned on it.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from naltrexone_qa.frontends.cli import cli

GATE = [
    "--min-single-accuracy",
    "0.83",
    "--min-followup-accuracy",
    "0.86",
    "--max-false-abstention",
    "0.05",
    "--min-near-miss-abstention",
    "0.86",
    "--min-citation-exactness",
    "1.0",
]


def test_committed_qa_set_meets_the_quality_gate(index_dir, corpus_dir):
    res = CliRunner().invoke(
        cli,
        [
            "eval",
            "--index",
            str(index_dir),
            "--corpus",
            str(corpus_dir),
            "--qa",
            str(corpus_dir.parent / "evals" / "test.jsonl"),
            "--mode",
            "hybrid",
            "--json",
            *GATE,
        ],
    )
    assert res.exit_code == 0, res.output[-3000:]
    metrics = json.loads(res.stdout)["modes"]["hybrid"]
    assert metrics["citations"]["exactness"] == 1.0
    assert metrics["n_items"] >= 190
