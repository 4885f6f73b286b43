"""The rule detector: compares two parsed claims and names the signal that fired.

Why rules: every flag must name a signal a reader can check by looking at the
two quotes (a negated predicate, opposite effects, a different number, a hedge
against a flat statement).  Learned and NLI detectors plug in through the
:class:`~.base.Detector` protocol; this one is the offline default.  Sentence
parsing lives in :mod:`.claims`; this module compares two parsed sentences.

Precision matters more than recall here: a false "sources disagree" banner on a
difference of *condition* ("withdrawal if dependent" vs. "no withdrawal if not
dependent") is the failure users hate most, so those are detected and suppressed.
"""

from __future__ import annotations

import logging
from typing import Optional, Sequence

from .base import Judgement
from .claims import DETAIL_HEDGE, HEDGE, MODAL, OCCURS, PARTIAL, RANGE, TOTAL, Claim, analyze, is_key

log = logging.getLogger(__name__)

HIGH_SIGNALS = {"opposite-effects", "extent", "negation"}


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


def _in_order(x: Claim, a: Claim, first: str, second: str) -> tuple[str, str]:
    """Quotes in the order of the pair (a, b), whichever of the two ``x`` is."""
    return (first, second) if x is a else (second, first)


def extent_mismatch(a: Claim, b: Claim) -> str:
    """Total vs. partial: 'totally block' vs. 'partially reverse' / 'X may occur'.

    A range that includes the total ("partially or completely reverse") does not
    contradict a total effect: it allows it.
    """
    if not (a.keys & b.keys):
        return ""
    for x, y in ((a, b), (b, a)):
        total = TOTAL.search(x.norm)
        if total and not PARTIAL.search(x.norm):
            partial = PARTIAL.search(y.norm) if not RANGE.search(y.norm) else None
            other = partial or OCCURS.search(y.norm)
            if other:
                p, q = _in_order(x, a, total.group(0), other.group(0))
                kind = "total vs. partial effect" if x is a else "partial vs. total effect"
                return f"{kind} ('{p}' vs. '{q}')"
    return ""


def _objects(c: Claim, i: int) -> set[str]:
    return {c.stems[j] for j in range(i + 1, min(i + 7, len(c.stems))) if is_key(c.stems[j])}


def polarity_mismatch(a: Claim, b: Claim) -> str:
    """The same predicate, about the same object, negated in only one sentence."""
    for x, y in ((a, b), (b, a)):
        for i in sorted(x.negated - x.cond):
            p = x.stems[i]
            if not is_key(p):
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
            if not is_key(t) or t in ("opioid", "alcohol"):
                continue
            for j, s in enumerate(y.stems):
                if s == t and (i in x.negated) != (j in y.negated):
                    plain, negated = (x.raw[i], f"not {x.raw[i]}")
                    first, second = (negated, plain) if i in x.negated else (plain, negated)
                    p, q = _in_order(x, a, first, second)
                    return f"'{p}' vs. '{q}'"
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
    """One source calls something unclear that the other states flatly as fact.

    A hedge on the details ("the exact mechanism is unclear", "not fully
    understood") is compatible with a plain statement of what something is or
    does: the hedging source usually says the same plain thing elsewhere.
    """
    for h, f in ((a, b), (b, a)):
        hedge = HEDGE.search(h.norm)
        if not hedge or HEDGE.search(f.norm) or MODAL.search(f.norm) or DETAIL_HEDGE.search(h.norm):
            continue
        if h.agents != f.agents and not (h.agents & f.agents):
            continue
        if not (h.agents & f.agents) and len(h.keys & f.keys) < 2:
            continue
        shared = (h.tags & f.tags) or (h.keys & f.keys if len(h.keys & f.keys) >= 2 else set())
        if "mechanism" in h.tags and "mechanism-fact" not in f.tags:
            continue  # "the mechanism of X" alone states no mechanism as fact
        if shared:
            p, q = _in_order(h, a, hedge.group(0), "stated as fact")
            return f"certainty differs ('{p}' vs. {q})" if h is a else f"certainty differs ({p} vs. '{q}')"
    return ""


# Base confidence of each signal: direct contradictions outrank differences
# in numbers or certainty (the severity order).
SIGNAL_SCORE = {
    "opposite-effects": 0.9,
    "extent": 0.88,
    "negation": 0.85,
    "quantity": 0.7,
    "certainty": 0.65,
}


def relatedness(a: Claim, b: Claim) -> float:
    """Topical overlap in [0, 1]: shared key terms and concept tags."""
    keys = len(a.keys & b.keys) / max(1, min(len(a.keys), len(b.keys)))
    tags = 1.0 if a.tags & b.tags else 0.0
    return min(1.0, 0.7 * keys + 0.3 * tags)


class RuleDetector:
    """Default offline detector; ``related_threshold`` splits agreement/unrelated."""

    name = "rules"
    version = "rules-2"

    def __init__(self, related_threshold: float = 0.25) -> None:
        self.related_threshold = related_threshold

    def judge_many(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]:
        return [self.judge(a, b) for a, b in pairs]

    def judge(self, a: str, b: str) -> Judgement:
        ca, cb = analyze(a), analyze(b)
        related = relatedness(ca, cb)
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
                return Judgement(
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
            return Judgement("contradiction", round(score, 4), signal, severity, why)
        if related >= self.related_threshold:
            return Judgement(
                "agreement", round(related, 4), "shared-terms", "none", "same topic, no conflicting signal"
            )
        return Judgement("unrelated", round(related, 4), "none", "none", "little topical overlap")
