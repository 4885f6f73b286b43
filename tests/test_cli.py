"""The CLI through click's CliRunner: JSON contract, batch mode, clear errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from naltrexone_qa.frontends.cli import cli


@pytest.fixture()
def run(index_dir):
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, [args[0], "--index", str(index_dir), *args[1:]], input=input)

    return invoke


def test_ask_json_contract(run, corpus_dir):
    res = run("ask", "--json", "Does naltrexone block the effects of benzodiazepines?")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    for key in (
        "question",
        "answer",
        "abstained",
        "confidence",
        "sentences",
        "citations",
        "conflicts",
        "mode",
        "timings_ms",
    ):
        assert key in d
    assert d["mode"] == "hybrid" and not d["abstained"]
    assert "naltrexone-benzodiazepines" in {c["doc_id"] for c in d["citations"]}
    for c in d["citations"]:
        text = (corpus_dir / f"{c['doc_id']}.txt").read_text(encoding="utf-8")
        assert text[c["start"] : c["end"]] == c["text"]
        assert set(c) >= {"n", "doc_id", "title", "section", "start", "end", "text", "score"}


def test_ask_text_output_has_sources_and_notice(run):
    res = run("ask", "Can naltrexone be taken together with gabapentin?")
    assert res.exit_code == 0
    assert "[1]" in res.output and "Sources:" in res.output and "not medical advice" in res.output


def test_batch_from_stdin(run):
    lines = "\n".join(
        json.dumps(x)
        for x in [
            {"question": "Is naltrexone addictive?"},
            {
                "question": "What side effects should I watch for?",
                "history": ["Can naltrexone be taken with gabapentin?"],
            },
            {"question": "How do I reset my router?"},
        ]
    )
    res = run("ask", "--json", "-", input=lines)
    assert res.exit_code == 0, res.output
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(out) == 3 and out[2]["abstained"] and not out[0]["abstained"]


def test_batch_bad_line_reports_and_exits_2(run):
    res = run("ask", "--json", "-", input='{"question": "Is naltrexone addictive?"}\nnot json\n')
    assert res.exit_code == 2
    assert "Error: line 2: not valid JSON" in res.output and "(char " not in res.output
    first, second = res.stdout.splitlines()[:2]
    assert not json.loads(first)["abstained"] and json.loads(second)["line"] == 2


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_exits_2(run, question):
    res = run("ask", question)
    assert res.exit_code == 2 and "empty" in res.output
    assert "Traceback" not in res.output


def test_bad_mode_and_bad_corpus(run, tmp_path):
    assert run("ask", "--mode", "nope", "x").exit_code == 2
    (tmp_path / "c").mkdir()
    res = CliRunner().invoke(cli, ["ask", "--corpus", str(tmp_path / "c"), "--index", str(tmp_path / "i"), "hi"])
    assert res.exit_code == 2 and "holds no documents" in res.output


def test_modes_and_history_flags(run):
    for mode in ("bm25", "dense", "hybrid"):
        res = run("ask", "--json", "--mode", mode, "Does naltrexone block benzodiazepines?")
        assert json.loads(res.stdout)["mode"] == mode
    res = run("ask", "--json", "--history", "Can naltrexone be taken with gabapentin?", "Is it safe?")
    d = json.loads(res.stdout)
    assert "gabapentin" in d["resolved_question"].lower()


def test_help_needs_no_model():
    res = CliRunner().invoke(cli, ["--help"])
    assert res.exit_code == 0 and "ask" in res.output
