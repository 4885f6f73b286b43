"""The answerability and relevance heads: shipped, trained reproducibly, joined to the fitted records, clear errors."""

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
from naltrexone_qa.answer.heads import ANSWERABILITY, RELEVANCE, LinearHead, pair_inputs
from naltrexone_qa.answer.ranker import Ranker
from naltrexone_qa.errors import DataError, ModelError
from naltrexone_qa.evaluation import calibrate
from naltrexone_qa.frontends.cli import cli
from naltrexone_qa.pipeline import QA
from naltrexone_qa.training.heads import train_heads

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


def _grids() -> dict[str, tuple[float, ...]]:
    return {"answerability_grid": (0.1, 10.0), "relevance_grid": (0.1,)}


def test_shipped_heads_are_trained_on_the_training_split_and_used_by_the_shipped_records() -> None:
    head = LinearHead.load(ANSWERABILITY)
    pair = LinearHead.load(RELEVANCE)
    assert head is not None and head.vector_dim == 384 and pair is not None and pair.vector_dim == 384
    for h in (head, pair):
        assert h.record["trained_on"]["file"] == "train.jsonl"
        assert "test" not in json.dumps(h.record["trained_on"])
    assert head.record["metrics"]["dev_roc_auc"] > 0.8
    assert pair.record["metrics"]["dev_ranker_oof"]["hit@3"] > 0.7
    for variant in ("", "no-rerank"):
        assert "prior" in Calibration.load(None, variant).coef
        assert Ranker.load(None, variant).weights.get("pair")
    assert "prior" in QUESTION_FEATURES


def test_scores_are_linear_log_odds_and_a_wrong_size_is_an_error() -> None:
    head = LinearHead.from_record(
        ANSWERABILITY, {"kind": ANSWERABILITY.kind, "coef": [1.0, -2.0], "intercept": 0.5}, "t"
    )
    assert head.score_one(np.array([1.0, 1.0])) == pytest.approx(-0.5)
    with pytest.raises(ModelError, match="expects 2 input columns"):
        head.score(np.ones(3))
    pair = LinearHead.from_record(
        RELEVANCE, {"kind": RELEVANCE.kind, "coef": [1.0, 0.0, 0.0, 1.0], "intercept": 0}, "t"
    )
    q, s = np.array([1.0, 0.0]), np.array([[1.0, 0.0], [0.0, 1.0]])
    assert pair.vector_dim == 2
    assert pair.score(pair_inputs(q, s)).tolist() == pytest.approx([1.0, 1.0])  # product of first + distance of second
    with pytest.raises(ModelError, match="no usable weights"):
        LinearHead.from_record(RELEVANCE, {"kind": RELEVANCE.kind, "coef": [1.0, 2.0, 3.0], "intercept": 0}, "t")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"kind": "reranker", "coef": [1.0], "intercept": 0}), "not a answerability-head record"),
        (json.dumps({"kind": ANSWERABILITY.kind, "coef": [], "intercept": 0}), "no usable weights"),
        (json.dumps({"kind": ANSWERABILITY.kind, "coef": ["x"], "intercept": 0}), "answerability-head record"),
        (json.dumps({"kind": ANSWERABILITY.kind, "coef": [1.0]}), "answerability-head record"),
    ],
)
def test_a_damaged_head_file_is_named_in_the_error(tmp_path: Path, text: str, match: str) -> None:
    (tmp_path / "answerability.json").write_text(text, encoding="utf-8")
    with pytest.raises(ModelError, match=match) as err:
        LinearHead.load(ANSWERABILITY, tmp_path)
    assert "answerability.json" in str(err.value)
    assert LinearHead.load(ANSWERABILITY, tmp_path / "elsewhere") is None


def test_training_is_deterministic_and_chooses_c_on_dev(
    hash_qa: Any, splits: tuple[Path, Path], tmp_path: Path
) -> None:
    train, dev = splits
    first = train_heads(hash_qa, train, dev, tmp_path / "a", **_grids())
    train_heads(hash_qa, train, dev, tmp_path / "b", **_grids())
    for name in ("answerability.json", "relevance_head.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    aucs = first["answerability.json"]["metrics"]["dev_roc_auc_by_C"]
    assert set(aucs) == {"0.1", "10.0"} and first["answerability.json"]["metrics"]["dev_roc_auc"] == max(aucs.values())
    assert first["answerability.json"]["trained_on"]["unanswerable"] == 4
    assert first["relevance_head.json"]["trained_on"]["pairs"] > 0
    head = LinearHead.load(ANSWERABILITY, tmp_path / "a")
    pair = LinearHead.load(RELEVANCE, tmp_path / "a")
    assert head is not None and head.vector_dim == 256 and pair is not None and pair.vector_dim == 256


def test_training_needs_both_kinds_of_question(hash_qa: Any, tmp_path: Path) -> None:
    train = tmp_path / "train.jsonl"
    _write(train, ANSWERABLE, True)
    with pytest.raises(DataError, match="both answerable and unanswerable"):
        train_heads(hash_qa, train, train, tmp_path / "out")


def test_calibrate_joins_the_heads_and_writes_a_complete_folder(
    hash_qa: Any, splits: tuple[Path, Path], tmp_path: Path
) -> None:
    """Heads trained -> records refitted with them -> a folder --fitted loads; a missing head is a clear error."""
    train, dev = splits
    fit = tmp_path / "fit"
    train_heads(hash_qa, train, dev, fit, **_grids())
    qa = QA(hash_qa.index, hash_qa.embedder, hash_qa.settings)
    qa.chooser.head = LinearHead.load(ANSWERABILITY, fit)
    qa.chooser.pair_head = LinearHead.load(RELEVANCE, fit)
    cal = tmp_path / "cal.jsonl"
    rows = [(ANSWERABLE[0], True), (UNANSWERABLE[0], False)]
    cal.write_text("".join(json.dumps({"question": q, "answerable": a}) + "\n" for q, a in rows), encoding="utf-8")
    records = calibrate.calibrate(qa, dev, cal, fit, ranker_features=("dense", "lex", "chunk"))
    assert all("prior" in records[name]["coef"] for name in ("calibration.json", "calibration.no-rerank.json"))
    assert all("pair" in records[name]["weights"] for name in ("ranker.json", "ranker.no-rerank.json"))

    def fitted() -> QA:
        answer = replace(hash_qa.settings.answer, fitted=fit)
        return QA(hash_qa.index, hash_qa.embedder, replace(hash_qa.settings, answer=answer))

    loaded = fitted()
    assert loaded.chooser.head is not None and loaded.chooser.pair_head is not None
    assert 0.0 <= loaded.ask("Does naltrexone cause liver damage?").confidence <= 1.0
    # The same records without a head they were fitted with: a clear error, not a silent 0.
    for name in ("relevance_head.json", "answerability.json"):
        kept = (fit / name).read_bytes()
        (fit / name).unlink()
        with pytest.raises(ModelError, match=f"no {name}"):
            fitted()
        (fit / name).write_bytes(kept)


def test_heads_for_other_vectors_are_left_out_with_a_warning(
    hash_qa: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fit = tmp_path / "fit"
    package = Path(calibrate.__file__).parent.parent / "answer"
    shutil.copytree(package, fit, ignore=shutil.ignore_patterns("reranker", "*.py", "__pycache__"))
    settings = replace(hash_qa.settings, answer=replace(hash_qa.settings.answer, fitted=fit))
    with caplog.at_level(logging.WARNING, logger="naltrexone_qa"):
        qa = QA(hash_qa.index, hash_qa.embedder, settings)
    assert qa.chooser.head is None and qa.chooser.pair_head is None and "left out" in caplog.text
    assert qa.ask("Can naltrexone help with anxiety?").question


def test_train_heads_cli_names_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["train", "heads", "--out", str(tmp_path / "out"), "--train-file", str(tmp_path / "nope.jsonl")]
    )
    assert result.exit_code == 2 and "nope.jsonl not found" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_the_shipped_heads_tell_covered_from_missing_and_answers_from_neighbours(qa: Any) -> None:
    """Questions like the training split's (not its items): what the articles cover scores above what they don't,
    and the sentence that answers above a neighbour on the same subject."""
    head, pair = qa.chooser.head, qa.chooser.pair_head
    assert head is not None and pair is not None

    def prior(question: str) -> float:
        return head.score_one(qa.embed_query(question))

    covered = ["what are the side effects of naltrexone", "can i take naltrexone with gabapentin"]
    missing = ["how much does naltrexone cost at walmart", "can my cat take naltrexone"]
    assert min(prior(q) for q in covered) > max(prior(q) for q in missing)
    q = qa.embed_query("how often do you get the naltrexone injection")
    sentences = [
        "It can be given in a long-acting injection which needs to be given only a once a month",
        "Naltrexone is used in opioid addiction withdrawal and alcohol addiction treatment.",
    ]
    scores = pair.score(pair_inputs(q, qa.embedder.encode(sentences)))
    assert scores[0] > scores[1]
