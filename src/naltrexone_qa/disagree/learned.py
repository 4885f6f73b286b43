"""Learned contradiction detector: a linear head over offline MiniLM embeddings.

Why: the rules were written for five naltrexone articles and score far below
the trivial always-contradiction baseline on public claim-evidence pairs.  A
logistic-regression head over symmetric pair features of the offline
embedding model ([u+v, |u-v|, u*v]) plus the rule signals as indicator
features carries further.  The head is stored as ``detector_head.npy``
(weights, scaler folded in) and ``detector_head.json`` (bias, thresholds,
feature layout, split and held-out metrics); nothing is pickled.

The head only knows support vs. contradiction (the public pairs hold no
unrelated pairs), so non-contradictions keep the rule detector's
agreement/unrelated label.  ``CombinedDetector`` keeps every rule decision,
including the condition-difference veto, and adds learned flags only above a
high threshold.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

from .base import Judgement
from .claims import HEDGE, MODAL, analyze
from .rules import (
    RuleDetector,
    certainty_mismatch,
    condition_difference,
    extent_mismatch,
    opposite_effects,
    polarity_mismatch,
    quantity_mismatch,
    relatedness,
)

log = logging.getLogger(__name__)

HEAD_STEM = "detector_head"


def shipped_head_dir() -> Path:
    """The folder of the head shipped inside the package (read-only at run time)."""
    return Path(str(resources.files("naltrexone_qa.disagree")))


RULE_FEATURES = (
    "opposite-effects",
    "extent",
    "negation",
    "quantity",
    "certainty",
    "condition-difference",
    "rule-contradiction",
    "related",
    "negation-xor",
    "hedge-xor",
    "modal-xor",
    "both-quantities",
)
_CHECKS = (
    opposite_effects,
    extent_mismatch,
    polarity_mismatch,
    quantity_mismatch,
    certainty_mismatch,
    condition_difference,
)


def rule_features(a: str, b: str, rules: Optional[RuleDetector] = None) -> np.ndarray:
    """The rule detector's signals for one pair as symmetric indicator features."""
    ca, cb = analyze(a), analyze(b)
    fired = [1.0 if check(ca, cb) else 0.0 for check in _CHECKS]
    judgement = (rules or RuleDetector()).judge(a, b)
    extra = [
        1.0 if judgement.label == "contradiction" else 0.0,
        relatedness(ca, cb),
        float(bool(ca.negated) != bool(cb.negated)),
        float(bool(HEDGE.search(ca.norm)) != bool(HEDGE.search(cb.norm))),
        float(bool(MODAL.search(ca.norm)) != bool(MODAL.search(cb.norm))),
        float(bool(ca.quantities) and bool(cb.quantities)),
    ]
    return np.asarray(fired + extra, dtype=np.float32)


def pair_features(u: np.ndarray, v: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """Row-wise [u+v, |u-v|, u*v, rule signals]: symmetric, since corpus pairs have no order."""
    return np.hstack([u + v, np.abs(u - v), u * v, rules]).astype(np.float32)


def embed_texts(texts: Sequence[str], embedder: Any = None, cache_dir: Optional[Path] = None) -> np.ndarray:
    """Embeddings for ``texts``; with ``cache_dir``, reused from and saved to .npy + JSON."""
    from ..embed.cache import EmbeddingCache
    from ..embed.sentence_transformers import SentenceTransformerEmbedder

    embedder = embedder or SentenceTransformerEmbedder()
    if cache_dir is None:
        return embedder.encode(list(texts))
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache = EmbeddingCache.load(cache_dir, embedder.name)
    before = len(cache)
    vecs = cache.embed(list(texts), embedder)
    if len(cache) != before:
        cache.save(cache_dir)
    return vecs


def build_features(
    pairs: Sequence[tuple[str, str]], embedder: Any = None, cache_dir: Optional[Path] = None
) -> np.ndarray:
    """Feature matrix for pairs, embedding each distinct text once."""
    if not pairs:
        return np.zeros((0, 0), dtype=np.float32)
    texts = sorted({t for p in pairs for t in p})
    vecs = embed_texts(texts, embedder, cache_dir)
    row = {t: i for i, t in enumerate(texts)}
    u = vecs[[row[a] for a, _ in pairs]]
    v = vecs[[row[b] for _, b in pairs]]
    rules = RuleDetector()
    r = np.stack([rule_features(a, b, rules) for a, b in pairs])
    return pair_features(u, v, r)


@dataclass
class Head:
    """Logistic-regression head with the feature scaler folded into the weights."""

    weights: np.ndarray
    bias: float
    threshold: float = 0.5
    high_threshold: float = 0.9
    meta: dict[str, Any] = field(default_factory=dict)

    def proba(self, features: np.ndarray) -> np.ndarray:
        """P(contradiction) per row."""
        z = features.astype(np.float64) @ self.weights.astype(np.float64) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def save(self, folder: Path, stem: str = HEAD_STEM) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        npy, js = folder / f"{stem}.npy", folder / f"{stem}.json"
        np.save(npy, self.weights.astype(np.float32), allow_pickle=False)
        record = {
            "bias": self.bias,
            "threshold": self.threshold,
            "high_threshold": self.high_threshold,
            "n_weights": int(self.weights.shape[0]),
            **self.meta,
        }
        js.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        return [npy, js]

    @classmethod
    def load(cls, folder: Optional[Path] = None, stem: str = HEAD_STEM) -> Head:
        """The shipped head (or one in ``folder``); raises FileNotFoundError if absent."""
        folder = folder or shipped_head_dir()
        meta = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
        weights = np.load(folder / f"{stem}.npy", allow_pickle=False)
        if weights.shape != (meta["n_weights"],):
            raise ValueError(f"{stem}.npy has shape {weights.shape}, JSON says {meta['n_weights']}")
        bias, thr, high = meta.pop("bias"), meta.pop("threshold"), meta.pop("high_threshold")
        meta.pop("n_weights")
        return cls(weights, float(bias), float(thr), float(high), meta)


class LearnedDetector:
    """Contradiction when the head's probability reaches ``threshold``."""

    name = "learned"
    version = "head-1"

    def __init__(
        self,
        head: Optional[Head] = None,
        embedder: Any = None,
        threshold: Optional[float] = None,
        cache_dir: Optional[Path] = None,
    ) -> None:
        self.head = head or Head.load()
        self.embedder = embedder
        self.threshold = self.head.threshold if threshold is None else threshold
        self.cache_dir = cache_dir
        self.rules = RuleDetector()

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        if not pairs:
            return np.zeros(0)
        if self.embedder is None:
            from ..embed.sentence_transformers import SentenceTransformerEmbedder

            self.embedder = SentenceTransformerEmbedder(self.head.meta.get("model"))
        return self.head.proba(build_features(pairs, self.embedder, self.cache_dir))

    def _judge(self, a: str, b: str, p: float, threshold: float) -> Judgement:
        if p >= threshold:
            severity = "high" if p >= self.head.high_threshold else "medium"
            why = f"learned detector: p(contradiction)={p:.2f} (threshold {threshold:.2f})"
            return Judgement("contradiction", round(p, 4), "learned", severity, why)
        rule = self.rules.judge(a, b)
        if rule.label != "contradiction":
            return rule
        return Judgement(
            "agreement",
            round(1 - p, 4),
            "learned",
            "none",
            f"learned detector: p(contradiction)={p:.2f} below threshold",
        )

    def judge_many(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]:
        pairs = list(pairs)
        probs = self.probabilities(pairs)
        return [self._judge(a, b, float(p), self.threshold) for (a, b), p in zip(pairs, probs, strict=False)]


class CombinedDetector(LearnedDetector):
    """Rules first (their flags and their condition veto stand); learned flags only when very sure."""

    name = "rules+learned"

    def judge_many(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]:
        pairs = list(pairs)
        probs = self.probabilities(pairs)
        out = []
        for (a, b), p in zip(pairs, probs, strict=False):
            rule = self.rules.judge(a, b)
            if rule.label == "contradiction" or rule.signal == "condition-difference":
                out.append(rule)
            else:
                out.append(self._judge(a, b, float(p), self.head.high_threshold))
        return out
