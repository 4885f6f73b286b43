"""Claim parsing for the rule detector: scopes, effect frames, quantities, concept tags.

Why a module of its own: parsing one sentence (negation and condition scopes,
increase/decrease frames, quantities, concept tags) is independent of how two
parsed sentences are compared, and it is shared by the rule detector, the
conflict map's candidate pairing (``cues``) and the learned detector's
indicator features.  Everything here is deterministic and cached per text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from ..text import FUNCTION_WORDS
from ..text import inflection_stem as stem
from .lexicon import (
    COMPLEMENTARY_CUES,
    COND,
    DAYS,
    DECREASE,
    DEONTIC,
    DETAIL_HEDGE,
    DRUG_STEMS,
    GENERIC,
    HARD_STOP,
    HEDGE,
    INCREASE,
    MODAL,
    NEGATORS,
    NUMBERS,
    OCCURS,
    PARTIAL,
    PREPOSITIONS,
    PUNCT,
    QTY,
    RANGE,
    SIDE_CUES,
    SIDE_STOP,
    SUBSTANCES,
    TAGS,
    TOKEN,
    TOTAL,
)

__all__ = [
    "COMPLEMENTARY_CUES",
    "DETAIL_HEDGE",
    "HEDGE",
    "MODAL",
    "OCCURS",
    "PARTIAL",
    "RANGE",
    "TAGS",
    "TOTAL",
    "Claim",
    "analyze",
    "cues",
    "is_drug",
    "is_key",
]

log = logging.getLogger(__name__)


def cues(text: str) -> frozenset[str]:
    """Signal cues present in a sentence (for candidate pairing)."""
    norm = analyze(text).norm
    found = set()
    if TOTAL.search(norm) and not PARTIAL.search(norm):
        found.add("total")
    if (PARTIAL.search(norm) and not RANGE.search(norm)) or OCCURS.search(norm):
        found.add("partial")
    if HEDGE.search(norm):
        found.add("hedge")
    if TAGS["mechanism-fact"].search(norm):
        found.add("mechanism-fact")
    return frozenset(found)


_STOP_STEMS = FUNCTION_WORDS | {stem(w) for w in FUNCTION_WORDS}
_GENERIC = GENERIC
_DEC = {stem(w) for w in DECREASE}
_INC = {stem(w) for w in INCREASE}
_SIDE_CUES = SIDE_CUES


def is_drug(word: str) -> bool:
    """Whether a lower-cased word is a drug name by its INN stem ("naltrexone", "alprazolam")."""
    return bool(DRUG_STEMS.match(word) or DRUG_STEMS.match(word + "e"))


def _normalize(text: str) -> str:
    """Lower-case and fold spelling variants so the same claim words compare equal."""
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    t = re.sub(r"\bopiate", "opioid", t)
    t = re.sub(r"\b(?:tun|turn)(?:e|es|ed|ing|s)? down\b", "reducing", t)
    t = re.sub(r"\b(\w+)n't\b", r"\1 not", t)
    return t.replace("can not", "cannot").replace("-", " ")


@dataclass(frozen=True)
class Claim:
    """Everything the rules need about one sentence, computed once."""

    norm: str
    raw: tuple[str, ...]
    stems: tuple[str, ...]
    negated: frozenset[int]
    cond: frozenset[int]
    keys: frozenset[str]
    tags: frozenset[str]
    agents: frozenset[str]
    effects: tuple[tuple[str, str, int, str, Optional[str]], ...]  # obj, obj raw, +1/-1, verb, agent
    quantities: tuple[tuple[str, float, float, str], ...]  # unit class, lo, hi, surface

    def agent_at(self, i: int) -> Optional[str]:
        """Nearest drug named before token i (else after): who the predicate is about."""

        def is_agent(j: int) -> bool:
            s = self.stems[j]
            if s in SUBSTANCES:  # "alcohol abuse stimulates" yes; "patients with alcohol" no
                return not (j and self.raw[j - 1] in PREPOSITIONS)
            return is_drug(self.stems[j])

        before = [j for j in range(i - 1, -1, -1) if is_agent(j)]
        if before:
            return self.stems[before[0]]
        after = [j for j in range(i + 1, len(self.stems)) if is_agent(j)]
        return self.stems[after[0]] if after else None


def is_key(s: str) -> bool:
    """A content stem that can carry a claim's topic (not a function word, generic noun or drug name)."""
    return len(s) > 2 and s not in _STOP_STEMS and s not in _GENERIC and not is_drug(s) and not s.isdigit()


def _scopes(raw: list[str]) -> tuple[set[int], set[int]]:
    """Negated predicate positions and positions inside condition clauses."""
    negated: set[int] = set()
    for i, w in enumerate(raw):
        if i + 1 < len(raw) and raw[i + 1] in ("only", "just"):
            continue  # "not only used for X" adds a use, it negates nothing
        if w in NEGATORS and not (i and raw[i - 1] in DEONTIC):
            for j in range(i + 1, min(i + 5, len(raw))):
                if raw[j] in PUNCT:
                    break
                if raw[j] in FUNCTION_WORDS or raw[j].endswith("ly"):
                    continue
                negated.add(j)
                break
    cond: set[int] = set()
    text = " ".join(raw)
    for m in COND.finditer(text):
        i = text[: m.start()].count(" ")
        for j in range(i, min(i + 12, len(raw))):
            if raw[j] in PUNCT:
                break
            cond.add(j)
    return negated, cond


def _effects(c_raw: list[str], stems: list[str], negated: set[int], norm: str) -> list[tuple[int, int, int]]:
    """(verb index, object index, direction) for increase/decrease frames."""
    out: list[tuple[int, int, int]] = []
    for i, s in enumerate(stems):
        direction = 1 if s in _INC else -1 if s in _DEC else 0
        if not direction or i in negated:
            continue
        if s == "occur":  # "X may occur": object precedes the verb
            span = range(max(0, i - 4), i)
        else:
            span = range(i + 1, min(i + 6, len(stems)))
        objs = [j for j in span if is_key(stems[j])]
        if i and is_key(stems[i - 1]) and direction < 0:
            objs.append(i - 1)  # compounds like "anxiety-alleviating" (not "opiate-induced")
        out.extend((i, j, direction) for j in objs if stems[j] not in _INC | _DEC)
    side = [i for i in range(len(stems) - 1) if stems[i] == "side" and stems[i + 1] == "effect"]
    if side:  # "side effects ... include A, B and C": each listed item is caused
        cues = [j for j in range(side[0] + 2, min(side[0] + 10, len(stems))) if stems[j] in _SIDE_CUES]
        for j in range(cues[0] + 1 if cues else len(stems), len(stems)):
            if stems[j] in SIDE_STOP or stems[j] in HARD_STOP:
                break
            if is_key(stems[j]):
                out.append((side[0] + 1, j, 1))
    return out


def _quantities(norm: str) -> list[tuple[str, float, float, str]]:
    out = []
    for m in QTY.finditer(norm):
        n1 = NUMBERS.get(m["n1"]) or float(m["n1"])
        n2 = (NUMBERS.get(m["n2"]) or float(m["n2"])) if m["n2"] else n1
        unit = m["unit"].rstrip("s")
        cls, factor = ("time", DAYS[unit]) if unit in DAYS else (unit.replace("%", "percent"), 1.0)
        if m["age"]:
            cls = "age"
        # Compare the stated numbers, not the implied intervals: "a minimum of
        # seven to ten days" and "at least one week" state different minimums.
        out.append((cls, n1 * factor, n2 * factor, m.group(0).strip()))
    return out


@lru_cache(maxsize=20000)
def analyze(text: str) -> Claim:
    """Parse one sentence into the features the signals compare (cached)."""
    norm = _normalize(text)
    raw = TOKEN.findall(norm)
    stems = [stem(w) for w in raw]
    negated, cond = _scopes(raw)
    c = Claim(
        norm,
        tuple(raw),
        tuple(stems),
        frozenset(negated),
        frozenset(cond),
        frozenset(s for s in stems if is_key(s)),
        frozenset(t for t, rx in TAGS.items() if rx.search(norm)),
        frozenset(s for s in stems if is_drug(s)),
        (),
        tuple(_quantities(norm)),
    )
    effects = tuple(
        (stems[j], raw[j], d, "side effects" if stems[i] == "effect" else raw[i], c.agent_at(i))
        for i, j, d in _effects(raw, stems, negated, norm)
    )
    return Claim(**{**c.__dict__, "effects": effects})
