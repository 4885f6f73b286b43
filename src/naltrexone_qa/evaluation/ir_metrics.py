"""Ranking metrics (nDCG@k, Recall@k, reciprocal rank), written out by hand.

Why not ranx: it imports in ~3 s and its first ``evaluate`` call spends ~40 s
compiling with numba, which is too slow for a CLI and for tests. These
definitions follow trec_eval / BEIR: linear gain ``rel`` discounted by
``log2(rank + 1)``, ideal ranking taken from the judgments, only judgments
with ``rel > 0`` count as relevant, and a query with no relevant item is left
out of averages rather than scored 0 or 1.
"""

from __future__ import annotations

import math
from typing import Hashable, Iterable, Mapping, Optional, Sequence, TypeVar

T = TypeVar("T", bound=Hashable)


def dedupe(items: Iterable[T]) -> list[T]:
    """Keep the first occurrence of each item, in order (chunk hits -> document ranking)."""
    seen: set[T] = set()
    out: list[T] = []
    for it in items:
        if it not in seen:
            seen.add(it)
            out.append(it)
    return out


def _relevant(qrels: Mapping[T, float]) -> dict[T, float]:
    return {d: float(r) for d, r in qrels.items() if r > 0}


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain of gains listed in rank order (rank 1 first)."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranked: Sequence[T], qrels: Mapping[T, float], k: int) -> Optional[float]:
    """nDCG@k with graded gains; None when the query has no relevant item."""
    rel = _relevant(qrels)
    if not rel:
        return None
    top = dedupe(ranked)[:k]
    ideal = dcg(sorted(rel.values(), reverse=True)[:k])
    return dcg([rel.get(d, 0.0) for d in top]) / ideal


def recall_at_k(ranked: Sequence[T], relevant: Iterable[T], k: int) -> Optional[float]:
    """Share of relevant items found in the first k; None when nothing is relevant."""
    rel = set(relevant)
    if not rel:
        return None
    return len(rel.intersection(ranked[:k])) / len(rel)


def hit_at_k(ranked: Sequence[T], relevant: Iterable[T], k: int) -> Optional[float]:
    """1.0 if any relevant item is in the first k, else 0.0 (None when nothing is relevant)."""
    rel = set(relevant)
    if not rel:
        return None
    return 1.0 if rel.intersection(ranked[:k]) else 0.0


def first_relevant_rank(ranked: Sequence[T], relevant: Iterable[T]) -> Optional[int]:
    """1-based rank of the first relevant item, or None if none is ranked."""
    rel = set(relevant)
    for i, d in enumerate(ranked, start=1):
        if d in rel:
            return i
    return None


def reciprocal_rank(ranked: Sequence[T], relevant: Iterable[T], k: Optional[int] = None) -> Optional[float]:
    """1/rank of the first relevant item (0 if absent or beyond k); None when nothing is relevant."""
    rel = set(relevant)
    if not rel:
        return None
    r = first_relevant_rank(ranked if k is None else ranked[:k], rel)
    return 0.0 if r is None else 1.0 / r


def mean(values: Iterable[Optional[float]]) -> Optional[float]:
    """Mean of the values that are not None; None if there are none."""
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def evaluate_run(
    run: Mapping[str, Sequence[str]],
    qrels: Mapping[str, Mapping[str, float]],
    ndcg_k: Sequence[int] = (10,),
    recall_k: Sequence[int] = (100,),
    mrr_k: Optional[int] = 10,
) -> dict[str, float]:
    """Mean metrics over the judged queries; a judged query missing from ``run`` scores 0."""
    out: dict[str, float] = {}
    judged = [q for q, j in qrels.items() if _relevant(j)]
    for k in ndcg_k:
        out[f"ndcg@{k}"] = mean(ndcg_at_k(run.get(q, []), qrels[q], k) for q in judged) or 0.0
    for k in recall_k:
        out[f"recall@{k}"] = mean(recall_at_k(list(run.get(q, [])), _relevant(qrels[q]), k) for q in judged) or 0.0
    name = f"mrr@{mrr_k}" if mrr_k else "mrr"
    out[name] = mean(reciprocal_rank(list(run.get(q, [])), _relevant(qrels[q]), mrr_k) for q in judged) or 0.0
    out["n_queries"] = float(len(judged))
    return out
