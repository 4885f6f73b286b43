"""Whether the articles answer a question at all, judged from the question alone: a fitted linear head.

Why: near misses ("how much does the shot cost?", "can my dog take it?", "is it safe
in pregnancy?") are on topic, so their best sentences score like real answers and
the retrieval signals cannot tell them apart. What marks them is *what* is asked,
and questions written apart from the project teach that: the training split
(``evals/train.jsonl``) holds answerable questions and near misses by three
writers who saw only the articles. The head is a logistic regression on the
resolved question's vector (one weight per dimension), trained by
``naltrexone-qa train answerability`` and shipped as ``answerability.json``; its
log-odds is the ``prior`` signal of the answer/abstain decision (``abstain``),
which weighs it against the evidence the candidates show.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

import numpy as np

from ..errors import ModelError
from .records import find_record

log = logging.getLogger(__name__)

SHIPPED = "answerability.json"
KIND = "answerability-head"


@dataclass(frozen=True)
class AnswerabilityHead:
    """Log-odds that the articles answer a question, from its vector."""

    coef: np.ndarray
    intercept: float
    record: Mapping[str, Any]

    @property
    def dim(self) -> int:
        return int(self.coef.shape[0])

    def score(self, vec: np.ndarray) -> float:
        v = np.asarray(vec, dtype=np.float32).reshape(-1)
        if v.shape[0] != self.dim:
            raise ModelError(
                f"the answerability head expects {self.dim}-dimensional question vectors, got {v.shape[0]}; "
                "run 'naltrexone-qa train answerability --out DIR' with this model"
            )
        return float(v @ self.coef + self.intercept)

    @classmethod
    def from_record(cls, record: Mapping[str, Any], where: str) -> AnswerabilityHead:
        try:
            if record.get("kind") != KIND:
                raise ValueError(f"kind is {record.get('kind')!r}, not {KIND!r}")
            coef = np.asarray([float(x) for x in record["coef"]], dtype=np.float32)
            intercept = float(record["intercept"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"{where} is not an answerability head ({exc})") from None
        if coef.ndim != 1 or not len(coef) or not np.isfinite(coef).all():
            raise ModelError(f"{where} is not an answerability head (no finite weights)")
        return cls(coef, intercept, dict(record))

    @classmethod
    def load(cls, folder: Optional[Path] = None) -> Optional[AnswerabilityHead]:
        """The head in ``folder`` (or shipped in the package); None when there is none."""
        found = find_record(folder, [SHIPPED], "answerability head")
        if found is None:
            return None
        text, where = found
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelError(f"{where} is not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise ModelError(f"{where} is not an answerability head (not a JSON object)")
        return cls.from_record(record, where)

    def fits(self, model: str, dim: int) -> bool:
        """Whether the head can read this embedder's vectors; says why not (once, in the log) when it cannot.

        Another model's vectors of another size cannot be read: the head is then left out
        and ``prior`` is 0 (even odds), so answers still come, decided by the other signals.
        The same size from another model can be read but means something else: a warning.
        """
        if dim != self.dim:
            log.warning(
                "the answerability head reads %d-dimensional vectors, the embedder %s gives %d: the head is "
                "left out; retrain it (naltrexone-qa train answerability --out DIR) and refit (calibrate)",
                self.dim,
                model,
                dim,
            )
            return False
        trained = self.record.get("embedding_model")
        if trained and Path(str(trained)).name != Path(model).name:
            log.warning(
                "the answerability head was trained on %s vectors, the embedder is %s: "
                "retrain it (naltrexone-qa train answerability --out DIR)",
                trained,
                model,
            )
        return True


__all__ = ["KIND", "SHIPPED", "AnswerabilityHead"]
