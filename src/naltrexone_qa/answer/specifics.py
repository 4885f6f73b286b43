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

Durations are the one kind whose form is not enough: "how long does the nausea last?" and "how long
does it stay in your system?" bring up the same few sentences that state some duration ("at least
one week", "a month"). So a question asking how long a symptom or effect lasts or takes ("how long
does the nausea last", "how many weeks before it helps anxiety") needs a sentence that states a
duration and names that symptom; the others ("how long do I need to be off opioids?") are not
checked, since their answers name what they time in other words.
"""

from __future__ import annotations

import re
from typing import Sequence

from .mentions import mentions

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


_ASKS_DURATION = re.compile(r"\bhow (?:long|soon)\b|\bhow many (?:hours|days|weeks|months|years)\b", re.IGNORECASE)
_DURATION = re.compile(
    rf"\b(?:{_NUMBER}|a few|an?)\s+(?:[\w-]+\s+)?(?:hours?|days?|weeks?|months?|years?)\b|\blong[- ]term\b"
    r"|\bduration\b|\bimmediate\w*|\bindefinite\w*|\bwears? off\b|\blong[- ]acting\b",
    re.IGNORECASE,
)
# Conditions a duration question times as symptoms or effects; the others name what is treated
# ("how long before ldn helps the spasms from ms" is answered by "reduction in spasticity after six months").
_NOT_TIMED = frozenset(
    {"alcoholism", "opioid addiction", "addiction", "liver", "overdose", "pregnancy", "multiple sclerosis"}
    | {"fibromyalgia", "seizures", "nerve pain"}
)


def _symptoms(text: str) -> set[str]:
    return {m.name for m in mentions(text) if m.kind == "condition" and m.name not in _NOT_TIMED}


def unstated_figure(own: str, texts: Sequence[str]) -> str:
    """The kind of figure ``own`` asks for that none of ``texts`` (the best sentences) states, else ""."""
    for kind, (asks, holds) in SPECIFICS.items():
        if asks.search(own) and not any(holds.search(t) for t in texts):
            return kind
    timed = _symptoms(own) if _ASKS_DURATION.search(own) else set()
    if timed and not any(_DURATION.search(t) and timed & _symptoms(t) for t in texts):
        return "duration"
    return ""
