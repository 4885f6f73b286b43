"""Follow-up questions resolved from the conversation so far.

"What side effects should I watch for?" after "Can naltrexone be taken with
gabapentin?" is about that combination. The conversation keeps a running topic
(drugs, conditions, and what was asked about them); a question that leans on it
(a pronoun, "and ...", "what about ...", or no drug or condition of its own)
gets the missing parts written into the searched text, and a question naming
its own subject starts a new topic. The chat, ``ask --history`` and Slack
threads all call :func:`resolve`, so follow-ups behave the same everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from ..text import QUESTION_FILLER, STOPWORDS, words

# Canonical name -> surface forms. A domain lexicon, because the subject of a
# question about naltrexone is nearly always a drug or a condition, and telling
# those apart from "what is asked" decides what a follow-up inherits.
DRUGS: dict[str, str] = {
    "naltrexone": r"naltrexone|vivitrol|revia|ldn",
    "gabapentin": r"gabapentin|neurontin|gralise|horizant",
    "benzodiazepines": r"benzodiazepines?|benzos?|xanax|valium|klonopin|ativan|alprazolam|diazepam|clonazepam|"
    r"lorazepam",
    "opioids": r"opioids?|opiates?|heroin|fentanyl|oxycodone|oxycontin|morphine|codeine|hydrocodone|methadone|"
    r"buprenorphine|suboxone|painkillers?|pain ?killers?|pain (?:pills?|medications?|meds)",
    "naloxone": r"naloxone|narcan",
    "alcohol": r"alcohol(?!ism|ics?\b)|booze|beer|wine",
    "antidepressants": r"antidepressants?|ssris?|sertraline|fluoxetine|bupropion|wellbutrin",
    "acamprosate": r"acamprosate|campral",
    "disulfiram": r"disulfiram|antabuse",
}
CONDITIONS: dict[str, str] = {
    "opioid addiction": r"(?:opioid|opiate|heroin|painkiller) (?:addiction|dependence|use disorder|abuse|withdrawal)",
    "anxiety": r"anxiety|anxious|panic",
    "depression": r"depression|depressed",
    "alcoholism": r"alcoholism|alcoholics?|alcohol (?:use disorder|dependence|addiction)|heavy drink\w*|"
    r"drinking|drinkers?",
    "addiction": r"addiction|dependence|substance use",
    "multiple sclerosis": r"multiple sclerosis|ms",
    "fibromyalgia": r"fibromyalgia",
    "crohn's disease": r"crohn'?s(?: disease)?",
    "pain": r"chronic pain",
    "liver disease": r"liver(?: disease| damage| problems?| failure)?|hepat\w+",
    "withdrawal": r"withdrawals?",
    "overdose": r"overdos\w*",
    "pregnancy": r"pregnan\w*|breastfeed\w*",
    "weight loss": r"weight(?: loss)?|obesity",
    "cravings": r"cravings?",
    "sleep": r"sleep\w*|insomnia",
    "stress": r"stress\w*",
}


def _compile(lexicon: dict[str, str]) -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile(rf"\b(?:{pat})\b", re.IGNORECASE)) for name, pat in lexicon.items()]


_DRUG_RES = _compile(DRUGS)
_CONDITION_RES = _compile(CONDITIONS)
_FOLLOWUP_START = re.compile(
    r"^\s*(?:and|also|but|or|so|then|plus|what about|how about|what if|same|ok(?:ay)?,? (?:and|so|what|how))\b",
    re.IGNORECASE,
)
# A reference to the drug(s) of the topic; written out in the searched text.
_DRUG_ANAPHOR = re.compile(
    r"\b(?:(?:that|this|the) combination|the two(?: drugs| medications| medicines)?|"
    r"both (?:drugs|medications|medicines|of them)|(?:this|that|the) (?:drug|medication|medicine|pill)|"
    r"it|them)\b",
    re.IGNORECASE,
)
# Any other leaning on earlier turns ("for that?", "studied this?", "those drugs").
_OTHER_ANAPHOR = re.compile(
    r"\b(?:its|they|their|these|those|both)\b|\b(?:this|that)\s*(?:[?.!,;]|$)|"
    r"\b(?:this|that|the) (?:shot|injection|implant|treatment|condition|approach|study|studies|research)\b",
    re.IGNORECASE,
)
# One drug ("start it"): with several drugs not taken together, naltrexone is meant.
_SINGULAR = re.compile(r"it|(?:this|that|the) (?:drug|medication|medicine|pill)", re.IGNORECASE)
_COMBINATION = re.compile(
    r"\b(?:together|combin\w*|mix\w*|with|while|alongside|plus|interact\w*|both)\b", re.IGNORECASE
)


@dataclass
class Resolution:
    """The question to search for, and what was carried over to make it."""

    question: str
    text: str
    carried: list[str] = field(default_factory=list)
    followup: bool = False


@dataclass
class Topic:
    """What the conversation is about after a turn: the state a follow-up inherits."""

    drugs: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    aspect: list[str] = field(default_factory=list)
    combination: bool = False

    @property
    def empty(self) -> bool:
        return not (self.drugs or self.conditions)


def _find(text: str, compiled: list[tuple[str, re.Pattern[str]]]) -> list[str]:
    """Lexicon names in order of first appearance in ``text``."""
    found = [(m.start(), name) for name, rx in compiled if (m := rx.search(text))]
    return [name for _, name in sorted(found)]


def _strip_lexicon(text: str) -> str:
    for _, rx in _DRUG_RES + _CONDITION_RES:
        text = rx.sub(" ", text)
    return text


def aspect_terms(text: str) -> list[str]:
    """What is asked ("side effects", "addictive"), without subjects or filler."""
    out: list[str] = []
    for w in words(_strip_lexicon(text)):
        w = w.split("'")[0]
        if len(w) < 3 or w in STOPWORDS or w in QUESTION_FILLER or w.isdigit() or w in out:
            continue
        out.append(w)
    return out


def _subjects(text: str) -> tuple[list[str], list[str]]:
    """Drugs and conditions; conditions first, so "opioid addiction" is not also a drug."""
    found: list[tuple[int, str]] = []
    rest = text
    for name, rx in _CONDITION_RES:  # specific names first: "opioid addiction" before "addiction"
        m = rx.search(rest)
        if m:
            found.append((m.start(), name))
            rest = rx.sub(lambda x: " " * len(x.group(0)), rest)
    return _find(rest, _DRUG_RES), [name for _, name in sorted(found)]


def topic_terms(text: str) -> list[str]:
    """Subject words of a question: its drugs and conditions, in order, without repeats."""
    drugs, conditions = _subjects(text)
    return drugs + conditions


def topic_of(text: str) -> Topic:
    """The topic a question sets on its own."""
    drugs, conditions = _subjects(text)
    return Topic(drugs, conditions, aspect_terms(text), len(drugs) >= 2 and bool(_COMBINATION.search(text)))


def is_followup(question: str) -> bool:
    """Whether a question leans on earlier turns (taken alone, without history)."""
    if _FOLLOWUP_START.search(question) or _OTHER_ANAPHOR.search(question):
        return True
    own = topic_of(question)
    if own.empty:
        return True
    # "Can I take it with gabapentin?": "it" is a drug of the earlier topic,
    # unless the question already names naltrexone ("is it safe to take naltrexone ...").
    return bool(_DRUG_ANAPHOR.search(question)) and "naltrexone" not in own.drugs


def _drug_phrase(drugs: list[str], combination: bool) -> str:
    if len(drugs) == 1:
        return drugs[0]
    joined = ", ".join(drugs[:-1]) + " and " + drugs[-1]
    return f"{joined} together" if combination else joined


def _merge(prev: Topic, own: Topic, elliptical: bool) -> Topic:
    drugs = [d for d in prev.drugs if d not in own.drugs] + own.drugs
    return Topic(
        drugs=drugs,
        conditions=own.conditions or prev.conditions,
        aspect=prev.aspect + [a for a in own.aspect if a not in prev.aspect] if elliptical else own.aspect,
        combination=len(drugs) >= 2 and (prev.combination or own.combination),
    )


def _step(question: str, prev: Optional[Topic]) -> tuple[Resolution, Topic]:
    """Resolve one question against the running topic and return the new topic."""
    own = topic_of(question)
    if prev is None or prev.empty or not is_followup(question):
        return Resolution(question, question), own
    elliptical = not own.aspect  # "And with alcohol?": it asks what the last question asked
    topic = _merge(prev, own, elliptical)
    new_drugs = [d for d in topic.drugs if d not in own.drugs]
    new_conditions = [c for c in topic.conditions if c not in own.conditions]
    new_aspect = [a for a in topic.aspect if a not in own.aspect] if elliptical else []
    carried = new_drugs + new_conditions + new_aspect
    if not carried:
        return Resolution(question, question), topic
    text = _write(question, topic, new_drugs, new_conditions + new_aspect)
    return Resolution(question, text, carried, True), topic


def _write(question: str, topic: Topic, new_drugs: list[str], rest: list[str]) -> str:
    """The searched text: a drug pronoun written out, everything else appended."""
    m = _DRUG_ANAPHOR.search(question)
    extra = list(rest)
    text = question
    named = [d for d in topic.drugs if d not in new_drugs]
    if new_drugs and topic.combination and not named:
        # The earlier turn was about taking the drugs together; keep the combination whole.
        if m is not None and "combination" in m.group(0).lower():
            target = "the combination of " + _drug_phrase(topic.drugs, False)
        else:
            target = _drug_phrase(topic.drugs, True)
        leftover = []
    elif new_drugs and m and _SINGULAR.fullmatch(m.group(0)):
        one = "naltrexone" if "naltrexone" in new_drugs else new_drugs[-1]
        target, leftover = one, [d for d in new_drugs if d != one]
    else:
        target, leftover = (_drug_phrase(new_drugs, False), []) if new_drugs else ("", [])
    if target and m:
        text = question[: m.start()] + target + question[m.end() :]
    elif target:
        extra.insert(0, target)
    extra = leftover + extra
    if not extra:
        return text
    body = text.rstrip().rstrip("?.!").rstrip()
    end = "?" if text.rstrip().endswith("?") else ""
    return f"{body} ({', '.join(extra)}){end}"


def resolve(question: str, history: Sequence[str] = ()) -> Resolution:
    """Carry the conversation's topic into ``question`` when it lacks one.

    ``history`` is the earlier user turns, oldest first; each is resolved in
    turn so a chain of follow-ups keeps the topic of the question that set it.
    """
    question = question.strip()
    topic: Optional[Topic] = None
    for turn in history:
        turn = turn.strip()
        if turn:
            _, topic = _step(turn, topic)
    return _step(question, topic)[0]
