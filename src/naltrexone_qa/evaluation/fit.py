"""Fit the ranker and the answer/abstain decision on the dev split (and the calibration questions).

Why here: fitting needs the whole pipeline (features are computed exactly as
``QA.ask`` computes them) and labelled questions, so it sits with evaluation,
above the pipeline. Only ``dev.jsonl`` and ``calibration.jsonl`` are read;
``test.jsonl`` never is. Every fit reports grouped cross-validated figures
(folds by question), so the numbers written into the records are out-of-fold.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np

from ..answer.abstain import QUESTION_FEATURES
from ..answer.conversation import resolve
from ..answer.features import FEATURES
from ..answer.ranker import Ranker
from ..errors import DataError
from ..pipeline import QA
from .items import QAItem

log = logging.getLogger(__name__)

FOLDS = 5
SEED = 20261129


@dataclass
class Example:
    """One labelled question: its candidates' features, which of them answer it, its question features."""

    item: QAItem
    sentence_ids: list[int]
    features: np.ndarray
    good: np.ndarray
    question_features: dict[str, float]


def examples(qa: QA, items: Sequence[QAItem]) -> list[Example]:
    """Features of every candidate of every item, as ``QA.ask`` computes them, with the reranker reading all."""
    out = []
    for it in items:
        q = qa.clean(it.question)
        sel = qa.select(qa.query(q, resolve(q, list(it.history))), decide=False)
        good = np.array([it.answered_by(c.sentence.doc_id, c.sentence.text) for c in sel.pool], dtype=bool)
        feats = np.stack([c.features for c in sel.pool]) if sel.pool else np.zeros((0, len(FEATURES)))
        out.append(Example(it, [c.sentence.id for c in sel.pool], feats, good, sel.features))
    return out


def _folds(n: int, folds: int = FOLDS) -> list[np.ndarray]:
    order = np.random.default_rng(SEED).permutation(n)
    return [order[f::folds] for f in range(folds)]


def _pairwise(exs: Sequence[Example], cols: list[int]) -> tuple[np.ndarray, np.ndarray]:
    diffs, ys = [], []
    for ex in exs:
        pos, neg = np.flatnonzero(ex.good), np.flatnonzero(~ex.good)
        for p in pos:
            d = ex.features[p, cols] - ex.features[neg][:, cols]
            diffs += [d, -d]
            ys += [np.ones(len(d)), np.zeros(len(d))]
    if not diffs:
        return np.zeros((0, len(cols))), np.zeros(0)
    return np.vstack(diffs), np.concatenate(ys)


def fit_weights(exs: Sequence[Example], names: Sequence[str], c: float = 1.0) -> dict[str, float]:
    """Pairwise logistic regression (right sentence above wrong ones of the same question); no intercept."""
    from sklearn.linear_model import LogisticRegression

    cols = [FEATURES.index(n) for n in names]
    x, y = _pairwise([e for e in exs if e.good.any()], cols)
    if not len(y):
        raise DataError("no question has a right sentence among its candidates: nothing to fit the ranker on")
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000).fit(x, y)
    return {n: float(w) for n, w in zip(names, model.coef_[0], strict=True)}


def hits(exs: Sequence[Example], weights: dict[str, float], k: int) -> float:
    """Share of answerable questions with a right sentence among the top k."""
    ranker = Ranker(weights)
    answerable = [e for e in exs if e.item.answerable]
    found = 0
    for e in answerable:
        if len(e.features):
            order = np.argsort(-ranker.score(e.features), kind="stable")[:k]
            found += bool(e.good[order].any())
    return found / max(1, len(answerable))


def cross_validate(exs: Sequence[Example], names: Sequence[str], c: float) -> dict[str, float]:
    """Out-of-fold hit@1 and hit@3 of a ranker with these features (folds by question)."""
    h1 = h3 = 0.0
    total = 0
    for fold in _folds(len(exs)):
        held = set(fold.tolist())
        rest = [e for i, e in enumerate(exs) if i not in held]
        if not any(e.good.any() for e in rest):
            continue  # a tiny file: no right sentence left to learn from in this fold
        w = fit_weights(rest, names, c)
        test = [e for i, e in enumerate(exs) if i in held]
        n = sum(e.item.answerable for e in test)
        h1 += hits(test, w, 1) * n
        h3 += hits(test, w, 3) * n
        total += n
    total = max(total, 1)
    return {"hit@1": round(h1 / total, 4), "hit@3": round(h3 / total, 4)}


def fit_ranker(
    exs: Sequence[Example],
    names: Sequence[str],
    c: float = 1.0,
    uses_rerank: bool = False,
    margin: Optional[float] = None,
) -> Ranker:
    """The ranker fitted on all of ``exs``, its record holding the cross-validated figures."""
    cv = cross_validate(exs, names, c)
    weights = fit_weights(exs, names, c)
    record = {
        "fitted_on": f"{len({e.item.id for e in exs})} dev questions",
        "features": list(names),
        "C": c,
        "cross_validated": cv,
    }
    return Ranker(weights, margin if margin is not None else 0.1, uses_rerank, record)


def rescore(exs: Sequence[Example], ranker: Ranker) -> list[dict[str, float]]:
    """Question features recomputed with a new ranker's scores (top and margin depend on it)."""
    out = []
    for e in exs:
        f = dict(e.question_features)
        if len(e.features):
            s = np.sort(ranker.score(e.features))[::-1]
            f["top"] = float(s[0])
            f["margin"] = float(s[0] - s[1]) if len(s) > 1 else 0.0
        out.append(f)
    return out


def decision_figures(probs: np.ndarray, answerable: np.ndarray, threshold: float) -> dict[str, Optional[float]]:
    """Decision accuracy, false abstention and abstention on unanswerable questions at this threshold."""
    decided = np.asarray(probs) >= threshold
    y = np.asarray(answerable, dtype=bool)
    return {
        "decision_accuracy": round(float((decided == y).mean()), 4),
        "false_abstention": round(float((~decided[y]).mean()), 4) if y.any() else None,
        "abstention_on_unanswerable": round(float((~decided[~y]).mean()), 4) if (~y).any() else None,
    }


def fit_abstention(
    feats: Sequence[dict[str, float]],
    answerable: Sequence[bool],
    names: Sequence[str],
    c: float = 1.0,
    threshold: float = 0.5,
) -> dict[str, Any]:
    """Logistic regression on question features; the record holds cross-validated decision accuracy."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([[f[n] for n in names] for f in feats])
    y = np.array(answerable, dtype=int)
    oof = np.zeros(len(y))
    for fold in _folds(len(y)):
        train = np.setdiff1d(np.arange(len(y)), fold)
        m = LogisticRegression(C=c, max_iter=5000).fit(x[train], y[train])
        oof[fold] = m.predict_proba(x[fold])[:, 1]
    model = LogisticRegression(C=c, max_iter=5000).fit(x, y)
    return {
        "intercept": float(model.intercept_[0]),
        "coef": {n: float(w) for n, w in zip(names, model.coef_[0], strict=True)},
        "threshold": threshold,
        "cross_validated": decision_figures(oof, y.astype(bool), threshold),
        "oof_probabilities": [round(float(p), 4) for p in oof],
    }


__all__ = [
    "QUESTION_FEATURES",
    "Example",
    "cross_validate",
    "decision_figures",
    "examples",
    "fit_abstention",
    "fit_ranker",
    "hits",
    "rescore",
]
