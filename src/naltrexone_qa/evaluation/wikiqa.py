"""``bench wikiqa``: answer-sentence selection on WikiQA test (measure only; never trained on).

Each question's candidate sentences (from one Wikipedia summary) are ranked by
a scorer and scored by MAP and MRR over the 243 test questions that have at
least one answer (the usual protocol, as in Yang et al., 2015). Scorers: BM25
(statistics over all test sentences), the bi-encoder's cosine, the word-overlap
signal the answerer uses, the learned reranker, and the shipped ranker's
weights applied to those signals.
"""

from __future__ import annotations

import csv
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from ..embed.base import Embedder
from ..errors import DataError

PUBLISHED = {"CNN-Cnt (Yang et al., 2015)": 0.652, "fine-tuned BERT-base (reported)": 0.81}


@dataclass
class WikiQAQuestion:
    qid: str
    question: str
    sentences: list[str]
    labels: list[int]


def load_wikiqa(folder: Path, split: str = "test") -> list[WikiQAQuestion]:
    """Questions of a split that have at least one correct sentence."""
    path = Path(folder) / f"WikiQA-{split}.tsv"
    if not path.is_file():
        raise DataError(f"{path} not found (WikiQA folder with WikiQA-{split}.tsv)")
    by: OrderedDict[str, WikiQAQuestion] = OrderedDict()
    with path.open(encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
            try:
                q = by.setdefault(row["QuestionID"], WikiQAQuestion(row["QuestionID"], row["Question"], [], []))
                q.sentences.append(row["Sentence"])
                q.labels.append(int(row["Label"]))
            except (KeyError, ValueError, TypeError) as exc:
                raise DataError(f"{path}:{n}: expected QuestionID, Question, Sentence, Label ({exc})") from None
    return [q for q in by.values() if any(q.labels)]


def average_precision(scores: np.ndarray, labels: list[int]) -> float:
    order = np.argsort(-scores, kind="stable")
    hits, total = 0, 0.0
    for rank, i in enumerate(order, start=1):
        if labels[i]:
            hits += 1
            total += hits / rank
    return total / max(1, sum(labels))


def reciprocal_rank(scores: np.ndarray, labels: list[int]) -> float:
    order = np.argsort(-scores, kind="stable")
    return next((1.0 / r for r, i in enumerate(order, start=1) if labels[i]), 0.0)


Scorer = Callable[[WikiQAQuestion], np.ndarray]


def signal_scorers(
    questions: list[WikiQAQuestion], embedder: Optional[Embedder], reranker: Any = None, pair_head: Any = None
) -> dict[str, Scorer]:
    """One scorer per signal; dense vectors are computed once for every sentence and question.

    ``pair_head`` (the pair relevance head, see ``answer.heads``) scores from the same vectors.
    """
    from ..answer.heads import pair_inputs
    from ..retrieve.bm25 import BM25Index
    from ..text import tokenize

    texts = sorted({s for q in questions for s in q.sentences})
    row = {t: i for i, t in enumerate(texts)}
    bm25 = BM25Index.build(texts)
    scorers: dict[str, Scorer] = {}

    def bm25_scores(q: WikiQAQuestion) -> np.ndarray:
        all_scores = bm25.scores(q.question)
        return np.array([all_scores[row[s]] for s in q.sentences])

    def lex_scores(q: WikiQAQuestion) -> np.ndarray:
        terms = set(tokenize(q.question))
        weights: dict[str, float] = {}
        for t in terms:
            idf = bm25.term_idf(t)
            weights[t] = bm25.max_idf if idf is None else idf
        total = sum(weights.values()) or 1.0
        return np.array([sum(w for t, w in weights.items() if t in set(tokenize(s))) / total for s in q.sentences])

    scorers["bm25"] = bm25_scores
    scorers["lex"] = lex_scores
    if embedder is not None:
        svecs = embedder.encode(texts)
        qvecs = dict(zip([q.qid for q in questions], embedder.encode([q.question for q in questions]), strict=True))
        scorers["dense"] = lambda q: svecs[[row[s] for s in q.sentences]] @ qvecs[q.qid]
        if pair_head is not None:
            scorers["pair"] = lambda q: pair_head.score(pair_inputs(qvecs[q.qid], svecs[[row[s] for s in q.sentences]]))
    if reranker is not None:
        scorers["rerank"] = lambda q: np.asarray(reranker.score(q.question, q.sentences))
    return scorers


def run_wikiqa(
    questions: list[WikiQAQuestion], scorers: dict[str, Scorer], combos: Optional[dict[str, dict[str, float]]] = None
) -> dict[str, Any]:
    """MAP and MRR of every scorer, and of weighted sums of them (``combos``: name -> {signal: weight})."""
    cache: dict[str, list[np.ndarray]] = {}
    seconds: dict[str, float] = {}
    for name, fn in scorers.items():
        t = time.perf_counter()
        cache[name] = [np.asarray(fn(q), dtype=np.float64) for q in questions]
        seconds[name] = round(time.perf_counter() - t, 1)
    for name, weights in (combos or {}).items():
        if all(s in cache for s in weights):
            cache[name] = [np.sum([w * cache[s][i] for s, w in weights.items()], axis=0) for i in range(len(questions))]
    out = {}
    for name, per_q in cache.items():
        ap = [average_precision(s, q.labels) for s, q in zip(per_q, questions, strict=True)]
        rr = [reciprocal_rank(s, q.labels) for s, q in zip(per_q, questions, strict=True)]
        out[name] = {
            "map": round(float(np.mean(ap)), 4),
            "mrr": round(float(np.mean(rr)), 4),
            "seconds": seconds.get(name),
        }
    return {"questions": len(questions), "scorers": out, "published_map": PUBLISHED}
