"""The committed Q&A set as a CI gate: a regression in answer quality fails the build.

Thresholds sit one or two items below what the pipeline measured when they were
set (answer accuracy 0.701, Recall@5 0.937, MRR 0.910, abstention on
unanswerable 0.809, false abstention 0.092, flag precision 0.583 and recall 0.875,
follow-up accuracy 0.846, citation exactness 1.0); raise them as quality rises.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from naltrexone_qa.frontends.cli import cli

GATE = [
    "--min-accuracy",
    "0.67",
    "--min-followup-accuracy",
    "0.76",
    "--min-recall",
    "0.92",
    "--min-mrr",
    "0.89",
    "--min-abstention",
    "0.75",
    "--max-false-abstention",
    "0.12",
    "--min-flag-precision",
    "0.5",
    "--min-flag-recall",
    "0.74",
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
            str(corpus_dir.parent / "evals" / "qa.jsonl"),
            "--mode",
            "hybrid",
            "--json",
            *GATE,
        ],
    )
    assert res.exit_code == 0, res.output[-3000:]
    metrics = json.loads(res.stdout)["modes"]["hybrid"]
    assert metrics["citations"]["exactness"] == 1.0
    assert metrics["n_items"] >= 80
