"""Fit the answer/abstain decision on questions that are and are not covered.

The confidence is a logistic function of the features ``answering.features_of``
computes (best dense match, IDF-weighted coverage of the question by the
retrieved text, best lexical overlap). Its coefficients are fitted here on
``evals/calibration.jsonl``, a set kept apart from the evaluation questions,
and shipped as ``calibration.json`` so every run uses the same measured values.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

from .answering import FEATURES
from .conversation import resolve
from .errors import UsageError
from .pipeline import QA, clean_question


def read_items(path: Path) -> list[dict[str, Any]]:
    items = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{lineno}: not JSON ({exc.msg})") from exc
        if not isinstance(item.get("question"), str) or not isinstance(item.get("answerable"), bool):
            raise UsageError(f'{path}:{lineno}: needs "question" (text) and "answerable" (true/false)')
        items.append(item)
    if not items or len({i["answerable"] for i in items}) < 2:
        raise UsageError(f"{path} needs both answerable and unanswerable questions")
    return items


def features_for(qa: QA, question: str, history: Sequence[str] = ()) -> dict[str, float]:
    """The abstention features exactly as ``QA.ask`` computes them."""
    text = resolve(clean_question(question), history).text
    return qa.select(text, qa.embed_query(text), qa.mode, decide=False).features


def fit(qa: QA, path: Path, c: float = 30.0) -> dict[str, Any]:
    """Logistic regression on the features; returns the calibration record."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import LeaveOneOut, cross_val_score

    items = read_items(path)
    x = [[features_for(qa, it["question"])[f] for f in FEATURES] for it in items]
    y = [int(it["answerable"]) for it in items]
    model = LogisticRegression(C=c, max_iter=1000).fit(x, y)
    record = {
        "intercept": float(model.intercept_[0]),
        "coef": {f: float(w) for f, w in zip(FEATURES, model.coef_[0])},
        "threshold": 0.5,
        "fitted_on": f"{path.name} ({sum(y)} answerable, {len(y) - sum(y)} not)",
    }
    correct = 0
    for xi, yi in zip(x, y):
        z = record["intercept"] + sum(record["coef"][f] * v for f, v in zip(FEATURES, xi))
        correct += int((1 / (1 + math.exp(-z)) >= 0.5) == bool(yi))
    record["training_accuracy"] = round(correct / len(y), 4)
    loo = cross_val_score(LogisticRegression(C=c, max_iter=1000), x, y, cv=LeaveOneOut())
    record["leave_one_out_accuracy"] = round(float(loo.mean()), 4)
    return record


def save(record: dict[str, Any], dest: Path | None = None) -> Path:
    dest = dest or Path(str(resources.files("naltrexone_qa").joinpath("calibration.json")))
    dest.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return dest
