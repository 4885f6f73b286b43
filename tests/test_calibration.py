"""The abstention calibration: shipped coefficients, input checks, refitting, overrides."""

from __future__ import annotations

import json

import pytest

from naltrexone_qa.answer.abstain import FEATURES, Calibration
from naltrexone_qa.errors import DataError, ModelError
from naltrexone_qa.evaluation import calibrate


def test_shipped_calibration_is_a_fitted_record():
    cal = Calibration.load()
    assert set(cal.coef) == set(FEATURES)
    assert 0 < cal.threshold < 1
    assert cal.coef["dense"] > 0 and cal.coef["gap"] > 0
    assert cal.record is not None and "calibration.jsonl" in cal.record["fitted_on"]
    assert 0 < cal.confidence({"dense": 0.7, "centroid": 0.5, "gap": 0.2}) < 1


def test_a_calibration_file_can_replace_the_shipped_one(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text(json.dumps({"intercept": 0.0, "coef": {f: 0.0 for f in FEATURES}, "threshold": 0.3}))
    cal = Calibration.load(path)
    assert cal.threshold == 0.3 and cal.confidence({f: 1.0 for f in FEATURES}) == 0.5
    path.write_text(json.dumps({"intercept": 0.0, "coef": {"dense": 1.0}}))
    with pytest.raises(ModelError, match="does not match"):
        Calibration.load(path)
    with pytest.raises(ModelError, match="cannot read"):
        Calibration.load(tmp_path / "missing.json")


def test_read_items_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x", "answerable": true}\nnope\n', encoding="utf-8")
    with pytest.raises(DataError, match="bad.jsonl:2"):
        calibrate.read_items(bad)
    one_sided = tmp_path / "one.jsonl"
    one_sided.write_text('{"question": "x", "answerable": true}\n', encoding="utf-8")
    with pytest.raises(DataError, match="both"):
        calibrate.read_items(one_sided)


def test_fit_separates_covered_from_uncovered(qa, tmp_path):
    items = [
        ("Does naltrexone block benzodiazepines?", True),
        ("Can naltrexone damage the liver?", True),
        ("Is naltrexone used for multiple sclerosis?", True),
        ("What is gabapentin used for?", True),
        ("How do I reset my router?", False),
        ("What is the capital of France?", False),
        ("How do I bake sourdough bread?", False),
        ("Who won the 2018 world cup?", False),
    ]
    path = tmp_path / "cal.jsonl"
    path.write_text("\n".join(json.dumps({"question": q, "answerable": a}) for q, a in items), encoding="utf-8")
    rec = calibrate.fit(qa, path)
    assert rec["training_accuracy"] == 1.0
    dest = calibrate.save(rec, tmp_path / "out" / "cal.json")
    assert json.loads(dest.read_text())["coef"].keys() == set(FEATURES)
    assert Calibration.load(dest).record == rec
