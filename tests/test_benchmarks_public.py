"""The public benchmark commands' plumbing on tiny files written here: loading, metrics, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from naltrexone_qa.answer.heads import RELEVANCE, LinearHead
from naltrexone_qa.embed.hashing import HashEmbedder
from naltrexone_qa.errors import DataError
from naltrexone_qa.evaluation.liveqa import load_liveqa, metrics
from naltrexone_qa.evaluation.wikiqa import (
    average_precision,
    load_wikiqa,
    reciprocal_rank,
    run_wikiqa,
    signal_scorers,
)
from naltrexone_qa.frontends.cli import cli

WIKI = [
    ("Q1", "how do opioid antagonists work", "D1-0", "They bind receptors without activating them.", 1),
    ("Q1", "how do opioid antagonists work", "D1-1", "The weather was fine.", 0),
    ("Q2", "what is gabapentin", "D2-0", "It is sunny.", 0),
    ("Q2", "what is gabapentin", "D2-1", "Gabapentin is an anticonvulsant.", 1),
    ("Q3", "no answer here", "D3-0", "Nothing.", 0),
]


def write_wikiqa(folder: Path) -> Path:
    lines = ["QuestionID\tQuestion\tDocumentID\tDocumentTitle\tSentenceID\tSentence\tLabel"]
    lines += [f"{q}\t{text}\tD\tT\t{sid}\t{s}\t{label}" for q, text, sid, s, label in WIKI]
    (folder / "WikiQA-test.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_map_and_mrr_by_hand():
    assert average_precision(np.array([0.9, 0.1, 0.5]), [0, 1, 1]) == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert reciprocal_rank(np.array([0.9, 0.1, 0.5]), [0, 1, 1]) == 0.5


def test_wikiqa_keeps_questions_with_an_answer_and_scores_each_signal(tmp_path):
    questions = load_wikiqa(write_wikiqa(tmp_path))
    assert [q.qid for q in questions] == ["Q1", "Q2"]
    res = run_wikiqa(questions, signal_scorers(questions, HashEmbedder()), {"sum": {"bm25": 1.0, "lex": 1.0}})
    assert res["questions"] == 2 and set(res["scorers"]) == {"bm25", "lex", "dense", "sum"}
    assert res["scorers"]["lex"]["map"] == 1.0
    # A pair relevance head is scored from the same vectors (here one that is the plain dot product).
    dot = LinearHead.from_record(
        RELEVANCE, {"kind": RELEVANCE.kind, "coef": [1.0] * 256 + [0.0] * 256, "intercept": 0}, "t"
    )
    both = run_wikiqa(questions, signal_scorers(questions, HashEmbedder(), pair_head=dot))
    assert both["scorers"]["pair"]["map"] == pytest.approx(both["scorers"]["dense"]["map"])


def test_wikiqa_bad_file_names_the_line(tmp_path):
    (tmp_path / "WikiQA-test.tsv").write_text(
        "QuestionID\tQuestion\tSentence\tLabel\nQ1\tq\ts\tyes\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match="WikiQA-test.tsv:2"):
        load_wikiqa(tmp_path)
    with pytest.raises(DataError, match="not found"):
        load_wikiqa(tmp_path / "missing")


def write_liveqa(root: Path) -> Path:
    (root / "liveqa-med").mkdir(parents=True)
    (root / "liveqa-med" / "TREC-2017-LiveQA-Medical-Test-Questions-w-summaries.xml").write_text(
        """<?xml version="1.0"?><LiveQA><NLM-QUESTION qid="TQ1"><Original-Question>
        <SUBJECT>gluten</SUBJECT><MESSAGE>do these tablets contain gluten</MESSAGE></Original-Question>
        <NLM-Summary>Do the tablets contain gluten?</NLM-Summary></NLM-QUESTION></LiveQA>""",
        encoding="utf-8",
    )
    (root / "liveqa-med" / "All-qrels_LiveQAMed2017-TestQuestions_2479_Judged-Answers.txt").write_text(
        "1 4-Excellent A_1_Sec1.txt\n1 1-Incorrect A_2_Sec1.txt\n", encoding="utf-8"
    )
    (root / "liveqa-med" / "All-2479-Answers-retrieved-from-MedQuAD.csv").write_text(
        'AnswerID,Answer\nA_1_Sec1.txt,"Question: Gluten in tablets?\nURL: x\nAnswer: The tablets are gluten free."\n'
        'A_2_Sec1.txt,"Question: Knee pain?\nURL: y\nAnswer: Rest the knee."\n',
        encoding="utf-8",
    )
    return root


def test_liveqa_loads_questions_grades_and_answers(tmp_path):
    data = load_liveqa(write_liveqa(tmp_path))
    assert data.questions["1"]["original"] == "gluten do these tablets contain gluten"
    assert data.qrels == {"1": {"A_1_Sec1.txt": 3, "A_2_Sec1.txt": 0}}
    assert data.doc_texts[0].startswith("Gluten in tablets?") and "URL" not in data.doc_texts[0]
    assert metrics({"1": ["A_1_Sec1.txt", "X"]}, data.qrels) == {
        "ndcg@10": 1.0,
        "p@5": 0.2,
        "unjudged@10": 0.1,
        "avg_score": 3.0,
        "questions": 1,
    }
    with pytest.raises(DataError, match="not found"):
        load_liveqa(tmp_path / "nowhere")


def test_bench_commands_fail_cleanly_on_missing_data(tmp_path):
    for name in ("wikiqa", "liveqa"):
        res = CliRunner().invoke(cli, ["bench", name, str(tmp_path / "none"), "--no-rerank"])
        assert res.exit_code == 2 and "not found" in res.output, res.output
        assert "Traceback" not in res.output
    assert json.loads(json.dumps({"ok": True}))


def test_bench_wikiqa_reads_the_named_adapter_and_names_what_is_wrong_with_it(tmp_path):
    """``--reranker DIR`` measures another adapter; a folder without one is a clear error, not a traceback."""
    (tmp_path / "wiki").mkdir()
    data = write_wikiqa(tmp_path / "wiki")
    empty = tmp_path / "adapter"
    empty.mkdir()
    args = ["bench", "wikiqa", str(data), "--model", "hash:64", "--json"]
    res = CliRunner().invoke(cli, [*args, "--reranker", str(empty)])
    assert res.exit_code != 0 and "reranker.json" in res.output and "Traceback" not in res.output, res.output
    res = CliRunner().invoke(cli, [*args, "--no-rerank"])
    assert res.exit_code == 0, res.output
    scorers = json.loads(res.output[res.output.index("{") :])["scorers"]
    assert {"bm25", "lex", "dense"} <= set(scorers) and "rerank" not in scorers
