"""Claim parsing for the contradiction rules: word lists, stemming, scopes, frames.

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

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- lexicons
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[.,;:!?()]")
_PUNCT = set(".,;:!?()")
_HARD_STOP = set(".;:!?")
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "thirty": 30}
_STOP = set("""a an the and or but if when while whereas unless during once of in on at to for from by with
without as is are was were be been being it its it's this that these those they them their there
which who whom what do does did have has had can could may might must should will would shall
not no never neither nor cannot any all some such so than then very more most less also even only
just still yet into about over after before between both each other your you we our us i he she
his her one two many much own same well like therefore however least kind thus furthermore
instead rather make makes made associated linked related""".split())
_NEGATORS = {"not", "no", "never", "neither", "nor", "cannot", "without"}
_DEONTIC = {"must", "should"}
_GENERIC = set("""effect us use treatment patient people individual study studies medication drug
medicine person brain body potential potentially typically significant significantly common
commonly help result role ability way part level risk""".split())
_DRUGS = ["naltrexone", "gabapentin", "benzodiazepine", "diazepam", "alprazolam"]
_SUBSTANCES = {"alcohol", "opioid"}  # subjects too, unless governed by a preposition
_PREPOSITIONS = {"with", "of", "on", "to", "from", "for", "in", "by", "and", "or"}
_SIDE_CUES = {"include", "includ", "like", "such", "are", "is", "involv"}
_SIDE_STOP = {"particularly", "especially", "when", "if", "with", "in", "while"}
_DECREASE = ["reduce", "reduction", "decrease", "decline", "lower", "lessen", "relief", "relieve",
             "alleviate", "quell", "mitigate", "diminish", "ameliorate", "attenuate", "inhibit",
             "suppress", "prevent", "fewer"]
_INCREASE = ["increase", "rise", "rose", "elevate", "enhance", "higher", "promote", "induce", "cause",
             "trigger", "worsen", "exacerbate", "raise", "boost", "greater", "stimulate", "occur"]
TOTAL = re.compile(r"\b(?:totally|completely|entirely|fully) block|\bblock\w* (?:any|all|every)\b"
                    r"|\bprevents? any\b|\buseless\b")
PARTIAL = re.compile(r"\bpartially\b|\bpartly\b|\bin part\b"
                      r"|\b(?:cannot|can't|not) (?:\w+ ){0,2}(?:their|its|the) full\b")
OCCURS = re.compile(r"\boverdose (?:may|can|could|might) occur")
HEDGE = re.compile(r"\b(?:unclear|unknown|uncertain)\b"
                    r"|\bnot (?:yet |fully |well |completely )?(?:understood|known|established)\b")
MODAL = re.compile(r"\b(?:may|might|could|possibly|potentially|presumably|perhaps|believed|suggests?"
                    r"|appears?|likely|probably|seems?)\b")
_COND = re.compile(r"\b(?:if|when|unless|while|during|in people who|by those who|by individuals|"
                   r"for those who|in patients)\b")
_QTY = re.compile(
    r"(?P<bound>at least|a minimum of|minimum of|no less than|more than|up to|at most)?\s*"
    r"\b(?P<n1>\d+(?:\.\d+)?|" + "|".join(_NUMBERS) + r")"
    r"(?:\s*(?:to|-|or)\s*(?P<n2>\d+(?:\.\d+)?|" + "|".join(_NUMBERS) + r"))?\s*"
    r"(?P<unit>hours?|days?|weeks?|months?|years?|percent|%|mg|milligrams?)(?P<age> of age| old)?")
_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
TAGS: dict[str, re.Pattern[str]] = {
    "concurrent": re.compile(r"while on naltrexone|concurrently with opioid|during (?:treatment|therapy)"
                             r" with naltrexone|taking an opioid|opioid response|opioid effect"),
    "waiting": re.compile(r"\bbefore (?:you )?start"),
    "mechanism": re.compile(r"\bmechanism\b|\b(?:works?|acts?|functions?|operates?) (?:\w+ )?(?:by|as)\b"),
    "mechanism-fact": re.compile(r"\b(?:works?|acts?|functions?|operates?) (?:\w+ )?(?:by|as)\b"),
    "anxiety": re.compile(r"\banxi"),
    "overdose": re.compile(r"\boverdose|\bantidote|\bpoisoning"),
    "withdrawal": re.compile(r"\bwithdrawal"),
    "dependence": re.compile(r"\baddict|\bhabituation|\bdependen"),
    "liver": re.compile(r"\bliver\b|\bhepato"),
    "side effects": re.compile(r"\bside effects?\b"),
    "cravings": re.compile(r"\bcraving"),
    "brand names": re.compile(r"\bbrand names?\b"),
}
TOPIC_LABELS = {
    "concurrent": "opioid use while on naltrexone", "waiting": "waiting period before starting",
    "mechanism": "mechanism of action", "anxiety": "anxiety", "overdose": "overdose",
    "withdrawal": "withdrawal", "dependence": "dependence and addiction", "liver": "liver damage",
    "side effects": "side effects", "cravings": "cravings", "brand names": "brand names",
}
# Cue pairs that can fire a signal without sharing any rare word: pairing
# builds candidates from these complements, not only from shared terms.
COMPLEMENTARY_CUES = (("total", "partial"), ("hedge", "mechanism-fact"))


def cues(text: str) -> frozenset[str]:
    """Signal cues present in a sentence (for candidate pairing)."""
    norm = analyze(text).norm
    found = set()
    if TOTAL.search(norm) and not PARTIAL.search(norm):
        found.add("total")
    if PARTIAL.search(norm) or OCCURS.search(norm):
        found.add("partial")
    if HEDGE.search(norm):
        found.add("hedge")
    if TAGS["mechanism-fact"].search(norm):
        found.add("mechanism-fact")
    return frozenset(found)


def stem(word: str) -> str:
    """Crude suffix stripping: enough to match 'blocks'/'blocking', 'cause'/'causes'."""
    w = word[:-2] if word.endswith("'s") else word
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
    elif w.endswith("es") and len(w) > 4:
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


_AGENTS = {stem(d) for d in _DRUGS}
_STOP_STEMS = _STOP | {stem(w) for w in _STOP}
_DEC = {stem(w) for w in _DECREASE}
_INC = {stem(w) for w in _INCREASE}


def _normalize(text: str) -> str:
    """Lower-case and fold synonyms so the same claim words compare equal."""
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    t = re.sub(r"\bopiate", "opioid", t)
    t = re.sub(r"\bopioid (?:receptor )?antagonists?\b", "naltrexone", t)
    t = re.sub(r"\b(?:tuning|turns?|turning) down\b", "reducing", t)
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
            if s in _SUBSTANCES:  # "alcohol abuse stimulates" yes; "patients with alcohol" no
                return not (j and self.raw[j - 1] in _PREPOSITIONS)
            return s in _AGENTS

        before = [j for j in range(i - 1, -1, -1) if is_agent(j)]
        if before:
            return self.stems[before[0]]
        after = [j for j in range(i + 1, len(self.stems)) if is_agent(j)]
        return self.stems[after[0]] if after else None


def is_key(s: str) -> bool:
    return len(s) > 2 and s not in _STOP_STEMS and s not in _GENERIC and s not in _AGENTS and not s.isdigit()


def _scopes(raw: list[str]) -> tuple[set[int], set[int]]:
    """Negated predicate positions and positions inside condition clauses."""
    negated: set[int] = set()
    for i, w in enumerate(raw):
        if i + 1 < len(raw) and raw[i + 1] in ("only", "just"):
            continue  # "not only used for X" adds a use, it negates nothing
        if w in _NEGATORS and not (i and raw[i - 1] in _DEONTIC):
            for j in range(i + 1, min(i + 5, len(raw))):
                if raw[j] in _PUNCT:
                    break
                if raw[j] in _STOP or raw[j].endswith("ly"):
                    continue
                negated.add(j)
                break
    cond: set[int] = set()
    text = " ".join(raw)
    for m in _COND.finditer(text):
        i = text[: m.start()].count(" ")
        for j in range(i, min(i + 12, len(raw))):
            if raw[j] in _PUNCT:
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
            if stems[j] in _SIDE_STOP or stems[j] in _HARD_STOP:
                break
            if is_key(stems[j]):
                out.append((side[0] + 1, j, 1))
    return out


def _quantities(norm: str) -> list[tuple[str, float, float, str]]:
    out = []
    for m in _QTY.finditer(norm):
        n1 = _NUMBERS.get(m["n1"]) or float(m["n1"])
        n2 = (_NUMBERS.get(m["n2"]) or float(m["n2"])) if m["n2"] else n1
        unit = m["unit"].rstrip("s")
        cls, factor = ("time", _DAYS[unit]) if unit in _DAYS else (unit.replace("%", "percent"), 1.0)
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
    raw = _TOKEN.findall(norm)
    stems = [stem(w) for w in raw]
    negated, cond = _scopes(raw)
    c = Claim(norm, tuple(raw), tuple(stems), frozenset(negated), frozenset(cond),
              frozenset(s for s in stems if is_key(s)),
              frozenset(t for t, rx in TAGS.items() if rx.search(norm)),
              frozenset(s for s in stems if s in _AGENTS), (), tuple(_quantities(norm)))
    effects = tuple(
        (stems[j], raw[j], d, "side effects" if stems[i] == "effect" else raw[i], c.agent_at(i))
        for i, j, d in _effects(raw, stems, negated, norm)
    )
    return Claim(**{**c.__dict__, "effects": effects})
