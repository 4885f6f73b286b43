"""What a pronoun, "that combination" or "the second one" stands for in earlier turns.

Kept apart from the resolver so the rules for picking a referent (the most
recent compatible thing; a shot or a study before the drug it is about; the
pair of drugs when they were asked about together) read on one page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..text import STOPWORDS
from .mentions import ORDINALS, Mention, mentions, names

_COMBINATION = re.compile(
    r"\b(?:together|combin\w*|mix\w*|with|while|alongside|plus|interact\w*|both|on top)\b", re.IGNORECASE
)
_PLURAL = re.compile(r"\b(?:they|them|these|those|both|the two|(?:these|those) \w+s)\b", re.IGNORECASE)
_MODIFIERS = re.compile(r"((?:[A-Za-z'-]+\s+){0,2})$")
_DETERMINERS = frozenset("the that this a an some my his her their your our its one".split())
_REFERABLE = {"it": ("form", "study", "test", "drug"), "plural": ("drug", "condition", "form", "study")}
# A pronoun after a clause break may stand for a thing its own question named first ("benzos, what do
# they do?"); within one clause the thing is the pronoun's subject, not what it stands for.
_CLAUSE_BREAK = re.compile(r"[,;:\u2013\u2014-]|\b(?:and|but|so)\b", re.IGNORECASE)
# "for alcohol": what the subject is used for, not the subject.
_PURPOSE = re.compile(r"\bfor\s+(?:the\s+)?$", re.IGNORECASE)
_KIND_PRIORITY = {"form": 4, "study": 3, "test": 3, "place": 2, "drug": 1, "condition": 0}
# What may stand between two alternatives: "X and Y", "X or the Y", "X, Y", "one with X and one with Y".
_JOINED = re.compile(
    r"\s*(?:,|\band\b|\bor\b|\bvs\.?|\bversus\b|/|&|\+)(?:\s*(?:and|or)\b)?\s*"
    r"(?:(?:the\s+)?(?:one\s+)?(?:with|on|in|about|from|of|at)\s+|(?:the|a|an)\s+)?",
    re.IGNORECASE,
)
# Words that end a thing's modifiers ("a jab rather than tablets": "jab" does not modify "tablets").
_LINKS = frozenset("rather than instead or and not vs versus nor but".split())
# A thing set aside in favour of another ("rather than tablets", "instead of the pills") is not what "it" means.
_SET_ASIDE = re.compile(r"\b(?:rather than|instead of|not|than)\s+(?:the\s+|a\s+|an\s+)?$", re.IGNORECASE)
_SUBJECT = "naltrexone"  # said with other drugs and no combination word, it is still what "it" means


@dataclass
class Turn:
    """A resolved turn: what it says (own words and carried), and the things it is about."""

    text: str
    resolved: str
    things: list[Mention]
    drugs: list[str]
    conditions: list[str]
    combination: bool


def make_turn(text: str, resolved: str) -> Turn:
    things = mentions(resolved)
    drugs = names(things, "drug")
    return Turn(
        text,
        resolved,
        things,
        drugs,
        names(things, "condition"),
        len(drugs) >= 2 and bool(_COMBINATION.search(resolved)),
    )


def phrase(m: Mention, turn: Turn) -> str:
    """How to write a thing out again, with its modifiers: "the Australian study", "the naltrexone shot"."""
    before = _MODIFIERS.search(turn.resolved[: m.start])
    words_before = before.group(1).split() if before else []
    for i in range(len(words_before) - 1, -1, -1):
        if words_before[i].lower() in _LINKS:
            words_before = words_before[i + 1 :]
            break
    mods = [w for w in words_before if w.lower() not in _DETERMINERS and w.lower() not in STOPWORDS and "'" not in w]
    mods = mods[-2:] if m.kind in ("form", "study", "test") else []
    words = " ".join(mods + [m.surface])
    if m.kind in ("form", "study") and turn.drugs and not any(d in words.lower() for d in turn.drugs):
        drug = _SUBJECT if _SUBJECT in turn.drugs else turn.drugs[0]
        words = f"{drug} {words}" if m.kind == "form" else f"{words} on {drug}"
    if m.kind == "place" and any(t.kind == "study" for t in turn.things):
        words = f"{words} study"
    return f"the {words}" if m.kind in ("form", "study", "test") or words.endswith(" study") else words


def drug_phrase(turn: Turn) -> str:
    drugs = turn.drugs
    if len(drugs) == 1:
        return drugs[0]
    joined = ", ".join(drugs[:-1]) + " and " + drugs[-1]
    return f"{joined} together" if turn.combination else joined


def plural_referent(turns: list[Turn]) -> tuple[str, Optional[Turn]]:
    """ "them" / "those drugs": a thing named in the plural ("benzos", "liver numbers"), else the drug pair."""
    for turn in reversed(turns):
        plural = [
            m
            for m in turn.things
            if m.kind in _REFERABLE["plural"]
            and m.surface.lower().endswith("s")
            and m.name not in ("side effects", "cravings")
        ]
        if plural:
            best = plural[-1]
            return (best.surface if best.kind in ("drug", "condition") else phrase(best, turn)), turn
        if len(turn.drugs) >= 2:
            return drug_phrase(turn), turn
    # "what is gabapentin?", "and naltrexone?", "do they interact?": one drug in each of the last two turns.
    drugs = list(dict.fromkeys(d for turn in turns[-2:] for d in turn.drugs))
    if len(drugs) >= 2:
        return " and ".join(drugs), turns[-1]
    return "", None


def referent(question: str, m: re.Match[str], own: list[Mention], turns: list[Turn]) -> tuple[str, Optional[Turn]]:
    """What the pronoun (or "that combination", "those drugs") ``m`` stands for, and the turn that named it."""
    word = m.group(0).lower()
    plural = bool(_PLURAL.fullmatch(word)) or word.endswith("s") and word.split()[0] in ("these", "those")
    earlier_own = [
        x
        for x in own
        if x.end <= m.start()
        and x.kind in _REFERABLE["it"]
        and (not plural or x.surface.lower().endswith("s"))
        and _CLAUSE_BREAK.search(question[x.end : m.start()])
        and not _PURPOSE.search(question[: x.start])
    ]  # "benzos, what do they ...": benzos; not "how does naltrexone break it?" (its own subject),
    # nor "what about for alcohol, what's it meant to do?" (what it is for), nor "naltrexone ... with them"
    if earlier_own:
        x = earlier_own[-1]
        return (x.surface if x.kind == "drug" else f"the {x.surface}"), None
    if "combination" in word or "two" in word or word == "both of them":
        for turn in reversed(turns):
            if len(turn.drugs) >= 2:
                return "the combination of " + drug_phrase(turn).replace(" together", ""), turn
    if plural:
        return plural_referent(turns)
    for turn in reversed(turns):
        if turn.combination and len(turn.drugs) >= 2:
            return drug_phrase(turn), turn
        ranked = sorted(
            (x for x in turn.things if x.kind in _REFERABLE["it"] and not _SET_ASIDE.search(turn.resolved[: x.start])),
            key=lambda x: (_KIND_PRIORITY[x.kind], x.start),
        )
        if ranked:
            best = ranked[-1]
            if best.kind == "drug" and _SUBJECT in turn.drugs:
                return _SUBJECT, turn
            return phrase(best, turn), turn
    return "", None


def alternatives(turn: Turn) -> list[Mention]:
    """The last list of things of one kind the turn gives as alternatives: "alprazolam and diazepam",
    "MS or fibromyalgia", "one in Oslo and one in Leeds" (joined by and / or / vs / commas)."""
    best: list[Mention] = []
    chain: list[Mention] = []
    for x in turn.things:
        if chain and x.kind == chain[-1].kind and _JOINED.fullmatch(turn.resolved[chain[-1].end : x.start]):
            chain.append(x)
        else:
            chain = [x]
        if len({c.surface.lower() for c in chain}) >= 2:
            best = list(chain)
    # "benzos, one with alprazolam and one with diazepam": the class named first is not an alternative.
    while len(best) > 2 and best[0].name == best[1].name and best[0].surface.lower().endswith("s"):
        best = best[1:]
    return best


def _ordinal_phrase(pick: Mention, turn: Turn) -> str:
    if pick.kind in ("drug", "condition"):
        studied = any(t.kind == "study" for t in turn.things)
        return f"the {pick.surface} study" if studied and pick.kind == "drug" else pick.surface
    return phrase(pick, turn)


def ordinal(m: re.Match[str], turns: list[Turn]) -> tuple[str, Optional[Turn]]:
    """What "the first one" / "the second one" / "the other one" picks: from the most recent turn that
    listed alternatives, else from the most recent that named several things of one kind."""
    index = ORDINALS[next(g for g in m.groups() if g).lower()]
    for turn in reversed(turns):
        listed = alternatives(turn)
        if listed:
            return _ordinal_phrase(listed[index] if index >= 0 else listed[-1], turn), turn
        for kind in ("drug", "place", "study", "form", "condition"):
            distinct = list({t.name: t for t in turn.things if t.kind == kind}.values())
            if len(distinct) >= 2:
                pick = distinct[index] if index >= 0 else distinct[-1]
                return _ordinal_phrase(pick, turn), turn
    return "", None
