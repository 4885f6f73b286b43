"""Joining ranked lists: reciprocal rank fusion or weighted normalised scores.

Why RRF by default: it needs no score calibration between BM25 (unbounded) and
cosine similarity (bounded), only ranks. Ranks count from 1, so the top item
of a list adds 1/(k+1); the constant k is a setting (``RetrievalSettings.rrf_k``).
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from ..config import Fusion

Ranked = Sequence[tuple[int, float]]


def rrf_fuse(
    ranked_lists: Sequence[Sequence[int]], k: int, weights: Optional[Sequence[float]] = None
) -> list[tuple[int, float]]:
    """Reciprocal rank fusion; ranks count from 1, so the top item adds 1/(k+1)."""
    weights = weights or [1.0] * len(ranked_lists)
    fused: dict[int, float] = {}
    for w, ranked in zip(weights, ranked_lists, strict=False):
        for rank, item in enumerate(ranked, start=1):
            fused[item] = fused.get(item, 0.0) + w / (k + rank)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def weighted_fuse(scored_lists: Sequence[Ranked], weights: Optional[Sequence[float]] = None) -> list[tuple[int, float]]:
    """Min-max normalise each list's scores, then add them with weights."""
    weights = weights or [1.0 / len(scored_lists)] * len(scored_lists)
    fused: dict[int, float] = {}
    for w, lst in zip(weights, scored_lists, strict=False):
        if not lst:
            continue
        vals = np.array([s for _, s in lst], dtype=np.float64)
        lo, hi = float(vals.min()), float(vals.max())
        span = hi - lo or 1.0
        for item, s in lst:
            fused[item] = fused.get(item, 0.0) + w * ((s - lo) / span if hi > lo else 1.0)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def fuse(fusion: Fusion, lists: Sequence[Ranked], rrf_k: int, weights: Sequence[float]) -> list[tuple[int, float]]:
    """Join ranked (item, score) lists the way ``fusion`` says."""
    if fusion is Fusion.WEIGHTED:
        return weighted_fuse(lists, weights=list(weights))
    return rrf_fuse([[i for i, _ in lst] for lst in lists], k=rrf_k)
