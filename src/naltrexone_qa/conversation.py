"""Follow-up questions resolved from the conversation so far.

"What side effects should I watch for?" after "Can naltrexone be taken with
gabapentin?" is about that combination. A question that leans on earlier turns
(a pronoun, "and ...", "what about ...", or no subject of its own) gets the
topic words of the most recent turn that had one; a question with its own
subject starts a new topic. The chat, ``ask --history`` and Slack threads all
use this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from .text import STOPWORDS, words

# Words that say what is asked, not what it is about.
GENERIC = frozenset(
    """naltrexone drug drugs medication medications medicine medicines pill pills tablet tablets take taking
    taken use using used safe safely safety side effect effects risk risks work works working help helps
    happen happens cause causes okay fine good bad common serious watch look long often start starting stop
    stopping dose doses dosing addictive addiction interact interaction interactions together combine
    combined combination mix mixing also else again more less way ways thing much many any anything
    something someone people person patients patient doctor should could would might may will can does
    do did is are was were be been being have has had get got go going know tell explain mean means""".split()
)
_FOLLOWUP_START = re.compile(
    r"^\s*(?:and|also|but|or|so|then|what about|how about|what if|same|and what|and how|and is|and with)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(?:it|its|it's|this|that|these|those|they|them|their|the combination|both)\b",
                      re.IGNORECASE)


@dataclass
class Resolution:
    """The question to search for, and what was carried over to make it."""

    question: str
    text: str
    carried: list[str] = field(default_factory=list)
    followup: bool = False


def topic_terms(text: str) -> list[str]:
    """Subject words of a question (drugs, conditions), in order, without repeats."""
    out: list[str] = []
    for w in words(text):
        w = w.split("'")[0]
        if len(w) < 3 or w in STOPWORDS or w in GENERIC or w.isdigit() or w in out:
            continue
        out.append(w)
    return out


def is_followup(question: str) -> bool:
    """Whether a question needs earlier turns to make sense."""
    if _FOLLOWUP_START.search(question):
        return True
    own = topic_terms(question)
    if not own:
        return True
    return bool(_PRONOUN.search(question)) and len(own) <= 1


def resolve(question: str, history: Sequence[str] = ()) -> Resolution:
    """Carry the latest topic of ``history`` into ``question`` when it lacks one."""
    question = question.strip()
    if not history or not is_followup(question):
        return Resolution(question, question)
    own = set(topic_terms(question))
    mentions_naltrexone = "naltrexone" in question.lower()
    for turn in reversed(history):
        carried = [t for t in topic_terms(turn) if t not in own]
        if "naltrexone" in turn.lower() and not mentions_naltrexone:
            carried = ["naltrexone", *carried]
        if carried:
            return Resolution(question, f"{question} ({', '.join(carried)})", carried, True)
        if not is_followup(turn):
            break
    return Resolution(question, question)
