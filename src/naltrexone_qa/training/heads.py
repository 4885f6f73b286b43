"""``train heads``: fit the answerability and pair relevance heads on the training split.

Why separate, tiny models: they need no GPU and no public data, only the
training questions (``evals/train.jsonl``: answerable questions with their key
phrases, near misses, unanswerable follow-ups, off-topic ones). Questions are
resolved against their history and embedded exactly as ``QA.ask`` does, and the
relevance head learns from the candidates the pipeline itself puts in front of
the ranker, so both read at question time what they were trained on. Each
head's regularisation is chosen on the dev split (tuning); the test split is
never read. Deterministic data and choice of C; lbfgs's weights can differ in the last
digits between runs on busy cores (two runs of the shipped pair head: within 0.0021).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from ..answer.conversation import resolve
from ..answer.features import FEATURES
from ..answer.heads import ANSWERABILITY, RELEVANCE, HeadKind, pair_inputs
from ..errors import DataError
from ..evaluation.calibrate import RANKER_FEATURES, reading_all
from ..evaluation.fit import Example, cross_validate, examples
from ..evaluation.items import QAItem, load_items
from ..pipeline import QA

ANSWERABILITY_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)
RELEVANCE_GRID = (0.01, 0.1, 1.0)
_PAIR = FEATURES.index("pair")


class Split(NamedTuple):
    """Questions of one split and their resolved vectors, embedded once for both heads.

    ``vectors`` lean toward the clinical words of consumer ones, as the candidates are scored;
    ``plain`` are the questions as typed, as the answerability judgement reads them (``Query.plain``).
    """

    items: Sequence[QAItem]
    vectors: np.ndarray
    plain: np.ndarray


def _stack(rows: list[np.ndarray]) -> np.ndarray:
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 0), dtype=np.float32)


def split_vectors(qa: QA, items: Sequence[QAItem]) -> Split:
    """Each question's resolved vectors, as ``QA.ask`` computes them."""
    queries = []
    for it in items:
        q = qa.clean(it.question)
        queries.append(qa.query(q, resolve(q, [qa.clean(h) for h in it.history])))
    return Split(items, _stack([x.vec for x in queries]), _stack([x.plain for x in queries]))


def _labels(items: Sequence[QAItem], path: Path) -> np.ndarray:
    y = np.array([it.answerable for it in items], dtype=int)
    if len(set(y.tolist())) < 2:
        raise DataError(f"{path} needs both answerable and unanswerable questions")
    return y


def _record(kind: HeadKind, qa: QA, model: Any, c: float, train_file: Path, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "kind": kind.kind,
        "embedding_model": qa.settings.model,
        "dim": int(model.coef_.shape[1]),
        "C": c,
        "trained_on": {
            "file": train_file.name,
            "sha256": hashlib.sha256(train_file.read_bytes()).hexdigest(),
            "data": "questions written for this project from its articles (no third-party data)",
            **counts,
        },
        "solver": "scikit-learn LogisticRegression (lbfgs, deterministic: no seed needed)",
    }


def fit_answerability(
    qa: QA, data: Split, dev: Split, paths: tuple[Path, Path], grid: Sequence[float]
) -> dict[str, Any]:
    """The answerability head: C by dev ROC AUC (ties to the stronger regularisation)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    y_train, y_dev = _labels(data.items, paths[0]), _labels(dev.items, paths[1])
    x_train, x_dev = data.plain, dev.plain
    aucs = {}
    for c in grid:
        m = LogisticRegression(C=c, max_iter=5000).fit(x_train, y_train)
        aucs[c] = float(roc_auc_score(y_dev, m.decision_function(x_dev)))
    best = max(grid, key=lambda c: (round(aucs[c], 3), -c))
    model = LogisticRegression(C=best, max_iter=5000).fit(x_train, y_train)
    counts = {"answerable": int(y_train.sum()), "unanswerable": int((1 - y_train).sum())}
    return {
        **_record(ANSWERABILITY, qa, model, best, paths[0], counts),
        "metrics": {
            "dev_roc_auc_by_C": {str(c): round(a, 4) for c, a in aucs.items()},
            "dev_roc_auc": round(aucs[best], 4),
            "role": f"{paths[1].name} is the tuning split (chooses C); the test split is never read",
        },
        "intercept": float(model.intercept_[0]),
        "coef": [round(float(w), 7) for w in model.coef_[0]],
    }


def pair_rows(qa: QA, exs: Sequence[Example], vecs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The relevance head's inputs and labels: every candidate of every answerable question with a right one."""
    store = qa.index.sentence_vectors
    xs, ys = [], []
    for e, v in zip(exs, vecs, strict=True):
        if e.item.answerable and e.good.any():
            xs.append(pair_inputs(v, store.get_vectors(e.sentence_ids)))
            ys.append(e.good.astype(int))
    if not xs:
        raise DataError("no training question has a right sentence among its candidates")
    return np.vstack(xs), np.concatenate(ys)


def fit_relevance(qa: QA, data: Split, dev: Split, paths: tuple[Path, Path], grid: Sequence[float]) -> dict[str, Any]:
    """The pair relevance head: C by the dev split's out-of-fold hit@3 (then hit@1) of the ranker using it."""
    from sklearn.linear_model import LogisticRegression

    fitting = reading_all(qa)
    ex_train, ex_dev = examples(fitting, data.items), examples(fitting, dev.items)
    x, y = pair_rows(fitting, ex_train, data.vectors)
    names = [f for f in RANKER_FEATURES if f != "pair"] + ["pair"]
    if fitting.chooser.reranker is not None:
        names.append("rerank")
    store = qa.index.sentence_vectors
    dev_inputs = [
        pair_inputs(v, store.get_vectors(e.sentence_ids)) if len(e.sentence_ids) else None
        for e, v in zip(ex_dev, dev.vectors, strict=True)
    ]
    figures, models = {}, {}
    for c in grid:
        m = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x, y)
        for e, inputs in zip(ex_dev, dev_inputs, strict=True):
            if inputs is not None:
                e.features[:, _PAIR] = m.decision_function(inputs)
        figures[c], models[c] = cross_validate(ex_dev, names, 1.0), m
    best = max(grid, key=lambda c: (figures[c]["hit@3"], figures[c]["hit@1"], -c))
    counts = {"questions": int(sum(1 for e in ex_train if e.item.answerable and e.good.any())), "pairs": len(y)}
    return {
        **_record(RELEVANCE, qa, models[best], best, paths[0], counts),
        "metrics": {
            "dev_ranker_oof_by_C": {str(c): f for c, f in figures.items()},
            "dev_ranker_oof": figures[best],
            "role": f"{paths[1].name} is the tuning split (chooses C; figures are the ranker's out-of-fold hits "
            "with this head's score among its features); the test split is never read",
        },
        "intercept": float(models[best].intercept_[0]),
        "coef": [round(float(w), 7) for w in models[best].coef_[0]],
    }


def train_heads(
    qa: QA,
    train_file: Path,
    dev_file: Path,
    out: Path,
    answerability_grid: Sequence[float] = ANSWERABILITY_GRID,
    relevance_grid: Sequence[float] = RELEVANCE_GRID,
    notify: Callable[[str], None] = lambda _m: None,
) -> dict[str, dict[str, Any]]:
    """Fit both heads on ``train_file`` (C chosen on ``dev_file``) and write them into ``out``."""
    train_items, dev_items = load_items(train_file), load_items(dev_file)
    paths = (train_file, dev_file)
    notify(f"answerability head: {len(train_items)} training and {len(dev_items)} dev questions...")
    train, dev = split_vectors(qa, train_items), split_vectors(qa, dev_items)  # embedded once for both heads
    records = {ANSWERABILITY.file: fit_answerability(qa, train, dev, paths, answerability_grid)}
    notify("relevance head: the pipeline's candidates for every training and dev question...")
    records[RELEVANCE.file] = fit_relevance(qa, train, dev, paths, relevance_grid)
    out.mkdir(parents=True, exist_ok=True)
    for name, record in records.items():
        record["command"] = f"naltrexone-qa train heads --out DIR --train-file {train_file} --dev {dev_file}"
        (out / name).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return records


__all__ = ["pair_rows", "split_vectors", "train_heads"]
