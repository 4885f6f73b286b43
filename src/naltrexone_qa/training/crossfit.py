"""Cross-fitted features of the training questions, so the answer/abstain decision can learn from them.

Why: the heads and the question bank learn from ``evals/train.jsonl``, so on its
own questions their signals are far too good (the bank's nearest training
question is the question itself: alone it ranks a right sentence first for 99.6%
of them, against 62% for questions it has not seen). Fitting the abstain decision
on such features would teach it to trust them. So the training questions are
split into folds by writer (``w3-0017`` was written by ``w3``; without writer
prefixes, by question), and each fold's features are computed with heads and a
bank rebuilt from the other folds only: every training question is then seen the
way a new user's question is. The relevance adapter is not refitted per fold (it
trains for half an hour; its hit@1 alone is 0.55 on training questions and 0.51
on dev, so it has not learnt them by heart).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, Sequence

import numpy as np

from ..answer.bank import BoundBank
from ..answer.heads import ANSWERABILITY, RELEVANCE, HeadKind, LinearHead
from ..errors import DataError
from ..evaluation.calibrate import reading_all
from ..evaluation.fit import Example, examples
from ..evaluation.items import QAItem
from ..pipeline import QA
from .bank import answering_sentences
from .heads import pair_rows, split_vectors

log = logging.getLogger(__name__)

FOLDS = 5


def writer_folds(items: Sequence[QAItem], folds: int = FOLDS) -> np.ndarray:
    """A fold per item, whole writers to a fold (largest first, each to the smallest fold so far).

    Questions by one writer share wording; holding a writer out whole is what a new user is.
    With fewer writers than folds, items are dealt round-robin instead.
    """
    writers = [it.id.rsplit("-", 1)[0] if "-" in it.id else it.id for it in items]
    sizes: dict[str, int] = {}
    for w in writers:
        sizes[w] = sizes.get(w, 0) + 1
    if len(sizes) < folds:
        return np.arange(len(items)) % folds
    load = [0] * folds
    fold_of: dict[str, int] = {}
    for w in sorted(sizes, key=lambda w: (-sizes[w], w)):
        fold_of[w] = int(np.argmin(load))
        load[fold_of[w]] += sizes[w]
    return np.array([fold_of[w] for w in writers])


def _fit_head(kind: HeadKind, like: LinearHead, x: np.ndarray, y: np.ndarray, balanced: bool) -> LinearHead:
    """A head of ``like``'s kind and regularisation, refitted on these rows."""
    from sklearn.linear_model import LogisticRegression

    c = float(like.record.get("C", 1.0))
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced" if balanced else None).fit(x, y)
    return LinearHead(kind, model.coef_[0].astype(np.float32), float(model.intercept_[0]), {"kind": kind.kind, "C": c})


@contextmanager
def _swapped(qa: QA, **parts: Any) -> Iterator[QA]:
    """The pipeline with these parts of its chooser (head, pair_head, bank, reranker) for a while;
    its own are put back afterwards."""
    ch = qa.chooser
    saved = {name: getattr(ch, name) for name in parts}
    for name, part in parts.items():
        setattr(ch, name, part)
    try:
        yield qa
    finally:
        for name, part in saved.items():
            setattr(ch, name, part)


def crossfit_examples(
    qa: QA, items: Sequence[QAItem], folds: int = FOLDS, notify: Callable[[str], None] = lambda _m: None
) -> list[Example]:
    """Every item's candidates and question features, computed with heads and bank that never saw its fold.

    The pipeline's own heads and bank give the kind and regularisation of each refitted part;
    a part the pipeline lacks stays out. Items come back in their order.
    """
    if len({it.answerable for it in items}) < 2:
        raise DataError("cross-fitting needs both answerable and unanswerable training questions")
    fitting = reading_all(qa)
    ch = fitting.chooser
    fold = writer_folds(items, folds)
    split = split_vectors(fitting, items)
    vecs = split.vectors
    y = np.array([it.answerable for it in items], dtype=int)
    pools: list[Example] = []
    if ch.pair_head is not None:
        notify(f"cross-fitting: the candidates of {len(items)} training questions...")
        with _swapped(fitting, reranker=None) as q:  # the pool does not depend on it; the pair head reads no score
            pools = examples(q, items)
    sentences = [s for s in fitting.sentences if s.answerable]
    targets = [[s.id for s in answering_sentences(sentences, it)] for it in items]
    out: list[Optional[Example]] = [None] * len(items)
    for k in range(folds):
        held = [int(i) for i in np.flatnonzero(fold == k)]
        kept = [int(i) for i in np.flatnonzero(fold != k)]
        if not len(held):
            continue
        if len(set(y[kept].tolist())) < 2:
            raise DataError(
                f"cross-fitting: without fold {k + 1} the training questions are all of one kind "
                "(answerable or not); write more of the other kind"
            )
        head = _fit_head(ANSWERABILITY, ch.head, split.plain[kept], y[kept], False) if ch.head is not None else None
        pair = None
        if ch.pair_head is not None:
            x, labels = pair_rows(fitting, [pools[i] for i in kept], vecs[kept])
            pair = _fit_head(RELEVANCE, ch.pair_head, x, labels, True)
        bank = None
        if ch.bank is not None:
            rows = [(i, sid) for i in kept for sid in targets[i]]
            if rows:
                bank = BoundBank(vecs[[i for i, _ in rows]], np.array([sid for _, sid in rows], dtype=np.int64))
        notify(f"cross-fitting: fold {k + 1} of {folds} ({len(held)} questions)...")
        with _swapped(fitting, head=head, pair_head=pair, bank=bank) as q:
            for i, ex in zip(held, examples(q, [items[i] for i in held]), strict=True):
                out[i] = ex
    log.info("cross-fitted %d training questions in %d folds", len(items), folds)
    return [e for e in out if e is not None]


__all__ = ["FOLDS", "crossfit_examples", "writer_folds"]
