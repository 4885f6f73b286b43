"""Rule-based contradiction detector for pairs of claims.

Why rules: every flag must name a signal a reader can check by looking at the
two quotes (a negated predicate, opposite effects, a different number, a hedge
against a flat statement).  A learned or NLI backend can be plugged in through
the :class:`Detector` protocol; this one is the offline default.

Precision matters more than recall here: a false "sources disagree" banner on a
difference of *condition* ("withdrawal if dependent" vs. "no withdrawal if not
dependent") is the failure users hate most, so those are detected and suppressed.
"""

from __future__ import annotations

import logging
from typing import Iterable, NamedTuple, Optional, Protocol, runtime_checkable

import re
from dataclasses import dataclass
from functools import lru_cache

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
_TOTAL = re.compile(r"\b(?:totally|completely|entirely|fully) block|\bblock\w* (?:any|all|every)\b"
                    r"|\bprevents? any\b|\buseless\b")
_PARTIAL = re.compile(r"\bpartially\b|\bpartly\b|\bin part\b"
                      r"|\b(?:cannot|can't|not) (?:\w+ ){0,2}(?:their|its|the) full\b")
_OCCURS = re.compile(r"\boverdose (?:may|can|could|might) occur")
_HEDGE = re.compile(r"\b(?:unclear|unknown|uncertain)\b"
                    r"|\bnot (?:yet |fully |well |completely )?(?:understood|known|established)\b")
_MODAL = re.compile(r"\b(?:may|might|could|possibly|potentially|presumably|perhaps|believed|suggests?"
                    r"|appears?|likely|probably|seems?)\b")
_COND = re.compile(r"\b(?:if|when|unless|while|during|in people who|by those who|by individuals|"
                   r"for those who|in patients)\b")
_QTY = re.compile(
    r"(?P<bound>at least|a minimum of|minimum of|no less than|more than|up to|at most)?\s*"
    r"\b(?P<n1>\d+(?:\.\d+)?|" + "|".join(_NUMBERS) + r")"
    r"(?:\s*(?:to|-|or)\s*(?P<n2>\d+(?:\.\d+)?|" + "|".join(_NUMBERS) + r"))?\s*"
    r"(?P<unit>hours?|days?|weeks?|months?|years?|percent|%|mg|milligrams?)(?P<age> of age| old)?")
_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
_TAGS: dict[str, re.Pattern[str]] = {
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
HIGH_SIGNALS = {"opposite-effects", "extent", "negation"}
# Cue pairs that can fire a signal without sharing any rare word: pairing
# builds candidates from these complements, not only from shared terms.
COMPLEMENTARY_CUES = (("total", "partial"), ("hedge", "mechanism-fact"))


def cues(text: str) -> frozenset[str]:
    """Signal cues present in a sentence (for candidate pairing)."""
    norm = analyze(text).norm
    found = set()
    if _TOTAL.search(norm) and not _PARTIAL.search(norm):
        found.add("total")
    if _PARTIAL.search(norm) or _OCCURS.search(norm):
        found.add("partial")
    if _HEDGE.search(norm):
        found.add("hedge")
    if _TAGS["mechanism-fact"].search(norm):
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


def _is_key(s: str) -> bool:
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
        objs = [j for j in span if _is_key(stems[j])]
        if i and _is_key(stems[i - 1]) and direction < 0:
            objs.append(i - 1)  # compounds like "anxiety-alleviating" (not "opiate-induced")
        out.extend((i, j, direction) for j in objs if stems[j] not in _INC | _DEC)
    side = [i for i in range(len(stems) - 1) if stems[i] == "side" and stems[i + 1] == "effect"]
    if side:  # "side effects ... include A, B and C": each listed item is caused
        cues = [j for j in range(side[0] + 2, min(side[0] + 10, len(stems))) if stems[j] in _SIDE_CUES]
        for j in range(cues[0] + 1 if cues else len(stems), len(stems)):
            if stems[j] in _SIDE_STOP or stems[j] in _HARD_STOP:
                break
            if _is_key(stems[j]):
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
              frozenset(s for s in stems if _is_key(s)),
              frozenset(t for t, rx in _TAGS.items() if rx.search(norm)),
              frozenset(s for s in stems if s in _AGENTS), (), tuple(_quantities(norm)))
    effects = tuple(
        (stems[j], raw[j], d, "side effects" if stems[i] == "effect" else raw[i], c.agent_at(i))
        for i, j, d in _effects(raw, stems, negated, norm)
    )
    return Claim(**{**c.__dict__, "effects": effects})

# ----------------------------------------------------------------- signals
def _compatible(x: Optional[str], y: Optional[str]) -> bool:
    """Same drug, or neither names one (generic text): a gabapentin claim never refutes a naltrexone one."""
    return x == y


def opposite_effects(a: Claim, b: Claim) -> str:
    """One says it raises/causes X, the other that it lowers/relieves X."""
    for obj, obj_raw, da, va, ga in a.effects:
        for obj2, _, db, vb, gb in b.effects:
            if obj == obj2 and da != db and _compatible(ga, gb):
                return f"opposite effects on '{obj_raw}' ('{va}' vs. '{vb}')"
    return ""


def extent_mismatch(a: Claim, b: Claim) -> str:
    """Total vs. partial: 'totally block' vs. 'partially reverse' / 'overdose may occur'."""
    if not (a.keys & b.keys):
        return ""
    for x, y in ((a, b), (b, a)):
        total = _TOTAL.search(x.norm)
        if total and not _PARTIAL.search(x.norm):
            other = _PARTIAL.search(y.norm) or _OCCURS.search(y.norm)
            if other:
                return f"total vs. partial effect ('{total.group(0)}' vs. '{other.group(0)}')"
    return ""


def _objects(c: Claim, i: int) -> set[str]:
    return {c.stems[j] for j in range(i + 1, min(i + 7, len(c.stems))) if _is_key(c.stems[j])}


def polarity_mismatch(a: Claim, b: Claim) -> str:
    """The same predicate, about the same object, negated in only one sentence."""
    for x, y in ((a, b), (b, a)):
        for i in sorted(x.negated - x.cond):
            p = x.stems[i]
            if not _is_key(p):
                continue
            for j, s in enumerate(y.stems):
                if s != p or j in y.negated or j in y.cond:
                    continue
                shared = (_objects(x, i) & _objects(y, j)) - {p}
                if shared and _compatible(x.agent_at(i), y.agent_at(j)):
                    return f"negation of '{x.raw[i]}' about '{sorted(shared)[0]}' in only one source"
    return ""


def condition_difference(a: Claim, b: Claim) -> str:
    """A term inside one sentence's condition clause has the opposite polarity in the other."""
    for x, y in ((a, b), (b, a)):
        for i in sorted(x.cond):
            t = x.stems[i]
            if not _is_key(t) or t in ("opioid", "alcohol"):
                continue
            for j, s in enumerate(y.stems):
                if s == t and (i in x.negated) != (j in y.negated):
                    return f"'{x.raw[i]}' vs. 'not {x.raw[i]}'" if j in y.negated else f"'not {x.raw[i]}' vs. '{x.raw[i]}'"
    return ""


def quantity_mismatch(a: Claim, b: Claim) -> str:
    """Different amounts of the same kind (durations, doses) in sentences on the same attribute."""
    if len(a.keys & b.keys) < 2 and not (a.tags & b.tags - {"side effects"}):
        return ""
    for ca, la, ha, sa in a.quantities:
        for cb, lb, hb, sb in b.quantities:
            if ca == cb and ca != "age" and (la, ha) != (lb, hb):
                return f"different quantity ('{sa}' vs. '{sb}')"
    return ""


def certainty_mismatch(a: Claim, b: Claim) -> str:
    """One source calls something unclear that the other states flatly as fact."""
    for h, f in ((a, b), (b, a)):
        hedge = _HEDGE.search(h.norm)
        if not hedge or _HEDGE.search(f.norm) or _MODAL.search(f.norm):
            continue
        if h.agents != f.agents and not (h.agents & f.agents):
            continue
        if not (h.agents & f.agents) and len(h.keys & f.keys) < 2:
            continue
        shared = (h.tags & f.tags) or (h.keys & f.keys if len(h.keys & f.keys) >= 2 else set())
        if "mechanism" in h.tags and "mechanism-fact" not in f.tags:
            continue  # "the mechanism of X" alone states no mechanism as fact
        if shared:
            what = TOPIC_LABELS.get(sorted(shared)[0], sorted(shared)[0])
            return f"certainty differs on {what} ('{hedge.group(0)}' vs. stated as fact)"
    return ""


def topic_for(a: str, b: str, signal: str = "") -> str:
    """Short fixed topic label from the shared concept tags / key terms of a pair."""
    ca, cb = analyze(a), analyze(b)
    shared = ca.tags & cb.tags
    if signal == "extent" or "concurrent" in ca.tags | cb.tags and signal in ("extent", "opposite-effects"):
        if "anxiety" not in shared:
            return TOPIC_LABELS["concurrent"]
    if signal == "quantity" and "waiting" in shared:
        return TOPIC_LABELS["waiting"]
    if signal == "certainty" and "mechanism" in shared:
        return TOPIC_LABELS["mechanism"]
    if signal == "opposite-effects":
        for obj, obj_raw, *_ in ca.effects:
            if any(obj == o for o, *_ in cb.effects):
                tag = next((t for t, rx in _TAGS.items() if rx.search(obj_raw)), None)
                return TOPIC_LABELS[tag] if tag else obj_raw
    for tag, label in TOPIC_LABELS.items():
        if tag in shared:
            return label
    common = sorted(ca.keys & cb.keys, key=lambda k: (-len(k), k))
    return common[0] if common else "other"


Label = str  # "contradiction" | "agreement" | "unrelated"

SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1, "none": 0}

# Base confidence of each signal: direct contradictions outrank differences
# in numbers or certainty (the severity order).
SIGNAL_SCORE = {
    "opposite-effects": 0.9,
    "extent": 0.88,
    "negation": 0.85,
    "quantity": 0.7,
    "certainty": 0.65,
}


class PairJudgement(NamedTuple):
    """What a detector says about one pair; ``signal`` names the rule that fired."""

    label: Label
    score: float
    signal: str
    severity: str
    explanation: str


@runtime_checkable
class Detector(Protocol):
    """Anything that labels a pair of sentences; lets NLI replace the rules."""

    name: str

    def classify(self, a: str, b: str) -> PairJudgement: ...


def classify_many(detector: Detector, pairs: Iterable[tuple[str, str]]) -> list[PairJudgement]:
    """Batch through ``detector.classify_many`` when it exists (NLI batches)."""
    pairs = list(pairs)
    batch = getattr(detector, "classify_many", None)
    if callable(batch):
        return list(batch(pairs))
    return [detector.classify(a, b) for a, b in pairs]


def _related(a: Claim, b: Claim) -> float:
    """Topical overlap in [0, 1]: shared key terms and concept tags."""
    keys = len(a.keys & b.keys) / max(1, min(len(a.keys), len(b.keys)))
    tags = 1.0 if a.tags & b.tags else 0.0
    return min(1.0, 0.7 * keys + 0.3 * tags)


class RuleDetector:
    """Default offline detector; ``related_threshold`` splits agreement/unrelated."""

    name = "rules"

    def __init__(self, related_threshold: float = 0.25) -> None:
        self.related_threshold = related_threshold

    def classify(self, a: str, b: str) -> PairJudgement:
        ca, cb = analyze(a), analyze(b)
        related = _related(ca, cb)
        fired: list[tuple[str, str]] = []
        for signal, check in (
            ("opposite-effects", opposite_effects),
            ("extent", extent_mismatch),
            ("negation", polarity_mismatch),
        ):
            why = check(ca, cb)
            if why:
                fired.append((signal, why))
        if fired:
            cond = condition_difference(ca, cb)
            if cond:
                # A difference of condition is compatible, not a disagreement.
                return PairJudgement(
                    "agreement",
                    round(max(related, 0.5), 4),
                    "condition-difference",
                    "none",
                    f"different conditions ({cond}); not a contradiction",
                )
        for signal, check in (("quantity", quantity_mismatch), ("certainty", certainty_mismatch)):
            why = check(ca, cb)
            if why:
                fired.append((signal, why))
        if fired:
            signal, why = max(fired, key=lambda f: SIGNAL_SCORE[f[0]])
            severity = "high" if signal in HIGH_SIGNALS else "medium"
            score = min(1.0, SIGNAL_SCORE[signal] + 0.1 * related)
            return PairJudgement("contradiction", round(score, 4), signal, severity, why)
        if related >= self.related_threshold:
            return PairJudgement(
                "agreement", round(related, 4), "shared-terms", "none", "same topic, no conflicting signal"
            )
        return PairJudgement("unrelated", round(related, 4), "none", "none", "little topical overlap")


def get_detector(name: str = "rules", model: Optional[str] = None) -> Detector:
    """Pick a detector by name; the NLI backend is imported only when asked for."""
    if name == "rules":
        return RuleDetector()
    if name == "nli":
        from .nli import DEFAULT_NLI_MODEL, NLIDetector

        return NLIDetector(model or DEFAULT_NLI_MODEL)
    raise ValueError(f"unknown detector {name!r} (choose rules or nli)")
