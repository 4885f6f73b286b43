"""Promotional text in a source: phone numbers and calls to action.

Why at ingest time: a sentence flagged here is never quotable (``Sentence.answerable``)
and never enters a chunk, so no later stage can serve a source's advertising as an
answer, whatever it scores.
"""

from __future__ import annotations

import re

_PHONE = re.compile(r"(?:\+?\d{1,2}[\s.-]?)?\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b")
_CALL_TO_ACTION = re.compile(
    r"\b(?:call (?:us|today|now)|give us a call|contact us|we can help you|"
    r"sign up|order now|visit our|book (?:a|your) (?:call|appointment) (?:today|now))\b",
    re.IGNORECASE,
)


def is_promotional(text: str) -> bool:
    """Phone numbers and calls to action are advertising, never an answer."""
    return bool(_PHONE.search(text) or _CALL_TO_ACTION.search(text))
