"""Fit the answer/abstain decision on questions that are and are not covered.

The confidence is a logistic function of the features ``answer.scoring.features_of``
computes (best dense match, closeness to the corpus centroid, how far the best
sentence stands out). Its coefficients are fitted here on a set kept apart from
the evaluation questions (``evals/calibration.jsonl``) and written where the
user says; the shipped ``answer/calibration.json`` is regenerated with
``naltrexone-qa calibrate --out src/naltrexone_qa/answer/calibration.json``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Sequence

from ..answer.abstain import FEATURES
from ..answer.conversation import resolve
from ..errors import DataError
from ..jsonl import read_jsonl
from ..pipeline import QA


def read_items(path: Path) -> list[dict[str, Any]]:
    items = []
    for n, item in read_jsonl(path):
        if not isinstance(item.get("question"), str) or not isinstance(item.get("answerable"), bool):
            raise DataError(f'{path}:{n}: needs "question" (text) and "answerable" (true/false)')
        items.append(item)
    if not items or len({i["answerable"] for i in items}) < 2:
        raise DataError(f"{path} needs both answerable and unanswerable questions")
    return items


def features_for(qa: QA, question: str, history: Sequence[str] = ()) -> dict[str, float]:
    """The abstention features exactly as ``QA.ask`` computes them."""
    text = resolve(qa.clean(question), history).text
    return qa.select(text, qa.embed_query(text), decide=False).features


def fit(qa: QA, path: Path, c: float = 30.0) -> dict[str, Any]:
    """Logistic regression on the features; returns the calibration record."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import LeaveOneOut, cross_val_score

    items = read_items(path)
    x = [[features_for(qa, it["question"])[f] for f in FEATURES] for it in items]
    y = [int(it["answerable"]) for it in items]
    model = LogisticRegression(C=c, max_iter=1000).fit(x, y)
    intercept = float(model.intercept_[0])
    coef = {f: float(w) for f, w in zip(FEATURES, model.coef_[0], strict=True)}
    record: dict[str, Any] = {
        "intercept": intercept,
        "coef": coef,
        "threshold": 0.5,
        "fitted_on": f"{path.name} ({sum(y)} answerable, {len(y) - sum(y)} not)",
    }
    correct = 0
    for xi, yi in zip(x, y, strict=False):
        z = intercept + sum(coef[f] * v for f, v in zip(FEATURES, xi, strict=True))
        correct += int((1 / (1 + math.exp(-z)) >= 0.5) == bool(yi))
    record["training_accuracy"] = round(correct / len(y), 4)
    loo = cross_val_score(LogisticRegression(C=c, max_iter=1000), x, y, cv=LeaveOneOut())
    record["leave_one_out_accuracy"] = round(float(loo.mean()), 4)
    return record


def save(record: dict[str, Any], dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return dest
