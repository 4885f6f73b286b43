"""Cross-fitting: training questions scored by heads and a bank that never saw them, and the abstain fit on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from naltrexone_qa.answer.bank import QuestionBank
from naltrexone_qa.answer.features import FEATURES
from naltrexone_qa.answer.heads import ANSWERABILITY, RELEVANCE, LinearHead
from naltrexone_qa.errors import DataError
from naltrexone_qa.evaluation import calibrate
from naltrexone_qa.evaluation.fit import examples
from naltrexone_qa.evaluation.items import QAItem, load_items
from naltrexone_qa.frontends.cli import cli
from naltrexone_qa.pipeline import QA
from naltrexone_qa.training.bank import build_bank
from naltrexone_qa.training.crossfit import crossfit_examples, writer_folds
from naltrexone_qa.training.heads import train_heads

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
TRAIN = [
    ("w1-1", "Does naltrexone cause liver damage?", True, "hepatotoxic"),
    ("w1-2", "Is naltrexone addictive?", True, "not addictive"),
    ("w1-3", "How much does the shot cost?", False, ""),
    ("w2-1", "Can naltrexone be given as an injection?", True, "injection"),
    ("w2-2", "Can I give naltrexone to my dog?", False, ""),
    ("w3-1", "Does naltrexone help with alcohol cravings?", True, "craving"),
    ("w3-2", "Is naltrexone safe while breastfeeding?", False, ""),
    ("w4-1", "What are the side effects of naltrexone?", True, "side effects"),
    ("w4-2", "Does medicaid pay for naltrexone?", False, ""),
]
DEV = [
    ("d-1", "Does naltrexone block the effects of opioids?", True, "naltrexone"),
    ("d-2", "Is naltrexone sold in Canada under another name?", False, ""),
    ("d-3", "What is the capital of France?", False, ""),
    ("d-4", "Can naltrexone be taken as a pill?", True, "naltrexone"),
]


def _item(i: str, q: str, a: bool, phrase: str) -> dict[str, Any]:
    row: dict[str, Any] = {"id": i, "question": q, "answerable": a}
    if a:
        row |= {"gold_sources": ["naltrexone-effects-uses-risks"], "must_contain_any": [phrase]}
    return row


def _write(path: Path, rows: list[tuple[str, str, bool, str]]) -> Path:
    path.write_text("".join(json.dumps(_item(*r)) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def fitted_qa(hash_qa: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[QA, Path, Path]:
    """A pipeline with heads and a bank trained on TRAIN (hash vectors), and the split files."""
    tmp_path = tmp_path_factory.mktemp("crossfit")
    train, dev = _write(tmp_path / "train.jsonl", TRAIN), _write(tmp_path / "dev.jsonl", DEV)
    fit = tmp_path / "fit"
    train_heads(hash_qa, train, dev, fit, answerability_grid=(1.0,), relevance_grid=(0.1,))
    build_bank(hash_qa, train, fit)
    qa = QA(hash_qa.index, hash_qa.embedder, hash_qa.settings)
    qa.chooser.head = LinearHead.load(ANSWERABILITY, fit)

    qa.chooser.pair_head = LinearHead.load(RELEVANCE, fit)
    bank = QuestionBank.load(fit)
    assert bank is not None
    qa.chooser.bank = bank.bind(qa.sentences, qa.embedder, qa.index.sentence_vectors.dim)
    return qa, train, dev


def _items(n: int, writers: int) -> list[QAItem]:
    return [QAItem(f"w{i % writers}-{i}", "q", (), True, (), (), "any", ()) for i in range(n)]


def test_writer_folds_keep_each_writer_whole_and_balance_the_folds() -> None:
    items = _items(40, 8)
    fold = writer_folds(items, 4)
    for w in range(8):
        assert len({int(fold[i]) for i in range(40) if i % 8 == w}) == 1
    assert sorted(np.bincount(fold, minlength=4).tolist()) == [10, 10, 10, 10]
    # Fewer writers than folds: dealt round-robin, so every fold still has questions.
    assert np.bincount(writer_folds(_items(9, 2), 3)).tolist() == [3, 3, 3]


@pytest.mark.slow
def test_crossfitted_bank_and_heads_never_saw_the_question(fitted_qa: tuple[QA, Path, Path]) -> None:
    qa, train, _ = fitted_qa
    items = load_items(train)
    own_bank = qa.chooser.bank
    seen = examples(qa, items)
    crossed = crossfit_examples(qa, items, folds=4)
    assert [e.item.id for e in crossed] == [it.id for it in items]
    assert qa.chooser.bank is own_bank  # the pipeline's own parts are put back
    bank = FEATURES.index("bank")
    checked = 0
    for before, after in zip(seen, crossed, strict=True):
        if before.good.any() and after.good.any():
            # In-sample, the bank's nearest question for its own answer is the question itself.
            assert before.features[before.good, bank].max() == pytest.approx(1.0, abs=1e-3)
            assert after.features[after.good, bank].max() < 0.999
            checked += 1
    assert checked >= 2
    # The answerability prior differs too: each fold's head was fitted without it.
    assert any(abs(a.question_features["prior"] - b.question_features["prior"]) > 1e-6 for a, b in zip(seen, crossed))


def test_crossfitting_needs_both_kinds_of_question(hash_qa: Any, tmp_path: Path) -> None:
    train = _write(tmp_path / "train.jsonl", TRAIN)
    with pytest.raises(DataError, match="both answerable and unanswerable"):
        crossfit_examples(hash_qa, [it for it in load_items(train) if it.answerable])
    # Both kinds, but one writer holds every unanswerable question: the other folds have none.
    one_writer = [it for it in load_items(train) if it.answerable or it.id.startswith("w1-")]
    with pytest.raises(DataError, match="all of one kind"):
        crossfit_examples(hash_qa, one_writer, folds=4)


@pytest.mark.slow
def test_calibrate_fits_the_abstain_decision_on_training_questions(
    fitted_qa: tuple[QA, Path, Path], tmp_path: Path
) -> None:
    qa, train, dev = fitted_qa
    crossed = crossfit_examples(qa, load_items(train), folds=4)
    records = calibrate.calibrate(
        qa, dev, None, tmp_path / "out", ranker_features=("dense", "lex"), train=crossed, train_name="train.jsonl"
    )
    cal = records["calibration.json"]
    assert "train.jsonl (9, cross-fitted" in cal["fitted_on"] and "C chosen on dev.jsonl (4)" in cal["fitted_on"]
    assert set(cal["dev_by_C"]) == {str(c) for c in calibrate.ABSTAIN_C_GRID} and cal["C"] in calibrate.ABSTAIN_C_GRID
    assert cal["dev"]["decision_accuracy"] == max(r["decision_accuracy"] for r in cal["dev_by_C"].values())
    assert "dev" in records["ranker.json"]["fitted_on"]  # the ranker is still fitted on dev


def test_calibrate_cli_names_a_missing_training_file(tmp_path: Path) -> None:
    dev = _write(tmp_path / "dev.jsonl", DEV)
    args = ["calibrate", "--corpus", str(CORPUS), "--index", str(tmp_path / "idx"), "--model", "hash:256"]
    args += ["--dev", str(dev), "--questions", str(dev), "--train-file", str(tmp_path / "nope.jsonl")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "nope.jsonl not found" in result.output
