"""The committed Q&A set as a CI gate: a regression in answer quality fails the build.

Thresholds sit one or two items below what the pipeline measured when they were
set (answer accuracy 0.644, Recall@5 0.934, MRR 0.902, abstention on
unanswerable 0.762, false abstention 0.092, flag precision 0.60 and recall 0.75,
follow-up accuracy 0.692, citation exactness 1.0); raise them as quality rises.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from naltrexone_qa.cli import cli

GATE = [
    "--min-accuracy", "0.62", "--min-followup-accuracy", "0.6", "--min-recall", "0.92", "--min-mrr", "0.88",
    "--min-abstention", "0.7", "--max-false-abstention", "0.12", "--min-flag-precision", "0.5",
    "--min-flag-recall", "0.7", "--min-citation-exactness", "1.0",
]


def test_committed_qa_set_meets_the_quality_gate(index_dir, corpus_dir):
    res = CliRunner().invoke(cli, ["eval", "--index", str(index_dir), "--corpus", str(corpus_dir),
                                   "--qa", str(corpus_dir.parent / "evals" / "qa.jsonl"), "--mode", "hybrid",
                                   "--json", *GATE])
    assert res.exit_code == 0, res.output[-3000:]
    metrics = json.loads(res.stdout)["modes"]["hybrid"]
    assert metrics["citations"]["exactness"] == 1.0
    assert metrics["n_items"] >= 80
