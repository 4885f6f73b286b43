"""Learned detector: training separates a synthetic set, the shipped head loads without pickle."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from naltrexone_qa.disagree.base import Judgement
from naltrexone_qa.disagree.learned import (
    HEAD_STEM,
    RULE_FEATURES,
    CombinedDetector,
    Head,
    LearnedDetector,
    build_features,
    pair_features,
    rule_features,
    shipped_head_dir,
)
from naltrexone_qa.disagree.registry import get_detector
from naltrexone_qa.disagree.rules import RuleDetector
from naltrexone_qa.embed.hashing import HashEmbedder
from naltrexone_qa.errors import UsageError

DIM = 384
N_FEATURES = 3 * DIM + len(RULE_FEATURES)
DEPENDENT = "Naltrexone can cause withdrawal symptoms if taken by people who are still dependent on opioids."
NOT_DEPENDENT = (
    "Naltrexone does not cause withdrawal symptoms when used by individuals not physically dependent on opioids."
)


def FakeEmbedder() -> HashEmbedder:
    """The shipped model-free embedder, at the real model's dimension."""
    return HashEmbedder(DIM)


def test_fit_head_separates_a_synthetic_set() -> None:
    pytest.importorskip("sklearn")
    from naltrexone_qa.training.detector_head import fit_head

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 20)).astype(np.float32) * rng.uniform(0.1, 10, size=20).astype(np.float32)
    y = (x[:, 3] / 5 - x[:, 7] > 0.2).astype(int)
    w, b = fit_head(x, y, c=1.0)
    head = Head(w, b)
    acc = float(((head.proba(x) >= 0.5) == y).mean())
    assert acc >= 0.95
    assert w.dtype == np.float32 and w.shape == (20,)


def test_split_by_claim_is_seeded_and_disjoint() -> None:
    from naltrexone_qa.training.detector_head import split_by_claim

    rows = [{"a": f"claim {i % 30}", "b": f"ev {i}", "source": "s1" if i % 2 else "s2"} for i in range(200)]
    tr, held = split_by_claim(rows, seed=7, train_frac=0.7)
    assert sorted(tr + held) == list(range(200))
    assert not {(rows[i]["source"], rows[i]["a"]) for i in tr} & {(rows[i]["source"], rows[i]["a"]) for i in held}
    assert split_by_claim(rows, seed=7, train_frac=0.7) == (tr, held)
    assert split_by_claim(rows, seed=8, train_frac=0.7) != (tr, held)


def test_pair_features_are_symmetric_and_rule_features_complete() -> None:
    r = rule_features(DEPENDENT, NOT_DEPENDENT)
    assert r.shape == (len(RULE_FEATURES),)
    assert r[RULE_FEATURES.index("condition-difference")] == 1.0
    assert np.array_equal(r, rule_features(NOT_DEPENDENT, DEPENDENT))
    u, v = FakeEmbedder().encode(["x", "y"])
    assert np.array_equal(pair_features(u[None], v[None], r[None]), pair_features(v[None], u[None], r[None]))


def test_head_round_trip_without_pickle(tmp_path: Path) -> None:
    head = Head(np.arange(5, dtype=np.float32), -0.5, 0.4, 0.8, {"model": "fake", "split": {"seed": 1}})
    head.save(tmp_path, "h")
    back = Head.load(tmp_path, "h")
    assert np.array_equal(back.weights, head.weights)
    assert (back.bias, back.threshold, back.high_threshold) == (-0.5, 0.4, 0.8)
    assert back.meta == {"model": "fake", "split": {"seed": 1}}


def test_shipped_head_loads_and_records_its_split() -> None:
    head_dir = shipped_head_dir()
    weights = np.load(head_dir / f"{HEAD_STEM}.npy", allow_pickle=False)
    assert weights.shape == (N_FEATURES,) and np.isfinite(weights).all()
    text = (head_dir / f"{HEAD_STEM}.json").read_text(encoding="utf-8")
    assert "/work/" not in text and "/home/" not in text, "a machine path in a shipped file"
    record = json.loads(text)
    assert {"seed", "train_pairs", "held_out_pairs"} <= set(record["split"])
    assert set(record["held_out"]["learned"]) == {"climate-fever", "scifact-dev"}
    head = Head.load()
    assert 0 < head.threshold <= head.high_threshold


def test_learned_judgement_has_the_rule_fields() -> None:
    det = LearnedDetector(embedder=FakeEmbedder())
    pairs = [(DEPENDENT, NOT_DEPENDENT), ("Naltrexone blocks opioid receptors.", "The sky is blue.")]
    out = det.judge_many(pairs)
    rule = RuleDetector().judge(*pairs[0])
    for j in out:
        assert isinstance(j, Judgement) and j._fields == rule._fields
        assert j.label in ("contradiction", "agreement", "unrelated") and 0.0 <= j.score <= 1.0
    assert det.judge_many([pairs[0]])[0] == out[0]
    assert build_features(pairs, FakeEmbedder()).shape == (2, N_FEATURES)


def test_combined_keeps_the_condition_veto_even_when_the_head_is_sure() -> None:
    sure = Head(np.zeros(N_FEATURES, dtype=np.float32), 20.0, 0.5, 0.9)
    assert LearnedDetector(sure, FakeEmbedder()).judge_many([(DEPENDENT, NOT_DEPENDENT)])[0].label == "contradiction"
    j = CombinedDetector(sure, FakeEmbedder()).judge_many([(DEPENDENT, NOT_DEPENDENT)])[0]
    assert j.label == "agreement" and j.signal == "condition-difference"
    unsure = Head(np.zeros(N_FEATURES, dtype=np.float32), -20.0, 0.5, 0.9)
    assert CombinedDetector(unsure, FakeEmbedder()).judge_many([("a b c", "d e f")])[0] == RuleDetector().judge(
        "a b c", "d e f"
    )


def test_get_detector_knows_the_learned_names() -> None:
    assert isinstance(get_detector("learned"), LearnedDetector)
    assert get_detector("rules+learned").name == "rules+learned"
    with pytest.raises(UsageError):
        get_detector("oracle")
