"""Plumbing of ``bench perf`` on tiny inputs; no timing assertions (speed goals live in the command)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from naltrexone_qa.bench.perf import (
    FALLBACK_QUESTIONS,
    edit_one_document,
    load_questions,
    percentile,
    ratio,
    timed_process,
)
from naltrexone_qa.bench.perf_report import checks, render_markdown
from naltrexone_qa.bench.scaling import (
    hnsw_recall,
    random_unit_vectors,
    recall_at_k,
    scaling_run,
    synthetic_corpus,
    synthetic_index,
)
from naltrexone_qa.embed.fixed import FixedEmbedder
from naltrexone_qa.errors import DataError
from naltrexone_qa.frontends.cli.bench import perf
from naltrexone_qa.types import Sentence

TEXTS = [
    "Naltrexone blocks opioid receptors in the brain.",
    "Low doses of naltrexone may ease anxiety symptoms.",
    "Gabapentin is prescribed for nerve pain and seizures.",
    "Benzodiazepines act on GABA receptors.",
    "Combining naltrexone with alcohol reduces cravings.",
    "Do you want to know more?",
]


def _source() -> tuple[list[Sentence], np.ndarray]:
    sents = [
        Sentence(i, "src", 0, len(t), t, None, 0, "question" if t.endswith("?") else "text")
        for i, t in enumerate(TEXTS)
    ]
    return sents, random_unit_vectors(len(TEXTS), 16, seed=3)


def test_load_questions_reads_file_and_skips_follow_ups(tmp_path: Path) -> None:
    f = tmp_path / "qa.jsonl"
    f.write_text(
        "\n".join(
            [
                json.dumps({"question": "Does it help anxiety?", "history": []}),
                json.dumps({"question": "And with alcohol?", "history": ["x"]}),
            ]
        ),
        encoding="utf-8",
    )
    assert load_questions(f) == ["Does it help anxiety?"]
    with f.open("a", encoding="utf-8") as fh:
        fh.write("\nnot json\n")
    with pytest.raises(DataError, match="qa.jsonl:3: not valid JSON"):
        load_questions(f)
    assert load_questions(tmp_path / "missing.jsonl") == list(FALLBACK_QUESTIONS)
    assert load_questions(None) == list(FALLBACK_QUESTIONS)


def test_percentile_and_ratio() -> None:
    assert percentile([], 0.5) == 0.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 100.0], 0.95) == 100.0
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(1.0, 0.0) == float("inf")


def test_timed_process_reports_output_and_memory() -> None:
    res = timed_process([sys.executable, "-c", "print('hi')"])
    assert res["stdout"].strip() == "hi"
    assert res["peak_mib"] > 0 and res["wall_s"] > 0
    with pytest.raises(RuntimeError, match="exited 3"):
        timed_process([sys.executable, "-c", "import sys; sys.exit(3)"])


def test_synthetic_corpus_quotes_exactly() -> None:
    src, vecs = _source()
    docs, sentences, chunks, sent_vecs, chunk_vecs = synthetic_corpus(src, vecs, 95, seed=1)
    assert len(chunks) == 95 and len(sentences) == 3 * 95 == len(sent_vecs)
    assert [s.id for s in sentences] == list(range(len(sentences)))
    for s in sentences:
        assert docs[s.doc_id].text[s.start : s.end] == s.text
    for c in chunks:
        assert docs[c.doc_id].text[c.start : c.end] == c.text
        assert all(sentences[i].doc_id == c.doc_id for i in c.sentence_ids)
    assert np.allclose(np.linalg.norm(chunk_vecs, axis=1), 1.0, atol=1e-5)
    assert np.allclose(np.linalg.norm(sent_vecs, axis=1), 1.0, atol=1e-5)


def test_recall_at_k() -> None:
    exact = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    approx = np.array([[1, 2, 3, 9], [5, 6, 7, 8]])
    assert recall_at_k(approx, exact, k=4) == pytest.approx(0.875)
    out = hnsw_recall(random_unit_vectors(300, 16), random_unit_vectors(5, 16, seed=9))
    assert out["index"] == "IndexHNSWFlat" and 0.0 <= out["recall@10"] <= 1.0 and out["n"] == 300


def test_fixed_embedder_falls_back_or_refuses() -> None:
    emb = FixedEmbedder("m", {"a": np.ones(4, np.float32)})
    assert emb.encode(["a"]).shape == (1, 4)
    with pytest.raises(KeyError):
        emb.encode(["b"])


def test_scaling_run_on_tiny_corpora() -> None:
    src, vecs = _source()
    questions = ["Does naltrexone ease anxiety?", "What does gabapentin treat?"]
    qvecs = {q: v for q, v in zip(questions, random_unit_vectors(2, 16, seed=5))}
    index, _ = synthetic_index(src, vecs, 30)
    assert index.bm25.n_docs == 30 and len(index.sentence_vectors) == 90
    out = scaling_run(src, vecs, questions, qvecs, [20, 40], "m", random_recall=True)
    assert [r["chunks"] for r in out["rows"]] == [20, 40]
    assert out["growth"]["from"] == 20 and out["growth"]["to"] == 40 and out["growth"]["retrieve"] > 0
    assert set(out["recall"]) == {"recombined", "random"}


def _fake_result() -> dict:
    return {
        "machine": {"cpu": "x", "cpus": 2, "python": "3.11", "platform": "linux"},
        "warm": {
            "ask_p50_ms": 12.0,
            "ask_p95_ms": 20.0,
            "embed_p50_ms": 10.0,
            "embed_p95_ms": 15.0,
            "ratio": 1.2,
            "peak_mib": 500.0,
        },
        "cold": {"ask_s": 5.0, "bare_s": 4.0, "ratio": 1.25, "ask_peak_mib": 600.0, "bare_peak_mib": 550.0},
        "build": {
            "texts": 10,
            "full_s": 2.0,
            "bare_embed_s": 1.0,
            "ratio": 2.0,
            "full_peak_mib": 1.0,
            "bare_peak_mib": 1.0,
            "edited": "a.txt",
            "edit_s": 0.2,
            "edit_share": 0.1,
            "edit_peak_mib": 1.0,
        },
        "scaling": {
            "rows": [
                {
                    "chunks": 1000,
                    "sentences": 3000,
                    "dense_index": "IndexFlatIP",
                    "retrieve_p50_ms": 1,
                    "retrieve_p95_ms": 2,
                    "answer_p50_ms": 3,
                    "answer_p95_ms": 4,
                }
            ],
            "growth": {"retrieve": 3.0, "answer": 2.0, "from": 1000, "to": 100000},
            "recall": {"random": {"n": 100000, "recall@10": 0.9}},
        },
        "help_s": 0.3,
    }


def test_checks_and_markdown() -> None:
    r = _fake_result()
    r["checks"] = checks(r)
    failed = {c["check"] for c in r["checks"] if not c["ok"]}
    assert any("full index build" in c for c in failed)
    assert any("random" in c for c in failed)
    assert not any("warm" in c or "cold" in c for c in failed)
    md = render_markdown(r)
    assert "| warm answer p50 (p95) |" in md and "| NO |" in md and "Machine:" in md
    assert "flag step" not in md  # a result saved before the flag step was measured


def test_flag_step_is_checked_against_30_ms() -> None:
    r = _fake_result()
    r["warm"] |= {"flags_p50_ms": 0.4, "flags_p95_ms": 2.0}
    (row,) = [c for c in checks(r) if "flag step" in c["check"]]
    assert row["value"] == 0.4 and row["target"] == 30.0 and row["ok"]
    r["checks"] = checks(r)
    assert "| disagreement flag step p50 (p95) | 0.4 ms (2.0 ms) |" in render_markdown(r)
    r["warm"]["flags_p50_ms"] = 31.0
    assert not next(c for c in checks(r) if "flag step" in c["check"])["ok"]


def test_edit_one_document_appends_to_median_file(tmp_path: Path) -> None:
    for name, size in (("a.txt", 10), ("b.txt", 20), ("c.txt", 30), ("notes.json", 5)):
        (tmp_path / name).write_text("x" * size, encoding="utf-8")
    assert edit_one_document(tmp_path) == "b.txt"
    assert (tmp_path / "b.txt").read_text(encoding="utf-8").startswith("x" * 20 + "\n")


def test_cli_rejects_bad_sizes_and_missing_corpus(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(perf, ["--sizes", "abc"]).exit_code == 2
    assert runner.invoke(perf, ["--sizes", "5"]).exit_code == 2
    res = runner.invoke(perf, ["--corpus", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "not found" in res.output
    assert "--json" in runner.invoke(perf, ["--help"]).output
