"""The abstention calibration: shipped coefficients, input checks, refitting."""

from __future__ import annotations

import json

import pytest

from naltrexone_qa import calibration
from naltrexone_qa.answering import FEATURES, calibration as shipped
from naltrexone_qa.errors import UsageError


def test_shipped_calibration_is_a_fitted_record():
    rec = shipped()
    assert set(rec["coef"]) == set(FEATURES)
    assert 0 < rec["threshold"] < 1
    assert rec["coef"]["dense"] > 0 and rec["coef"]["gap"] > 0
    assert "calibration.jsonl" in rec["fitted_on"]


def test_read_items_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x", "answerable": true}\nnope\n', encoding="utf-8")
    with pytest.raises(UsageError, match="bad.jsonl:2"):
        calibration.read_items(bad)
    one_sided = tmp_path / "one.jsonl"
    one_sided.write_text('{"question": "x", "answerable": true}\n', encoding="utf-8")
    with pytest.raises(UsageError, match="both"):
        calibration.read_items(one_sided)


def test_fit_separates_covered_from_uncovered(qa, tmp_path):
    items = [("Does naltrexone block benzodiazepines?", True), ("Can naltrexone damage the liver?", True),
             ("Is naltrexone used for multiple sclerosis?", True), ("What is gabapentin used for?", True),
             ("How do I reset my router?", False), ("What is the capital of France?", False),
             ("How do I bake sourdough bread?", False), ("Who won the 2018 world cup?", False)]
    path = tmp_path / "cal.jsonl"
    path.write_text("\n".join(json.dumps({"question": q, "answerable": a}) for q, a in items), encoding="utf-8")
    rec = calibration.fit(qa, path)
    assert rec["training_accuracy"] == 1.0
    dest = calibration.save(rec, tmp_path / "out.json")
    assert json.loads(dest.read_text())["coef"].keys() == set(FEATURES)
