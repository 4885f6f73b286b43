"""Detectors by name: the registry behind ``--detector`` and the index manifest.

Kept apart from ``base`` so that the detector modules import the protocol
without importing the registry that imports them.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from ..errors import UsageError
from .base import Detector


def _rules(**_: Any) -> Detector:
    from .rules import RuleDetector

    return RuleDetector()


def _learned(**kwargs: Any) -> Detector:
    from .learned import LearnedDetector

    return LearnedDetector(embedder=kwargs.get("embedder"))


def _combined(**kwargs: Any) -> Detector:
    from .learned import CombinedDetector

    return CombinedDetector(embedder=kwargs.get("embedder"))


def _nli(**kwargs: Any) -> Detector:
    from .nli import DEFAULT_NLI_MODEL, NLIDetector

    return NLIDetector(kwargs.get("model") or DEFAULT_NLI_MODEL)


def _stance(**kwargs: Any) -> Detector:
    from .stance import StanceDetector

    return StanceDetector(kwargs["folder"])


# Detector name -> factory; heavy backends are imported only when chosen.
# "stance" takes the folder of a trained model: ``stance:DIR`` (``naltrexone-qa train stance --out DIR``).
DETECTORS: dict[str, Callable[..., Detector]] = {
    "rules": _rules,
    "learned": _learned,
    "rules+learned": _combined,
    "nli": _nli,
    "stance": _stance,
}


def check_detector_name(name: str) -> str:
    """The name if it is a detector (``stance:DIR`` needs its folder), else a UsageError naming the choices."""
    base, _, folder = name.partition(":")
    if base == "stance" and not folder:
        raise UsageError("the stance detector needs the folder of a trained model: --detector stance:DIR")
    if base not in DETECTORS or (folder and base != "stance"):
        raise UsageError(f"unknown detector {name!r}; choose one of rules, learned, rules+learned, nli, stance:DIR")
    return name


def get_detector(name: str = "rules", model: Optional[str] = None, embedder: Any = None) -> Detector:
    """The named detector (``model``: the NLI checkpoint; ``embedder``: shared with learned heads)."""
    base, _, folder = check_detector_name(name).partition(":")
    return DETECTORS[base](model=model, embedder=embedder, folder=folder)
