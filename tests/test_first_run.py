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


def test_build_progress_keeps_moving_and_closes(monkeypatch: pytest.MonkeyPatch):
    """Open bars are redrawn while a step takes long; only embedding shows a rate; a failed build closes them."""
    import io
    import time

    from naltrexone_qa.frontends.cli.common import progress_bar

    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    bars = progress_bar(refresh_every=0.05)
    bars("reading", 1, 5)
    bars("embedding", 0, 100)  # the model is loading: nothing encoded yet
    time.sleep(0.4)
    drawn = err.getvalue()
    assert drawn.count("embedding:") >= 4  # redrawn while nothing moved, not frozen
    assert "file/s" not in drawn and "?file" not in drawn  # no rate for files read or reused
    bars.close()  # a build that failed half-way
    assert all(b.disable for b in bars.bars.values())  # tqdm marks a closed bar disabled
    assert err.getvalue().endswith("\n")  # the next message starts on its own line


def test_a_build_shows_the_embedding_bar_before_the_first_batch(corpus_copy: Path, tmp_path: Path):
    from naltrexone_qa.config import Settings
    from naltrexone_qa.disagree.rules import RuleDetector
    from naltrexone_qa.embed.hashing import HashEmbedder
    from naltrexone_qa.index.build import ensure_index

    calls: list[tuple[str, int, int]] = []
    settings = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "i", model="hash:64", store="numpy")
    ensure_index(settings, HashEmbedder(64), RuleDetector(), progress=lambda *a: calls.append(a))
    embedding = [c for c in calls if c[0] == "embedding"]
    assert embedding[0][1] == 0 and embedding[-1][1] == embedding[-1][2] > 0


def test_one_shot_commands_skip_the_interpreter_teardown(monkeypatch: pytest.MonkeyPatch):
    """After the answer, `ask` ends at once instead of spending seconds freeing torch's objects."""
    from naltrexone_qa.frontends import cli as cli_module

    ended: list[int] = []

    class Ended(Exception):
        pass

    def fake_exit(code: int) -> None:
        ended.append(code)
        raise Ended

    monkeypatch.setattr(cli_module.os, "_exit", fake_exit)
    monkeypatch.setitem(sys.modules, "torch", sys.modules.get("torch", object()))

    def finish(code: int):
        def main(**_: object) -> None:
            raise SystemExit(code)

        return main

    for argv, code, quick in (
        (["naltrexone-qa", "-v", "ask", "q"], 0, True),
        (["naltrexone-qa", "conflicts"], 2, True),
        (["naltrexone-qa", "serve"], 0, False),
        (["naltrexone-qa", "slack"], 0, False),
    ):
        monkeypatch.setattr(sys, "argv", argv)
        monkeypatch.setattr(cli_module.cli, "main", finish(code))
        ended.clear()
        with pytest.raises((Ended, SystemExit)):
            cli_module.main()
        assert ended == ([code] if quick else []), argv


def test_no_machine_paths_in_the_package():
    """Data paths come from options, the environment or defaults relative to the current folder."""
    import click

    src = Path(__file__).resolve().parents[1] / "src" / "naltrexone_qa"
    for path in src.rglob("*"):
        if path.suffix in (".py", ".json", ".yml", ".yaml", ".toml", ".txt"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for machine in ("/work/", "/home/", "/tmp/", "/root/", "/Users/"):
                assert machine not in text, f"{path.relative_to(src)} names {machine}"

    def walk(command: click.Command, name: str):
        yield name, command
        if isinstance(command, click.Group):
            for sub_name, sub in command.commands.items():
                yield from walk(sub, f"{name} {sub_name}")

    for name, command in walk(cli, "naltrexone-qa"):
        for param in command.params:
            default = param.default
            if isinstance(default, str) and ("/" in default or "\\" in default):
                assert not Path(default).is_absolute() and ".." not in Path(default).parts, (
                    f"{name} {param.opts[0]} defaults to {default}"
                )


def test_benchmark_data_comes_from_an_option_or_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("NALTREXONE_QA_BENCHMARKS", raising=False)
    res = CliRunner().invoke(cli, ["bench", "scale", "--model", "hash:64"])
    assert res.exit_code == 2 and "--medquad DIR" in res.output and "NALTREXONE_QA_BENCHMARKS" in res.output
    monkeypatch.setenv("NALTREXONE_QA_BENCHMARKS", str(tmp_path / "bench"))
    res = CliRunner().invoke(cli, ["bench", "scale", "--model", "hash:64"])
    assert res.exit_code == 0 and f"no MedQuAD folder at {tmp_path / 'bench' / 'medquad'}" in res.output
    train = tmp_path / "train.jsonl"
    train.write_text('{"id": "a", "question": "q?", "answerable": false, "gold_sources": []}\n')
    monkeypatch.delenv("NALTREXONE_QA_BENCHMARKS")
    res = CliRunner().invoke(cli, ["train", "reranker", "--out", str(tmp_path / "o"), "--train-file", str(train)])
    assert res.exit_code == 2 and "--benchmarks DIR" in res.output and "NALTREXONE_QA_BENCHMARKS" in res.output


def test_the_missing_corpus_message_names_the_index_variable_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NALTREXONE_QA_CORPUS", raising=False)
    res = CliRunner().invoke(cli, ["conflicts"])
    assert res.exit_code == 2 and "corpus folder corpus does not exist" in res.output
    assert "NALTREXONE_QA_CORPUS" in res.output and "NALTREXONE_QA_INDEX" in res.output


def test_plain_terminal_output_wraps_between_words(monkeypatch: pytest.MonkeyPatch):
    """Chat's /conflicts and `ask` with NO_COLOR on a terminal: long lines break between words, never inside one."""
    import io
    import os as os_module
    import shutil as shutil_module

    from naltrexone_qa.render.text import write_lines

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(
        shutil_module, "get_terminal_size", lambda fallback=(100, 24): os_module.terminal_size((60, 24))
    )
    words = [f"word{i}" for i in range(60)]
    out = Terminal()
    write_lines([[("  - " + " ".join(words), None)]], out)
    lines = out.getvalue().rstrip("\n").split("\n")
    assert len(lines) > 4 and all(len(line) <= 60 for line in lines)
    assert [w for line in lines for w in line.split() if w != "-"] == words  # no word cut in two


@pytest.mark.slow
def test_index_on_an_up_to_date_index_does_not_load_the_model(
    index_dir: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checking the index needs file hashes only: the model (seconds of loading) is never touched."""
    from naltrexone_qa.embed import sentence_transformers as st

    def refuse(self: object) -> None:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(st.SentenceTransformerEmbedder, "_load", refuse)
    res = CliRunner().invoke(cli, ["index", "--index", str(index_dir), "--corpus", str(corpus_dir)])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("Index up to date:")
