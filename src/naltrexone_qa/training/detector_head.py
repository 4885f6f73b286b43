"""Train the learned contradiction head (``--detector learned``) on a seeded, by-claim split.

Why by claim: Climate-FEVER and SciFact attach several evidence sentences to one
claim; splitting pairs at random would let the head memorise a claim in training
and be "tested" on it.  Each source's distinct claims are shuffled with a fixed
seed and ``train_frac`` of them train; every pair of the rest is held out and
only scored.  Thresholds are chosen on out-of-fold predictions inside the
training part, never on the held-out part or on our own labeled pairs.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path
from typing import Any, Optional

import numpy as np

log = logging.getLogger(__name__)

SEED = 20240603
TRAIN_FRAC = 0.7
C_GRID = (0.0001, 0.0003, 0.001, 0.003, 0.01)
HIGH_PRECISION = 0.85  # out-of-fold precision the combined detector's extra flags must reach
NEVER = 1.01  # high threshold when no threshold reaches HIGH_PRECISION: add no learned flags


def split_by_claim(
    rows: list[dict[str, Any]], seed: int = SEED, train_frac: float = TRAIN_FRAC
) -> tuple[list[int], list[int]]:
    """Row indices (train, held-out); no claim text appears in both parts."""
    rng = np.random.default_rng(seed)
    train_claims: set[tuple[str, str]] = set()
    for source in sorted({r["source"] for r in rows}):
        claims = sorted({r["a"] for r in rows if r["source"] == source})
        order = rng.permutation(len(claims))
        train_claims |= {(source, claims[i]) for i in order[: round(train_frac * len(claims))]}
    train = [i for i, r in enumerate(rows) if (r["source"], r["a"]) in train_claims]
    held = [i for i, r in enumerate(rows) if (r["source"], r["a"]) not in train_claims]
    return train, held


def fit_head(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """Standardise, fit L2 logistic regression, fold the scaler into (weights, bias)."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-8] = 1.0
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    model.fit((x - mean) / scale, y)
    coef = model.coef_[0] / scale
    return coef.astype(np.float32), float(model.intercept_[0] - np.dot(coef, mean))


def _oof(x: np.ndarray, y: np.ndarray, groups: list[str], c: float, folds: int = 5) -> np.ndarray:
    """Out-of-fold probabilities, folds grouped by claim."""
    from sklearn.model_selection import GroupKFold

    out = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=folds).split(x, y, groups):
        w, b = fit_head(x[tr], y[tr], c)
        out[te] = 1 / (1 + np.exp(-(x[te].astype(np.float64) @ w + b)))
    return out


def _thresholds(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(F1-best threshold, lowest threshold whose precision reaches HIGH_PRECISION, else NEVER)."""
    best_f1, best_t, high = -1.0, 0.5, None
    for t in np.round(np.arange(0.05, 0.991, 0.01), 2):
        pred = p >= t
        tp = int((pred & (y == 1)).sum())
        prec = tp / max(1, int(pred.sum()))
        rec = tp / max(1, int(y.sum()))
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        if f1 > best_f1:
            best_f1, best_t = f1, float(t)
        if high is None and prec >= HIGH_PRECISION and tp >= 5:
            high = float(t)
    if high is None:
        log.warning("no threshold reaches precision %.2f out of fold; combined detector adds no flags", HIGH_PRECISION)
    return best_t, high if high is not None else NEVER


def _scores(pred: np.ndarray, gold: np.ndarray, idx: list[int], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """pair_eval metrics per source over the rows in ``idx``."""
    from ..evaluation.pairs import pair_metrics

    by: dict[str, list[int]] = defaultdict(list)
    for i in idx:
        by[rows[i]["source"]].append(i)
    return {s: pair_metrics([bool(gold[i]) for i in ix], [bool(pred[i]) for i in ix]) for s, ix in sorted(by.items())}


def _brief(m: dict[str, Any]) -> dict[str, Any]:
    keep = ("n", "positives", "tp", "fp", "fn", "precision", "recall", "f1")
    return {**{k: m[k] for k in keep}, "always_f1": m["baseline_always"]["f1"], "never_f1": 0.0}


def train(
    public_file: str | Path,
    own_pairs: Optional[str | Path],
    cache_dir: Optional[Path],
    out_dir: Path,
    seed: int = SEED,
    train_frac: float = TRAIN_FRAC,
) -> dict[str, Any]:
    """Fit, choose thresholds out-of-fold, score the held-out part and our own pairs, save."""
    from ..disagree.learned import CombinedDetector, Head, LearnedDetector, build_features
    from ..disagree.rules import RuleDetector
    from ..embed.sentence_transformers import SentenceTransformerEmbedder
    from ..evaluation.pairs import evaluate, load_pairs

    rows = load_pairs(public_file)
    tr, held = split_by_claim(rows, seed, train_frac)
    embedder = SentenceTransformerEmbedder()
    x = build_features([(r["a"], r["b"]) for r in rows], embedder, cache_dir)
    y = np.array([int(r["gold"]) for r in rows])
    groups = [f"{rows[i]['source']}|{rows[i]['a']}" for i in tr]
    cv = {c: _oof(x[tr], y[tr], groups, c) for c in C_GRID}
    loss = {c: float(-np.mean(y[tr] * np.log(p + 1e-9) + (1 - y[tr]) * np.log(1 - p + 1e-9))) for c, p in cv.items()}
    c_best = min(loss, key=lambda c: loss[c])
    threshold, high = _thresholds(cv[c_best], y[tr])
    weights, bias = fit_head(x[tr], y[tr], c_best)
    head = Head(weights, bias, threshold, high, {"model": embedder.name})
    p = head.proba(x)
    rule_pred = np.array([RuleDetector().judge(r["a"], r["b"]).label == "contradiction" for r in rows])
    train_ev = {rows[i]["b"] for i in tr}
    held_out = {
        "learned": {s: _brief(m) for s, m in _scores(p >= threshold, y, held, rows).items()},
        "learned_high": {s: _brief(m) for s, m in _scores(p >= high, y, held, rows).items()},
        "rules": {s: _brief(m) for s, m in _scores(rule_pred, y, held, rows).items()},
        "rules+learned": {s: _brief(m) for s, m in _scores(rule_pred | (p >= high), y, held, rows).items()},
    }
    record: dict[str, Any] = {
        "model": embedder.name,
        "head": "logistic regression (L2, class-balanced), scaler folded into weights",
        "features": ["u+v (384)", "|u-v| (384)", "u*v (384)", "rule signals (12)"],
        "split": {
            "file": Path(public_file).name,
            "seed": seed,
            "train_frac": train_frac,
            "unit": "claim, per source",
            "train_pairs": len(tr),
            "held_out_pairs": len(held),
            "train_claims": len({groups[k] for k in range(len(tr))}),
            "held_out_claims": len({(rows[i]["source"], rows[i]["a"]) for i in held}),
            "held_out_evidence_also_in_train": sum(rows[i]["b"] in train_ev for i in held),
        },
        "C": c_best,
        "cv_log_loss": {str(c): round(v, 4) for c, v in loss.items()},
        "held_out": held_out,
    }
    if own_pairs and Path(own_pairs).exists():
        own = load_pairs(own_pairs, "corpus")
        record["own_pairs"] = {"file": Path(own_pairs).name}
        for det in (
            RuleDetector(),
            LearnedDetector(head, embedder, cache_dir=cache_dir),
            CombinedDetector(head, embedder, cache_dir=cache_dir),
        ):
            res = evaluate(det, own)
            record["own_pairs"][det.name] = {**_brief(res["overall"]), "errors": res["errors"]}
    head.meta = record
    written = head.save(out_dir)
    log.info("wrote %s", ", ".join(str(w) for w in written))
    return {"bias": bias, "threshold": threshold, "high_threshold": high, **record}
