"""Answers as JSON: the contract of ``ask --json``, the HTTP API and the evaluation harness.

The object is ``Answer.to_dict()``; this module only serialises it, so every
front end emits byte-for-byte the same fields.
"""

from __future__ import annotations

import json
from typing import Any

from ..types import Answer


def answer_json(ans: Answer, **extra: Any) -> str:
    """One answer as a single line of JSON (``extra`` keys, such as a batch item's id, added)."""
    return json.dumps({**ans.to_dict(), **extra}, ensure_ascii=False)
