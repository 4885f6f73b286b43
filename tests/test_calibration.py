"""The fitted records (ranker and abstain decision): shipped, overridable, refittable, with clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pytest

from naltrexone_qa.answer.abstain import QUESTION_FEATURES, Calibration
from naltrexone_qa.answer.features import FEATURES
from naltrexone_qa.answer.ranker import HAND_WEIGHTS, Ranker
from naltrexone_qa.errors import DataError, ModelError
from naltrexone_qa.evaluation import calibrate


def test_shipped_records_are_fitted_on_dev_and_calibration_only():
    cal, ranker = Calibration.load(), Ranker.load()
    assert set(cal.coef) <= set(QUESTION_FEATURES) and 0 < cal.threshold < 1
    assert cal.record is not None and "dev.jsonl" in cal.record["fitted_on"]
    assert "test" not in cal.record["fitted_on"]
    # The out-of-fold figures are those of the record's own threshold: false abstention within 0.03.
    assert cal.record["cross_validated"]["false_abstention"] <= calibrate.MAX_FALSE_ABSTENTION
    assert set(ranker.weights) <= set(FEATURES) and "dev" in ranker.record["fitted_on"]
    assert ranker.record["cross_validated"]["hit@3"] > 0
    assert 0 < cal.confidence({f: 0.5 for f in cal.coef}) < 1


def test_a_calibration_file_can_replace_the_shipped_one(tmp_path):
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"intercept": 0.0, "coef": {"dense": 0.0, "gap": 0.0}, "threshold": 0.3}))
    cal = Calibration.load(tmp_path)
    assert cal.threshold == 0.3 and cal.confidence({"dense": 1.0, "gap": 1.0}) == 0.5
    assert Calibration.load(tmp_path, "no-rerank") == cal  # a folder without the variant uses the main record
    path.write_text(json.dumps({"intercept": 0.0, "coef": {"shoe_size": 1.0}}))
    with pytest.raises(ModelError, match="does not compute"):
        Calibration.load(tmp_path)
    with pytest.raises(ModelError, match="no calibration.json"):
        Calibration.load(tmp_path / "missing")
    path.write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        Calibration.load(tmp_path)


def test_ranker_scores_are_the_weighted_features(tmp_path):
    r = Ranker({"dense": 2.0, "lex": -1.0}, margin=0.5)
    x = np.zeros((2, len(FEATURES)))
    x[0, FEATURES.index("dense")], x[1, FEATURES.index("lex")] = 1.0, 1.0
    assert r.score(x).tolist() == [2.0, -1.0]
    (tmp_path / "ranker.json").write_text(json.dumps(r.to_record()))
    assert Ranker.load(tmp_path).weights == r.weights and Ranker.load(tmp_path).margin == 0.5
    with pytest.raises(ModelError, match="unknown features"):
        Ranker({"magic": 1.0})
    assert set(HAND_WEIGHTS) <= set(FEATURES)


def test_read_items_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x", "answerable": true}\nnope\n', encoding="utf-8")
    with pytest.raises(DataError, match="bad.jsonl:2"):
        calibrate.read_items(bad)
    one_sided = tmp_path / "one.jsonl"
    one_sided.write_text('{"question": "x", "answerable": true}\n', encoding="utf-8")
    with pytest.raises(DataError, match="both"):
        calibrate.read_items(one_sided)


def test_refit_writes_both_records_that_load(hash_qa, tmp_path):
    """The fitting code path end to end (on the fast pipeline): out-of-fold figures, loadable records."""
    dev = tmp_path / "dev.jsonl"
    rows = [
        {
            "id": "a",
            "question": "Does naltrexone block the effects of benzodiazepines?",
            "answerable": True,
            "gold_sources": ["naltrexone-benzodiazepines"],
            "must_contain_any": ["does not directly block"],
        },
        {
            "id": "b",
            "question": "What is gabapentin used for?",
            "answerable": True,
            "gold_sources": ["naltrexone-gabapentin"],
            "must_contain_any": ["neuropathic pain"],
        },
        {
            "id": "c",
            "question": "Is naltrexone used for multiple sclerosis?",
            "answerable": True,
            "gold_sources": ["naltrexone-effects-uses-risks"],
            "must_contain_any": ["multiple sclerosis"],
        },
        {
            "id": "d",
            "question": "Can naltrexone damage the liver?",
            "answerable": True,
            "gold_sources": ["naltrexone-effects-uses-risks", "naltrexone-anxiety"],
            "must_contain_any": ["liver"],
        },
        {"id": "e", "question": "How do I reset my router?", "answerable": False},
        {"id": "f", "question": "What is the capital of France?", "answerable": False},
    ]
    dev.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    cal = tmp_path / "cal.jsonl"
    cal.write_text(
        "\n".join(
            json.dumps({"question": q, "answerable": a})
            for q, a in [
                ("Does naltrexone help anxiety?", True),
                ("Who won the 2018 world cup?", False),
                ("How do I bake bread?", False),
                ("What are the side effects of naltrexone?", True),
            ]
        ),
        encoding="utf-8",
    )
    records = calibrate.calibrate(hash_qa, dev, cal, tmp_path / "out", ranker_features=("dense", "lex", "chunk"))
    assert set(records) == {"ranker.json", "calibration.json", "ranker.no-rerank.json", "calibration.no-rerank.json"}
    assert Ranker.load(tmp_path / "out").record["cross_validated"]["hit@3"] >= 0
    loaded = Calibration.load(tmp_path / "out")
    assert "dev.jsonl (6) + cal.jsonl (4)" in loaded.record["fitted_on"]


def test_calibrate_fits_the_reranker_signal_it_was_given(hash_qa: Any, tmp_path: Path) -> None:
    """A reranker attached to a QA whose records predate it still reaches the fitted ranker."""

    class LengthScorer:
        name = "length"

        def score(self, question: str, sentences: Sequence[str]) -> np.ndarray:
            return np.array([len(s) / 100.0 for s in sentences])

    dev = tmp_path / "dev.jsonl"
    rows = [
        {
            "id": "a",
            "question": "Does naltrexone cause liver damage?",
            "answerable": True,
            "gold_sources": ["naltrexone-effects-uses-risks"],
            "must_contain_any": ["liver"],
        },
        {
            "id": "b",
            "question": "Is naltrexone an opioid antagonist?",
            "answerable": True,
            "gold_sources": ["naltrexone-effects-uses-risks"],
            "must_contain_any": ["antagonist"],
        },
        {
            "id": "c",
            "question": "What is gabapentin used for?",
            "answerable": True,
            "gold_sources": ["naltrexone-gabapentin"],
            "must_contain_any": ["gabapentin"],
        },
        {
            "id": "d",
            "question": "Can naltrexone help with anxiety?",
            "answerable": True,
            "gold_sources": ["naltrexone-anxiety"],
            "must_contain_any": ["anxiety"],
        },
        {"id": "e", "question": "How do I reset my router?", "answerable": False},
        {"id": "f", "question": "What is the capital of France?", "answerable": False},
    ]
    dev.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    hash_qa.chooser.reranker = LengthScorer()
    records = calibrate.calibrate(hash_qa, dev, None, None, ranker_features=("dense", "lex"))
    assert records["ranker.json"]["uses_rerank"] is True
    assert records["ranker.json"]["weights"]["rerank"] != 0.0
    assert "rerank" not in records["ranker.no-rerank.json"]["weights"]
