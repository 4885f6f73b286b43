"""Small linear heads on the model's vectors, fitted on the training split: answerability and pair relevance.

Why heads and not more fine-tuning: both questions they answer are about *this*
bot's questions, which the training split (``evals/train.jsonl``, written by
three writers who saw only the articles) teaches directly, and a logistic
regression on frozen MiniLM vectors trains in seconds, deterministically, and
ships as a few kilobytes of JSON.

- **Answerability** (``answerability.json``): whether the articles answer a
  question at all, from the resolved question's vector alone. Near misses
  ("how much does the shot cost?", "can my dog take it?") are on topic, so their
  best sentences score like real answers; what marks them is *what* is asked.
  Its log-odds is the ``prior`` signal of the answer/abstain decision (``abstain``).
- **Pair relevance** (``relevance_head.json``): whether a sentence answers the
  question, from the element-wise product and distance of their vectors (a
  learned similarity instead of the plain cosine), trained on the pipeline's own
  candidates for the training questions. Its score is the ``pair`` feature of
  the candidate ranker.

``naltrexone-qa train heads --out DIR`` fits both.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Optional

import numpy as np

from ..errors import ModelError
from .records import find_record

log = logging.getLogger(__name__)


class HeadKind(NamedTuple):
    """A head's file name, its record's ``kind``, and how many input columns per vector dimension."""

    file: str
    kind: str
    per_dim: int


ANSWERABILITY = HeadKind("answerability.json", "answerability-head", 1)
RELEVANCE = HeadKind("relevance_head.json", "relevance-head", 2)
HEADS = (ANSWERABILITY, RELEVANCE)


def pair_inputs(query: np.ndarray, sentences: np.ndarray) -> np.ndarray:
    """The relevance head's input per sentence: the product and the absolute difference with the question."""
    q = np.asarray(query, dtype=np.float32).reshape(1, -1)
    s = np.asarray(sentences, dtype=np.float32).reshape(-1, q.shape[1])
    return np.hstack([q * s, np.abs(q - s)])


@dataclass(frozen=True)
class LinearHead:
    """Log-odds from one input row (or many): ``x @ coef + intercept``."""

    kind: HeadKind
    coef: np.ndarray
    intercept: float
    record: Mapping[str, Any]

    @property
    def vector_dim(self) -> int:
        """The embedding size the head was trained on."""
        return int(self.coef.shape[0]) // self.kind.per_dim

    def score(self, x: np.ndarray) -> np.ndarray:
        rows = np.asarray(x, dtype=np.float32)
        rows = rows.reshape(1, -1) if rows.ndim == 1 else rows
        if rows.shape[1] != self.coef.shape[0]:
            raise ModelError(
                f"the {self.kind.kind} expects {self.coef.shape[0]} input columns, got {rows.shape[1]}; "
                "retrain it with this model: naltrexone-qa train heads --out DIR"
            )
        return (rows @ self.coef + self.intercept).astype(np.float64)

    def score_one(self, x: np.ndarray) -> float:
        return float(self.score(x)[0])

    @classmethod
    def from_record(cls, kind: HeadKind, record: Mapping[str, Any], where: str) -> LinearHead:
        try:
            if record.get("kind") != kind.kind:
                raise ValueError(f"kind is {record.get('kind')!r}, not {kind.kind!r}")
            coef = np.asarray([float(x) for x in record["coef"]], dtype=np.float32)
            intercept = float(record["intercept"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"{where} is not a {kind.kind} record ({exc})") from None
        if coef.ndim != 1 or not len(coef) or len(coef) % kind.per_dim or not np.isfinite(coef).all():
            raise ModelError(f"{where} is not a {kind.kind} record (no usable weights)")
        return cls(kind, coef, intercept, dict(record))

    @classmethod
    def load(cls, kind: HeadKind, folder: Optional[Path] = None) -> Optional[LinearHead]:
        """The head in ``folder`` (or shipped in the package); None when there is none."""
        found = find_record(folder, [kind.file], kind.kind)
        if found is None:
            return None
        text, where = found
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelError(f"{where} is not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise ModelError(f"{where} is not a {kind.kind} record (not a JSON object)")
        return cls.from_record(kind, record, where)

    def fits(self, model: str, dim: int) -> bool:
        """Whether the head can read this embedder's vectors; says why not (in the log) when it cannot.

        Another model's vectors of another size cannot be read: the head is then left out
        and its signal is 0 (even odds), so answers still come, decided by the other signals.
        The same size from another model can be read but means something else: a warning.
        """
        if dim != self.vector_dim:
            log.warning(
                "the %s reads %d-dimensional vectors, the embedder %s gives %d: the head is left out; "
                "retrain it (naltrexone-qa train heads --out DIR) and refit (calibrate)",
                self.kind.kind,
                self.vector_dim,
                model,
                dim,
            )
            return False
        trained = self.record.get("embedding_model")
        if trained and Path(str(trained)).name != Path(model).name:
            log.warning(
                "the %s was trained on %s vectors, the embedder is %s: "
                "retrain it (naltrexone-qa train heads --out DIR)",
                self.kind.kind,
                trained,
                model,
            )
        return True


def load_head(kind: HeadKind, folder: Optional[Path], model: str, dim: int, needed: bool) -> Optional[LinearHead]:
    """The head for a pipeline: None when absent or unreadable for this embedder; an error when records need it."""
    head = LinearHead.load(kind, folder)
    if head is None and needed:
        raise ModelError(
            f"the fitted records in {folder or 'the package'} use the {kind.kind} but there is no {kind.file} "
            "beside them; run 'naltrexone-qa train heads --out DIR' into that folder"
        )
    if head is not None and not head.fits(model, dim):
        return None
    return head


__all__ = ["ANSWERABILITY", "HEADS", "RELEVANCE", "HeadKind", "LinearHead", "load_head", "pair_inputs"]
