"""``train answerability``: fit the question-only answerability head on the training split.

Why a separate, tiny model: it needs no GPU and no public data, only the training
questions marked answerable or not (``evals/train.jsonl``: answerable questions,
near misses, unanswerable follow-ups, off-topic ones). Each question is resolved
against its history and embedded exactly as ``QA.ask`` does, so the head reads
the same vector at question time. The regularisation strength is chosen by ROC
AUC on the dev split (tuning); the test split is never read. Deterministic:
lbfgs on fixed data gives the same weights on every run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..answer.answerability import KIND, SHIPPED
from ..answer.conversation import resolve
from ..errors import DataError
from ..evaluation.items import QAItem, load_items
from ..pipeline import QA

GRID = (0.3, 1.0, 3.0, 10.0, 30.0)


def question_vectors(qa: QA, items: Sequence[QAItem]) -> np.ndarray:
    """Each question's resolved vector, as ``QA.ask`` computes it."""
    out = []
    for it in items:
        q = qa.clean(it.question)
        turns = [qa.clean(h) for h in it.history]
        out.append(qa.query(q, resolve(q, turns)).vec)
    return np.vstack(out).astype(np.float32) if out else np.zeros((0, 0), dtype=np.float32)


def _labels(items: Sequence[QAItem], path: Path) -> np.ndarray:
    y = np.array([it.answerable for it in items], dtype=int)
    if len(set(y.tolist())) < 2:
        raise DataError(f"{path} needs both answerable and unanswerable questions")
    return y


def train_answerability(
    qa: QA,
    train_file: Path,
    dev_file: Path,
    out: Path,
    grid: Sequence[float] = GRID,
    notify: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    """Fit the head on ``train_file``, choose C on ``dev_file``, write ``out/answerability.json``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    train, dev = load_items(train_file), load_items(dev_file)
    y_train, y_dev = _labels(train, train_file), _labels(dev, dev_file)
    notify(f"embedding {len(train)} training and {len(dev)} dev questions...")
    x_train, x_dev = question_vectors(qa, train), question_vectors(qa, dev)
    aucs = {}
    for c in grid:
        model = LogisticRegression(C=c, max_iter=5000).fit(x_train, y_train)
        aucs[c] = float(roc_auc_score(y_dev, model.decision_function(x_dev)))
    best = max(grid, key=lambda c: (round(aucs[c], 3), -c))  # ties go to the stronger regularisation
    model = LogisticRegression(C=best, max_iter=5000).fit(x_train, y_train)
    record = {
        "kind": KIND,
        "embedding_model": qa.settings.model,
        "dim": int(x_train.shape[1]),
        "C": best,
        "trained_on": {
            "file": train_file.name,
            "sha256": hashlib.sha256(train_file.read_bytes()).hexdigest(),
            "answerable": int(y_train.sum()),
            "unanswerable": int((1 - y_train).sum()),
        },
        "metrics": {
            "dev_roc_auc_by_C": {str(c): round(a, 4) for c, a in aucs.items()},
            "dev_roc_auc": round(aucs[best], 4),
            "role": f"{dev_file.name} is the tuning split (chooses C); the test split is never read",
        },
        "command": f"naltrexone-qa train answerability --out DIR --train-file {train_file} --dev {dev_file}",
        "intercept": float(model.intercept_[0]),
        "coef": [round(float(w), 7) for w in model.coef_[0]],
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / SHIPPED).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


__all__ = ["GRID", "question_vectors", "train_answerability"]
