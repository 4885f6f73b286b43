"""The candidate ranker: a weight per named feature, fitted on the dev split.

Why linear and fitted: a handful of checkable signals combined by weights a
reviewer can read, fitted by pairwise logistic regression on questions where
the right sentence is known (``naltrexone-qa calibrate``), rather than weights
picked by hand. The shipped ``ranker.json`` records what it was fitted on and
its cross-validated figures; ``AnswerSettings.ranker`` can name another file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

import numpy as np

from ..errors import ModelError
from .features import FEATURES
from .records import find_record

SHIPPED = "ranker.json"
# The first round's hand weights: what the ranker does without a fitted file.
HAND_WEIGHTS = {"dense": 0.55, "lex": 0.30, "chunk": 0.15, "framing": -0.08}


@dataclass(frozen=True)
class Ranker:
    """Scores = features @ weights; ``margin``: how far below the best a sentence may score and be quoted too."""

    weights: Mapping[str, float]
    margin: float = 0.1
    uses_rerank: bool = False
    record: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(FEATURES)
        if unknown:
            raise ModelError(f"ranker weights name unknown features {sorted(unknown)}; known: {FEATURES}")

    @property
    def vector(self) -> np.ndarray:
        return np.array([self.weights.get(name, 0.0) for name in FEATURES], dtype=np.float64)

    def score(self, features: np.ndarray) -> np.ndarray:
        return features @ self.vector

    def to_record(self) -> dict[str, Any]:
        return {**self.record, "weights": dict(self.weights), "margin": self.margin, "uses_rerank": self.uses_rerank}

    @classmethod
    def from_record(cls, record: Mapping[str, Any], where: str) -> Ranker:
        try:
            weights = {str(k): float(v) for k, v in record["weights"].items()}
            return cls(
                weights,
                float(record.get("margin", 0.1)),
                bool(record.get("uses_rerank", False)),
                {k: v for k, v in record.items() if k not in ("weights", "margin", "uses_rerank")},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"{where} is not a ranker record ({exc})") from None

    @classmethod
    def load(cls, folder: Optional[Path] = None, variant: str = "") -> Ranker:
        """The ranker in ``folder`` (else the shipped one; else the hand weights).

        ``variant`` "no-rerank" names the ranker fitted without the reranker's
        signal, used when answering without it; when a folder has no such
        file, the main ranker is used with that signal left at zero.
        """
        names = [f"ranker.{variant}.json", SHIPPED] if variant else [SHIPPED]
        found = find_record(folder, names, "ranker")
        if found is not None:
            return cls._parse(*found)
        if folder is not None:
            raise ModelError(f"no ranker.json in {folder}; run 'naltrexone-qa calibrate --out {folder}'")
        return cls(HAND_WEIGHTS, 0.1, False, {"fitted_on": "none (hand weights)"})

    @classmethod
    def _parse(cls, text: str, where: str) -> Ranker:
        try:
            return cls.from_record(json.loads(text), where)
        except json.JSONDecodeError as exc:
            raise ModelError(f"{where} is not valid JSON ({exc.msg})") from None
