"""Fixed safety phrases and the check that decides when the urgent line applies.

The bot quotes medical articles, so every answer carries a notice that it is
not medical advice, and a person describing an emergency is pointed to help
before anything else. (Advertising in the sources is caught at ingest time,
see ``ingest.promo``, so it can never be quoted.)
"""

from __future__ import annotations

import re
from typing import Optional

NOTICE = (
    "This bot quotes published articles; it is not medical advice. Ask a doctor or pharmacist about your own situation."
)

URGENT_HELP = (
    "If this is an emergency (a possible overdose, someone not breathing or hard to wake, "
    "or thoughts of suicide), call your local emergency number now (911 in the US, 112 in "
    "Europe, 999 in the UK). In the US you can also call or text 988 (Suicide & Crisis "
    "Lifeline). If someone may have overdosed on opioids, give naloxone if you have it."
)

ABSTAIN = "The articles in this corpus don't answer that."

_EMERGENCY = re.compile(
    r"\b(?:overdos\w*|od'?d|od'?(?:ing|ed)|took too (?:much|many)|(?:gonna|going to) die|dying|"
    r"not breathing|stopped breathing|can'?t breathe|cannot breathe|"
    r"(?:won'?t|will not|can'?t) wake|unresponsive|passed out|blue lips|"
    r"suicid\w*|kill (?:my|him|her|them)sel(?:f|ves)|end my life|want to die|self[- ]harm)",
    re.IGNORECASE,
)


def urgent_line(question: str) -> Optional[str]:
    """The urgent-help line when a question mentions an emergency.

    Erring towards showing it is cheap; missing a real emergency is not, so a
    question that merely asks about overdose still gets the line.
    """
    if _EMERGENCY.search(question):
        return URGENT_HELP
    return None
