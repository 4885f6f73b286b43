"""The question bank: built from the training split only, found again in a re-built index, joined to the records."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from naltrexone_qa.answer.abstain import Calibration
from naltrexone_qa.answer.bank import BANK_FILE, VECTORS_FILE, BankEntry, BoundBank, QuestionBank
from naltrexone_qa.answer.conversation import resolve
from naltrexone_qa.answer.features import FEATURES
from naltrexone_qa.answer.lay_terms import leaning_vector
from naltrexone_qa.answer.ranker import Ranker
from naltrexone_qa.errors import DataError, ModelError
from naltrexone_qa.evaluation import calibrate
from naltrexone_qa.frontends.cli import cli
from naltrexone_qa.pipeline import QA
from naltrexone_qa.text import norm_text
from naltrexone_qa.training.bank import build_bank

ROOT = Path(__file__).resolve().parent.parent
INJECTION_Q = "how often is the long-acting injection given"
INJECTION = "It can be given in a long-acting injection which needs to be given only a once a month"


def _train(path: Path) -> Path:
    rows = [
        {
            "id": "t1",
            "question": "how often is the long-acting injection given",
            "answerable": True,
            "gold_sources": ["naltrexone-opiate-addiction"],
            "must_contain_any": ["once a month"],
        },
        {
            "id": "t2",
            "question": "And does it hurt?",
            "history": ["Tell me about the monthly naltrexone shot."],
            "answerable": False,
        },
        {
            "id": "t3",
            "question": "is naltrexone addictive",
            "answerable": True,
            "gold_sources": ["naltrexone-gabapentin", "naltrexone-effects-uses-risks"],
            "must_contain_any": ["is not addictive", "no habituation effect"],
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _questions(path: Path) -> set[str]:
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out.add(norm_text(row["question"]))
        out.add(norm_text(resolve(row["question"], row.get("history", [])).text))
    return out


def test_the_shipped_bank_holds_training_questions_only_and_the_records_use_it() -> None:
    bank = QuestionBank.load()
    assert bank is not None and bank.vectors is not None and bank.vectors.shape == (len(bank.entries), 384)
    assert bank.record["trained_on"]["file"] == "train.jsonl"
    asked = {norm_text(e.question) for e in bank.entries}
    assert not asked & (_questions(ROOT / "evals" / "dev.jsonl") | _questions(ROOT / "evals" / "test.jsonl"))
    assert asked <= _questions(ROOT / "evals" / "train.jsonl")
    for variant in ("", "no-rerank"):
        assert Ranker.load(None, variant).weights.get("bank")
        assert "bank" in Calibration.load(None, variant).coef


def test_a_sentence_scores_its_nearest_question_and_its_votes_and_one_without_any_keeps_its_own_cosine() -> None:
    vectors = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], dtype=np.float32)
    bound = BoundBank(vectors, np.array([7, 7, 9]))
    query = np.array([0.6, 0.8], dtype=np.float32)
    top, votes = bound.scores(query, [7, 9, 11], np.array([0.1, 0.2, 0.3]), k=2)
    assert top.tolist() == pytest.approx([1.0, 0.8, 0.3])
    assert votes.tolist() == [1.0, 1.0, 0.0]  # the nearest question (1.0) answers 7, the next (0.8) 9
    assert bound.scores(query, [7, 9, 11], np.zeros(3), k=3)[1].tolist() == [2.0, 1.0, 0.0]


def test_the_sentences_of_the_nearest_questions_are_voted_nearest_first_each_once() -> None:
    vectors = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [0.8, 0.6]], dtype=np.float32)
    bound = BoundBank(vectors, np.array([7, 7, 9, 7]))
    query = np.array([0.6, 0.8], dtype=np.float32)
    assert bound.voted(query, 2) == [7]  # questions 1 (1.0) and 3 (0.96) both point at 7
    assert bound.voted(query, 3) == [7, 9]
    assert bound.voted(query, 0) == []


def test_a_sentence_a_near_training_question_points_at_joins_the_pool_though_no_search_finds_it(
    hash_qa: Any,
) -> None:
    """Retrieval alone can miss the answer ("addictive" matches every chunk about addiction first)."""
    qa = QA(hash_qa.index, hash_qa.embedder, hash_qa.settings)
    question = "is naltrexone addictive"
    query = qa.query(question, resolve(question, []))
    qa.chooser.bank = None
    plain = {c.sentence.id for c in qa.select(query).pool}
    far = next(s for s in hash_qa.sentences if s.answerable and s.id not in plain)
    qa.chooser.bank = BoundBank(query.vec[None, :].astype(np.float32), np.array([far.id]))
    pool = qa.select(query).pool
    assert far.id in {c.sentence.id for c in pool}
    assert next(c for c in pool if c.sentence.id == far.id).feature("bank_votes") == 1.0


def test_build_is_deterministic_points_at_the_key_phrase_sentences_and_skips_unanswerable(
    hash_qa: Any, tmp_path: Path
) -> None:
    train = _train(tmp_path / "train.jsonl")
    record = build_bank(hash_qa, train, tmp_path / "a")
    build_bank(hash_qa, train, tmp_path / "b")
    for name in (BANK_FILE, VECTORS_FILE):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    bank = QuestionBank.load(tmp_path / "a")
    assert bank is not None and record["trained_on"]["questions"] == 2
    assert {e.question for e in bank.entries} == {INJECTION_Q, "is naltrexone addictive"}
    assert any(e.sentence == INJECTION for e in bank.entries)
    assert all("addictive" in e.sentence or "habituation" in e.sentence for e in bank.entries[1:])
    bound = bank.bind(hash_qa.sentences, hash_qa.embedder, hash_qa.index.sentence_vectors.dim)
    assert bound is not None and len(bound.sentence_ids) == len(bank.entries)
    for sid, entry in zip(bound.sentence_ids, bank.entries, strict=True):
        assert hash_qa.sentences[sid].text == entry.sentence


def test_entries_whose_sentence_is_gone_are_left_out_and_another_model_re_embeds(
    hash_qa: Any, caplog: pytest.LogCaptureFixture
) -> None:
    entries = (
        BankEntry("how often is the shot given", "naltrexone-opiate-addiction", INJECTION),
        BankEntry("a question", "naltrexone-opiate-addiction", "A sentence no article has."),
        BankEntry("is it monthly", "opiate-addiction-renamed", INJECTION.upper()),  # same sentence, renamed file
    )
    stored = np.zeros((3, 384), dtype=np.float32)  # another model's vectors: not used
    bank = QuestionBank(entries, stored, {"embedding_model": "all-MiniLM-L6-v2"})
    with caplog.at_level(logging.INFO, logger="naltrexone_qa"):
        bound = bank.bind(hash_qa.sentences, hash_qa.embedder, hash_qa.index.sentence_vectors.dim)
    assert bound is not None and "2 of 3 entries" in caplog.text
    assert len(set(bound.sentence_ids.tolist())) == 1 and hash_qa.sentences[bound.sentence_ids[0]].text == INJECTION
    assert np.allclose(bound.vectors[0], hash_qa.embedder.encode([entries[0].question])[0])
    # re-embedded as questions are: "shot" leans toward "injection" (``lay_terms.leaning_vector``)
    leaning = bank.bind(hash_qa.sentences, hash_qa.embedder, hash_qa.index.sentence_vectors.dim, lean=0.5)
    assert leaning is not None
    assert np.allclose(
        leaning.vectors[0], leaning_vector(hash_qa.embedder.encode, entries[0].question, 0.5)[1], atol=1e-5
    )
    assert not np.allclose(leaning.vectors[0], bound.vectors[0], atol=1e-3)
    gone = QuestionBank(entries[1:2], None, {})
    assert gone.bind(hash_qa.sentences, hash_qa.embedder, 256) is None


@pytest.mark.parametrize(
    ("text", "vectors", "match"),
    [
        ("{not json", None, "not a question bank"),
        (json.dumps({"kind": "ranker", "entries": []}), None, "not a question bank"),
        (json.dumps({"kind": "question-bank", "entries": []}), None, "no entries"),
        (json.dumps({"kind": "question-bank", "entries": [{"question": "q"}]}), None, "not a question bank"),
        (
            json.dumps({"kind": "question-bank", "entries": [{"question": "q", "doc_id": "d", "sentence": "s"}]}),
            np.zeros((2, 4)),
            "do not match",
        ),
        (
            json.dumps({"kind": "question-bank", "entries": [{"question": "q", "doc_id": "d", "sentence": "s"}]}),
            b"not an npy file",
            "cannot be read",
        ),
    ],
)
def test_a_damaged_bank_is_named_in_the_error(tmp_path: Path, text: str, vectors: Any, match: str) -> None:
    (tmp_path / BANK_FILE).write_text(text, encoding="utf-8")
    if isinstance(vectors, bytes):
        (tmp_path / VECTORS_FILE).write_bytes(vectors)
    elif vectors is not None:
        np.save(tmp_path / VECTORS_FILE, vectors, allow_pickle=False)
    with pytest.raises(ModelError, match=match) as err:
        QuestionBank.load(tmp_path)
    assert BANK_FILE in str(err.value)
    assert QuestionBank.load(tmp_path / "elsewhere") is None


def test_calibrate_joins_the_bank_and_records_that_need_it_say_so_when_it_is_missing(
    hash_qa: Any, tmp_path: Path
) -> None:
    fit = tmp_path / "fit"
    build_bank(hash_qa, _train(tmp_path / "train.jsonl"), fit)
    settings = replace(hash_qa.settings, answer=replace(hash_qa.settings.answer, fitted=fit))
    qa = QA(hash_qa.index, hash_qa.embedder, replace(settings, answer=replace(settings.answer, fitted=None)))
    qa.chooser.bank = QuestionBank.load(fit).bind(hash_qa.sentences, hash_qa.embedder, 256)  # type: ignore[union-attr]
    dev = tmp_path / "dev.jsonl"
    answerable = ["how often is the injection given", "Does naltrexone cause liver damage?", "What is it used for?"]
    rows = [
        {
            "id": f"a{i}",
            "question": q,
            "answerable": True,
            "gold_sources": ["naltrexone-effects-uses-risks"],
            "must_contain_any": ["naltrexone"],
        }
        for i, q in enumerate(answerable)
    ] + [{"id": f"u{i}", "question": q, "answerable": False} for i, q in enumerate(["can my dog take it", "cost?"])]
    # fmt: skip
    dev.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    records = calibrate.calibrate(qa, dev, None, fit, ranker_features=("dense", "lex", "chunk"))
    assert all({"bank", "bank_votes"} <= set(records[n]["weights"]) for n in ("ranker.json", "ranker.no-rerank.json"))
    assert all("bank" in records[n]["coef"] for n in ("calibration.json", "calibration.no-rerank.json"))
    loaded = QA(hash_qa.index, hash_qa.embedder, settings)
    assert loaded.chooser.bank is not None
    asked = "how often is the long-acting injection given"  # a bank question itself: its sentence scores 1
    pool = loaded.select(loaded.query(asked, resolve(asked, []))).pool
    by_text = {c.sentence.text: c for c in pool}
    assert by_text[INJECTION].feature("bank") == pytest.approx(1.0, abs=2e-3)
    assert by_text[INJECTION].feature("dense") < 0.9
    (fit / BANK_FILE).unlink()
    with pytest.raises(ModelError, match=f"no {BANK_FILE}"):
        QA(hash_qa.index, hash_qa.embedder, settings)


def test_without_a_bank_every_sentence_counts_its_own_cosine(hash_qa: Any) -> None:
    qa = QA(hash_qa.index, hash_qa.embedder, hash_qa.settings)
    qa.chooser.bank = None
    sel = qa.select(qa.query("is naltrexone addictive", resolve("is naltrexone addictive", [])))
    bank, dense, votes = FEATURES.index("bank"), FEATURES.index("dense"), FEATURES.index("bank_votes")
    assert all(c.features[bank] == c.features[dense] and c.features[votes] == 0 for c in sel.pool)
    assert sel.features["bank"] == pytest.approx(max(c.features[dense] for c in sel.pool))


def test_train_bank_cli_names_a_missing_file_and_bad_data(hash_qa: Any, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["train", "bank", "--out", str(tmp_path / "out"), "--train-file", str(tmp_path / "nope.jsonl")]
    )
    assert result.exit_code == 2 and "nope.jsonl not found" in result.output and "Traceback" not in result.output
    empty = tmp_path / "none.jsonl"
    empty.write_text(json.dumps({"id": "x", "question": "can my dog take it", "answerable": False}) + "\n")
    with pytest.raises(DataError, match="no answerable question"):
        build_bank(hash_qa, empty, tmp_path / "out")


@pytest.mark.slow
def test_a_paraphrase_of_a_training_question_finds_the_sentence_it_answers(qa: Any) -> None:
    """Not a training item: a new wording of one; the bank lifts its answer above its own plain cosine."""
    question = "could i get hooked on naltrexone"
    sel = qa.select(qa.query(question, resolve(question, [])))
    top = sel.pool[0]
    assert "not addictive" in top.sentence.text or "habituation" in top.sentence.text
    assert top.feature("bank") > top.feature("dense")


def test_calibrate_fits_with_the_bank_train_bank_wrote_into_its_out_folder(hash_qa: Any, tmp_path: Path) -> None:
    fit = tmp_path / "fit"
    build_bank(hash_qa, _train(tmp_path / "train.jsonl"), fit)
    qa = QA(hash_qa.index, hash_qa.embedder, replace(hash_qa.settings, answer=replace(hash_qa.settings.answer)))
    qa.chooser.bank = None
    assert calibrate.adopt_parts(qa, fit) == [BANK_FILE]
    assert qa.chooser.bank is not None and len(qa.chooser.bank.source.entries) == len(QuestionBank.load(fit).entries)  # type: ignore[union-attr]
    assert calibrate.adopt_parts(qa, tmp_path / "empty") == []
    # train heads adopts the bank alone, the same way
    qa.chooser.bank = None
    assert calibrate.adopt_bank(qa, fit) and qa.chooser.bank is not None
    assert not calibrate.adopt_bank(qa, tmp_path / "empty")
