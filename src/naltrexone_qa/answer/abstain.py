"""The answer/abstain decision: a logistic function of measured signals.

Its coefficients are fitted by ``naltrexone-qa calibrate`` (see
``evaluation.calibrate``) on questions kept apart from the evaluation set, and
the shipped ``calibration.json`` is what every run uses unless
``AnswerSettings.calibration`` names another file. The record is read once,
when the pipeline is built, and never changes afterwards.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, Optional

from ..errors import ModelError

# The signals the decision is calibrated on (see scoring.features_of).
FEATURES = ("dense", "centroid", "gap")
SHIPPED = "calibration.json"


@dataclass(frozen=True)
class Calibration:
    """Logistic coefficients and the threshold on the resulting confidence."""

    intercept: float
    coef: Mapping[str, float]
    threshold: float = 0.5
    record: Optional[Mapping[str, Any]] = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any], where: str) -> Calibration:
        try:
            coef = {str(k): float(v) for k, v in record["coef"].items()}
            cal = cls(float(record["intercept"]), coef, float(record.get("threshold", 0.5)), record)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"{where} is not a calibration record ({exc})") from None
        if set(coef) != set(FEATURES):
            raise ModelError(
                f"{where} does not match the answer features {FEATURES}; "
                "run 'naltrexone-qa calibrate --out FILE' and point the settings at it"
            )
        return cls(cal.intercept, cal.coef, cal.threshold, record)

    @classmethod
    def load(cls, path: Optional[Path] = None) -> Calibration:
        """The calibration in ``path``, or the one shipped with the package."""
        if path is None:
            text = resources.files("naltrexone_qa.answer").joinpath(SHIPPED).read_text(encoding="utf-8")
            where = f"the shipped {SHIPPED}"
        else:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as exc:
                raise ModelError(f"cannot read calibration file {path}: {exc.strerror}") from None
            where = str(path)
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelError(f"{where} is not valid JSON ({exc.msg})") from None
        return cls.from_record(record, where)

    def confidence(self, features: Mapping[str, float]) -> float:
        z = self.intercept + sum(self.coef[k] * features[k] for k in self.coef)
        return 1.0 / (1.0 + math.exp(-z))
