"""The answerability head: shipped, trained reproducibly, joined to the abstain decision, with clear errors."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from naltrexone_qa.answer.abstain import QUESTION_FEATURES, Calibration
from naltrexone_qa.answer.answerability import KIND, AnswerabilityHead
from naltrexone_qa.errors import DataError, ModelError
from naltrexone_qa.evaluation import calibrate
from naltrexone_qa.frontends.cli import cli
from naltrexone_qa.pipeline import QA
from naltrexone_qa.training.answerability import train_answerability

ANSWERABLE = [
    "Does naltrexone cause liver damage?",
    "What is gabapentin used for?",
    "Can naltrexone help with anxiety?",
    "Is naltrexone used for multiple sclerosis?",
    "Does naltrexone block the effects of benzodiazepines?",
    "How often is the naltrexone injection given?",
]
UNANSWERABLE = [
    "How much does the vivitrol shot cost without insurance?",
    "Can I give naltrexone to my dog?",
    "Is naltrexone safe while breastfeeding?",
    "What is the capital of France?",
    "Does medicaid pay for naltrexone?",
    "Is grapefruit juice okay with naltrexone?",
]


def _write(path: Path, questions: list[str], answerable: bool, start: int = 0) -> None:
    rows = [
        {
            "id": f"q{start + i}",
            "question": q,
            "answerable": answerable,
            **(
                {"gold_sources": ["naltrexone-effects-uses-risks"], "must_contain_any": ["naltrexone"]}
                if answerable
                else {}
            ),
        }
        for i, q in enumerate(questions)
    ]
    with path.open("a", encoding="utf-8") as f:
        f.write("".join(json.dumps(r) + "\n" for r in rows))


@pytest.fixture()
def splits(tmp_path: Path) -> tuple[Path, Path]:
    train, dev = tmp_path / "train.jsonl", tmp_path / "dev.jsonl"
    _write(train, ANSWERABLE[:4], True)
    _write(train, UNANSWERABLE[:4], False, 10)
    _write(dev, ANSWERABLE[4:], True, 20)
    _write(dev, UNANSWERABLE[4:], False, 30)
    return train, dev


def test_shipped_head_is_trained_on_the_training_split_and_used_by_the_shipped_decision() -> None:
    head = AnswerabilityHead.load()
    assert head is not None and head.dim == 384
    assert head.record["trained_on"]["file"] == "train.jsonl"
    assert "test" not in json.dumps(head.record["trained_on"])
    assert head.record["metrics"]["dev_roc_auc"] > 0.8
    for variant in ("", "no-rerank"):
        assert "prior" in Calibration.load(None, variant).coef
    assert "prior" in QUESTION_FEATURES


def test_score_is_the_linear_log_odds_and_a_wrong_size_is_an_error() -> None:
    head = AnswerabilityHead.from_record({"kind": KIND, "coef": [1.0, -2.0], "intercept": 0.5}, "test")
    assert head.score(np.array([1.0, 1.0])) == pytest.approx(-0.5)
    with pytest.raises(ModelError, match="2-dimensional"):
        head.score(np.ones(3))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"kind": "reranker", "coef": [1.0], "intercept": 0}), "not an answerability head"),
        (json.dumps({"kind": KIND, "coef": [], "intercept": 0}), "no finite weights"),
        (json.dumps({"kind": KIND, "coef": ["x"], "intercept": 0}), "not an answerability head"),
        (json.dumps({"kind": KIND, "coef": [1.0]}), "not an answerability head"),
    ],
)
def test_a_damaged_head_file_is_named_in_the_error(tmp_path: Path, text: str, match: str) -> None:
    (tmp_path / "answerability.json").write_text(text, encoding="utf-8")
    with pytest.raises(ModelError, match=match) as err:
        AnswerabilityHead.load(tmp_path)
    assert "answerability.json" in str(err.value)
    assert AnswerabilityHead.load(tmp_path / "elsewhere") is None


def test_training_is_deterministic_and_chooses_c_on_dev(
    hash_qa: Any, splits: tuple[Path, Path], tmp_path: Path
) -> None:
    train, dev = splits
    first = train_answerability(hash_qa, train, dev, tmp_path / "a", grid=(0.1, 10.0))
    second = train_answerability(hash_qa, train, dev, tmp_path / "b", grid=(0.1, 10.0))
    assert (tmp_path / "a" / "answerability.json").read_bytes() == (tmp_path / "b" / "answerability.json").read_bytes()
    aucs = first["metrics"]["dev_roc_auc_by_C"]
    assert set(aucs) == {"0.1", "10.0"} and first["metrics"]["dev_roc_auc"] == max(aucs.values())
    assert first["trained_on"] == second["trained_on"] and first["trained_on"]["unanswerable"] == 4
    head = AnswerabilityHead.load(tmp_path / "a")
    assert head is not None and head.dim == 256


def test_training_needs_both_kinds_of_question(hash_qa: Any, tmp_path: Path) -> None:
    train = tmp_path / "train.jsonl"
    _write(train, ANSWERABLE, True)
    with pytest.raises(DataError, match="both answerable and unanswerable"):
        train_answerability(hash_qa, train, train, tmp_path / "out")


def test_calibrate_joins_the_prior_and_writes_a_complete_folder(
    hash_qa: Any, splits: tuple[Path, Path], tmp_path: Path
) -> None:
    """Head trained -> decision refitted with it -> a folder --fitted loads, whose prior moves confidence."""
    train, dev = splits
    fit = tmp_path / "fit"
    train_answerability(hash_qa, train, dev, fit, grid=(1.0,))
    qa = QA(hash_qa.index, hash_qa.embedder, hash_qa.settings)
    qa.chooser.head = AnswerabilityHead.load(fit)
    cal = tmp_path / "cal.jsonl"
    cal.write_text(
        "".join(
            json.dumps({"question": q, "answerable": a}) + "\n"
            for q, a in [(ANSWERABLE[0], True), (UNANSWERABLE[0], False)]
        ),
        encoding="utf-8",
    )
    records = calibrate.calibrate(qa, dev, cal, fit, ranker_features=("dense", "lex", "chunk"))
    assert all("prior" in records[name]["coef"] for name in ("calibration.json", "calibration.no-rerank.json"))
    fitted = QA(
        hash_qa.index, hash_qa.embedder, replace(hash_qa.settings, answer=replace(hash_qa.settings.answer, fitted=fit))
    )
    assert fitted.chooser.head is not None
    answer = fitted.ask("Does naltrexone cause liver damage?")
    assert 0.0 <= answer.confidence <= 1.0
    # The same records without the head they were fitted with: a clear error, not a silent prior of 0.
    (fit / "answerability.json").unlink()
    with pytest.raises(ModelError, match="no answerability.json"):
        QA(
            hash_qa.index,
            hash_qa.embedder,
            replace(hash_qa.settings, answer=replace(hash_qa.settings.answer, fitted=fit)),
        )


def test_a_head_for_other_vectors_is_left_out_with_a_warning(
    hash_qa: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fit = tmp_path / "fit"
    shutil.copytree(
        Path(calibrate.__file__).parent.parent / "answer",
        fit,
        ignore=shutil.ignore_patterns("reranker", "*.py", "__pycache__"),
    )
    settings = replace(hash_qa.settings, answer=replace(hash_qa.settings.answer, fitted=fit))
    with caplog.at_level(logging.WARNING, logger="naltrexone_qa"):
        qa = QA(hash_qa.index, hash_qa.embedder, settings)
    assert qa.chooser.head is None and "left out" in caplog.text
    assert qa.ask("Can naltrexone help with anxiety?").question


def test_train_answerability_cli_names_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["train", "answerability", "--out", str(tmp_path / "out"), "--train-file", str(tmp_path / "nope.jsonl")]
    )
    assert result.exit_code == 2 and "nope.jsonl not found" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_the_shipped_head_tells_near_misses_from_answerable_questions(qa: Any) -> None:
    """Questions like the training split's (not its items): what the articles cover scores above what they don't."""
    head = qa.chooser.head
    assert head is not None

    def prior(question: str) -> float:
        return head.score(qa.embed_query(question))

    covered = ["what are the side effects of naltrexone", "can i take naltrexone with gabapentin"]
    missing = ["how much does naltrexone cost at walmart", "can my cat take naltrexone"]
    assert min(prior(q) for q in covered) > max(prior(q) for q in missing)
