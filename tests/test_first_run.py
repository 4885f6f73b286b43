"""What a newcomer meets: announced builds and rebuilds with their reason, estimates, no silent changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from naltrexone_qa.evaluation.beir import eta_reporter
from naltrexone_qa.frontends.cli import cli

HASH = ["--model", "hash:64", "--store", "numpy"]


def test_builds_and_rebuilds_are_announced_with_their_reason(corpus_copy: Path, tmp_path: Path):
    runner = CliRunner()
    idx = str(tmp_path / "index")
    first = runner.invoke(cli, ["index", "--corpus", str(corpus_copy), "--index", idx, *HASH])
    assert first.exit_code == 0, first.output
    assert "Building the index" in first.stderr and "first run" in first.stderr and "about" in first.stderr
    again = runner.invoke(cli, ["ask", "--json", "--corpus", str(corpus_copy), "--index", idx, *HASH, "Is it safe?"])
    assert again.exit_code == 0 and "Building" not in again.stderr  # reused: nothing to announce
    path = corpus_copy / "naltrexone-gabapentin.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nAn added sentence.\n", encoding="utf-8")
    changed = runner.invoke(cli, ["ask", "--json", "--corpus", str(corpus_copy), "--index", idx, *HASH, "Is it safe?"])
    assert changed.exit_code == 0
    assert "Building the index" in changed.stderr and "corpus changed (naltrexone-gabapentin)" in changed.stderr
    assist = [ln for ln in changed.stdout.splitlines() if ln.startswith("{")]
    assert len(assist) == 1  # stdout stays one JSON object; notes go to stderr


def test_a_damaged_index_is_rebuilt_and_says_why(corpus_copy: Path, tmp_path: Path):
    runner = CliRunner()
    idx = tmp_path / "index"
    assert runner.invoke(cli, ["index", "--corpus", str(corpus_copy), "--index", str(idx), *HASH]).exit_code == 0
    build = next(p for p in idx.iterdir() if p.name.startswith("build-"))
    (build / "chunks.json").write_text("[]", encoding="utf-8")
    res = runner.invoke(cli, ["index", "--corpus", str(corpus_copy), "--index", str(idx), *HASH])
    assert res.exit_code == 0 and "chunks.json" in res.stderr and "Building the index" in res.stderr


def test_over_long_questions_are_refused_with_the_limit():
    res = CliRunner().invoke(cli, ["ask", "naltrexone " * 300])
    assert res.exit_code == 2 and "the limit is 2,000" in res.output and "Traceback" not in res.output


def test_benchmark_progress_gives_a_rate_and_time_left():
    said: list[str] = []
    report = eta_reporter(10_000, said.append)
    report(512)
    report(1024)
    assert said[0] == "  embedded 512/10000" and "documents/s" in said[1] and "min left" in said[1]


@pytest.mark.slow
def test_verbose_logging_hides_faiss_loader_noise(corpus_copy: Path, tmp_path: Path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [
        sys.executable,
        "-m",
        "naltrexone_qa",
        "-vv",
        "index",
        "--corpus",
        str(corpus_copy),
        "--index",
        str(tmp_path / "i"),
        "--model",
        "hash:64",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "swigfaiss" not in out.stderr and "No module named" not in out.stderr
    assert "Building the index" in out.stderr


def test_a_missing_corpus_folder_names_the_folder_and_the_ways_to_set_it(tmp_path: Path):
    res = CliRunner().invoke(cli, ["ask", "--corpus", "no-such-corpus", "--index", str(tmp_path / "i"), "hi"])
    assert res.exit_code == 2 and "no-such-corpus does not exist (looked up from" in res.output
    assert "--corpus DIR" in res.output and "NALTREXONE_QA_CORPUS" in res.output
