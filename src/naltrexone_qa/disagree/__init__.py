"""Disagree: detectors behind the Detector protocol, the conflict map, and question-time flags."""

from .base import Detector, Judgement
from .registry import DETECTORS, get_detector

__all__ = ["DETECTORS", "Detector", "Judgement", "get_detector"]
