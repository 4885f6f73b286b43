"""A question that asks for one specific figure needs a sentence that states one.

Why: "How many people took part in the University of Minnesota study?", "What year was the
Norwegian study done?", "By what percentage did gabapentin plus naltrexone cut heavy drinking
days?", "What dose did they use in the MS study?". The articles name these studies and drugs, so
the best sentences match the question's words well and were quoted at confidence 0.6-0.9, but
none of them says how many, which year, what percentage or what dose: an answer that does not
answer. The ``number`` signal of ``features.ASKS`` is too loose to catch this ("days" or any digit
meets it); each kind here pairs a narrow question pattern with the form its answer takes (a count
of people, a year, a percentage, an amount in milligrams). When none of the best sentences holds
that form, the articles do not give the figure and the question abstains.

Durations are left out: "how long does the nausea last?" and "how long does it stay in your
system?" bring up the same few sentences that state some duration ("at least one week", "a
month"), so the form of a sentence cannot tell whether it gives the duration asked for.
"""

from __future__ import annotations

import re
from typing import Sequence

_NUMBER = (
    r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty"
    r"|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|dozens?|several)"
)
_PEOPLE = (
    r"(?:people|ppl|persons|participants|patients|subjects|individuals|adults|men|women|volunteers|users|clients"
    r"|alcoholics|addicts|veterans|smokers|drinkers)"
)

# kind -> (what the question asks, what a sentence holding the answer contains)
SPECIFICS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "count of people": (
        re.compile(
            rf"\bhow many (?:\w+ )?{_PEOPLE}\b|\bhow (?:big|large) was (?:the|that|this|it)\b|\bsample size\b",
            re.IGNORECASE,
        ),
        re.compile(rf"\b{_NUMBER}\s+(?:[\w-]+\s+){{0,2}}{_PEOPLE}\b|\bN\s*=\s*\d", re.IGNORECASE),
    ),
    "year": (
        re.compile(
            r"\b(?:what|which) year\b|\bwhen was (?:it|that|this|the [\w ]{1,30}?) "
            r"(?:published|done|conducted|carried out|approved|released)\b",
            re.IGNORECASE,
        ),
        re.compile(r"\b(?:1[89]|20)\d\d\b"),
    ),
    "percentage": (
        re.compile(r"\bwhat percent(?:age)?\b|\bby (?:how much|what percent\w*)\b|\bhow many percent\b", re.IGNORECASE),
        re.compile(r"\d\s*%|\bpercent\w*\b|\bhalf\b|\bthird\b|\bquarter\b", re.IGNORECASE),
    ),
    "amount": (
        re.compile(
            r"\b(?:mg|milligrams?)\b|\b(?:what|which) (?:dose|dosage|strength) (?:of|is|was|did|do|does|in)\b",
            re.IGNORECASE,
        ),
        re.compile(r"\d\s*(?:mg|milligrams?|mcg|micrograms?|ml)\b|\bmilligrams?\b", re.IGNORECASE),
    ),
}


def unstated_figure(own: str, texts: Sequence[str]) -> str:
    """The kind of figure ``own`` asks for that none of ``texts`` (the best sentences) states, else ""."""
    for kind, (asks, holds) in SPECIFICS.items():
        if asks.search(own) and not any(holds.search(t) for t in texts):
            return kind
    return ""
