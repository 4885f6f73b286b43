"""The answer/abstain decision: a logistic function of question-level signals.

Signals: how well the best candidate scores and how far it stands out; its
learned relevance when a reranker is loaded; how close the question is to
what the corpus is about; how far the nearest sentence stands out from the
next 25; how much of what the user asked about no article mentions at all
(after consumer words are mapped to clinical ones, so "the jab" is known and
"semaglutide" is not; a name the articles use is never unknown); and whether
the kind of thing asked for (a number, a name...) is missing from the best
candidates; and, when an answerability head is shipped, how likely questions
like this one are answered by the articles at all (``prior``, from the
question's vector: see ``heads``), and how close the question is to the
nearest training question its candidates answer (``bank``). The coefficients
are fitted by ``naltrexone-qa calibrate`` on the dev split plus
``evals/calibration.jsonl`` and shipped as ``calibration.json``;
``AnswerSettings.calibration`` can name another file. Read once, never changed.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import numpy as np

from ..config import AnswerSettings
from ..errors import ModelError
from ..index.loaded import LoadedIndex
from ..text import tokenize
from .features import ASKS, FEATURES, Candidate, Query
from .heads import LinearHead
from .lay_terms import clinical_words
from .mentions import COUNTRIES, OTHER_SUBSTANCES
from .records import find_record

# Every question-level signal the decision may use (a record may use a subset).
QUESTION_FEATURES = (
    "dense",
    "centroid",
    "gap",
    "top",
    "margin",
    "rerank_top",
    "unknown",
    "asks_unmet",
    "prior",
    "bank",
)
SHIPPED = "calibration.json"


# Words that say who asks or how, never what: the people in the asker's life ("my husband", "her
# son"), contractions typed without the apostrophe ("whats", "dont") and chat filler ("going",
# "nothing", "pls"). Counted as unknown they made a plain question about a husband's tramadol look
# off-topic; they do not count either way. A word the articles use stays a content word.
_ASIDE_WORDS = """whats thats dont doesnt didnt cant wont isnt arent aint im ive youre theyre hes shes theres wasnt
    shouldnt wouldnt couldnt havent hasnt husband wife partner spouse boyfriend girlfriend fiance fiancee son
    daughter kid kids mum mom mother dad father parent parents brother sister friend friends grandma grandpa
    grandmother grandfather uncle aunt cousin roommate neighbour neighbor boss coworker going nothing anything
    something everything stuff guess wondering wonder someone anyone somebody anybody everyone thanks thank hi
    hello hey pls plz ur gonna wanna gotta kinda sorta yeah yes cuz coz bc tho anyway""".split()


@lru_cache(maxsize=1)
def _aside_stems() -> frozenset[str]:
    return frozenset(t for w in _ASIDE_WORDS for t in tokenize(w))


def _unknown_terms(text: str, index: LoadedIndex) -> tuple[list[str], list[str], set[str]]:
    """``text``'s content words, those no article uses, and the article words its consumer words bridge to."""
    vocab = index.bm25.vocab
    aside = _aside_stems()
    terms = [t for t in tokenize(text) if t in vocab or t not in aside]
    bridged = {t for t in tokenize(" ".join(clinical_words(text))) if t in vocab}
    return terms, [t for t in terms if t not in vocab], bridged


def _names_nothing_known(phrase: str, index: LoadedIndex) -> bool:
    """True when ``phrase`` has content words, no article uses any, and no consumer word bridges to one."""
    terms, unknown, bridged = _unknown_terms(phrase, index)
    return bool(terms) and not bridged and len(unknown) == len(terms)


def _first_unknown(vocabulary: re.Pattern[str], own: str, index: LoadedIndex) -> str:
    """The first phrase of ``vocabulary`` in ``own`` that no article uses and no consumer word bridges, else ""."""
    return next((m.group(0) for m in vocabulary.finditer(own) if _names_nothing_known(m.group(0), index)), "")


def unknown_share(own: str, index: LoadedIndex) -> float:
    """Share of the user's own content words that no article uses, consumer words mapped first."""
    terms, unknown, bridged = _unknown_terms(own, index)
    if not terms:
        return 0.0
    # A consumer word whose clinical word the articles use is known (one bridge per unknown word at most).
    return max(0, len(unknown) - len(bridged)) / len(terms)


# "what about lyrica?", "and melatonin then?", "how about with ambien?": a bare follow-up that names one
# thing and nothing else. The thing may be up to three words; "the other one", "that" point back instead.
_BARE_THING = re.compile(
    r"^\s*(?:(?:and|or|so|but|ok(?:ay)?)[,\s]+)*(?:(?:what|how)\s+about\s+|(?<=and )|(?<=or ))"
    r"(?:(?:with|for|on|in|taking)\s+)?(?:(?:the|my|his|her|their|your|a|an|some)\s+)?"
    r"(?P<thing>[a-z][\w'-]*(?:\s+[a-z][\w'-]*){0,2}?)"
    r"(?:\s+(?:then|though|tho|too|instead|as well))?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_POINTS_BACK = frozenset(
    "one ones other others it its that this them those these else first second third last latter former rest same "
    "both either".split()
)


def unlisted_thing(own: str, index: LoadedIndex) -> str:
    """The thing a bare "what about X?" asks about when no article uses any of its words, else "".

    Why a rule and not only the ``unknown`` share: such a follow-up is searched with the earlier
    question, whose sentences then score as if they answered it ("what about lyrica?" after a question
    about gabapentin quotes the gabapentin sentences). A consumer word the articles say otherwise
    ("the jab", "percs") is known, and a typo is respelled before this is asked.
    """
    m = _BARE_THING.match(own)
    if not m:
        return ""
    thing = m.group("thing")
    if _POINTS_BACK & set(thing.lower().split()):
        return ""
    return thing if _names_nothing_known(thing, index) else ""


# Substances and medicines people ask about beside naltrexone (``mentions.OTHER_SUBSTANCES``). A question
# naming one that no article mentions ("does naltrexone help with meth cravings?", "can i take ibuprofen
# on ntx") asks what the articles cannot say, however well its other words match. Domain vocabulary, not
# the articles' words: a corpus that mentions one answers about it.
def unlisted_substance(own: str, index: LoadedIndex) -> str:
    """The first substance ``own`` names that no article mentions (nor its clinical word), else ""."""
    return _first_unknown(OTHER_SUBSTANCES, own, index)


# Whether a medicine is approved, sold or prescription-only, and what it costs, differs by country:
# "Is naltrexone approved for alcohol dependence in Canada?" was answered with the sentence about its
# approval "in Germany, the United States and other European countries". A question about that, in a
# country no article mentions, abstains. Countries named as where someone lives are left alone unless
# the question is about availability ("I live in Canada, does it help cravings?" still answers).
# The countries are ``mentions.COUNTRIES``.
_AVAILABILITY = re.compile(
    r"\b(?:approv\w*|licen[cs]\w*|availab\w*|prescri\w*|script|legal\w*|illegal|sold|sell\w*|buy|purchase"
    r"|over the counter|otc|pharmac\w*|cost\w*|price\w*|insurance|covered|bring|fly|get (?:it|ntx|naltrexone|the))\b",
    re.IGNORECASE,
)


def unlisted_place(own: str, text: str, index: LoadedIndex) -> str:
    """The country ``own`` names when no article mentions it and ``text`` (resolved) asks about availability."""
    if not _AVAILABILITY.search(text):
        return ""
    return _first_unknown(COUNTRIES, own, index)


# "is naltrexone better than acamprosate?", "which works better, the methadone or this?": a question
# about which of two does better ("make therapy work better" is not one). Sentences that answer it
# compare ("than", "superior", "as effective as"); one about either alone does not say which is better.
_ASKS_WHICH_BETTER = re.compile(
    r"\b(?:better|worse|safer|stronger|weaker|more effective|less effective|more successful)\s+than\b"
    r"|\bwhich\b[^?.!]{0,40}\b(?:better|more effective|safer|stronger)\b|\bsuperior\s+to\b",
    re.IGNORECASE,
)
_COMPARES = re.compile(
    r"\b(?:than|superior|inferior|outperform\w*|compared|versus|as (?:effective|good|safe|well) as)\b", re.IGNORECASE
)


def uncompared(own: str, texts: Sequence[str]) -> bool:
    """True when ``own`` asks which of two does better and none of ``texts`` (the best sentences) compares.

    Why: the articles describe each drug on its own, so "is naltrexone more effective than
    buprenorphine?" scored sentences about naltrexone's effectiveness at confidence 0.5-0.7 and
    quoted them as if they settled the comparison. A corpus that compares the two still answers.
    """
    return bool(_ASKS_WHICH_BETTER.search(own)) and not any(_COMPARES.search(t) for t in texts)


def question_features(
    query: Query,
    pool: Sequence[Candidate],
    corpus_centroid: np.ndarray,
    neighbour_sims: np.ndarray,
    index: LoadedIndex,
    settings: AnswerSettings,
    head: Optional[LinearHead] = None,
) -> dict[str, float]:
    """Every signal of :data:`QUESTION_FEATURES` for one question and its ranked pool.

    ``prior`` is 0 without an answerability head. ``bank`` is the best candidate's bank score:
    the nearest training question among those the candidates answer, where a sentence no
    training question points at counts its own cosine, so a question about a document added
    later (or asked without a bank) is not judged unanswerable for want of one.
    """
    sims = np.asarray(neighbour_sims, dtype=np.float32)
    lo, hi = settings.gap_from, settings.gap_to
    top3 = pool[:3]
    unmet = [k for k in query.asks if not any(ASKS[k][1].search(c.sentence.text) for c in top3)]
    return {
        "dense": max((c.feature("dense") for c in pool), default=0.0),
        "centroid": float(query.plain @ corpus_centroid),
        "gap": float(sims[0] - sims[lo:hi].mean()) if len(sims) > lo else 0.0,
        "top": pool[0].score if pool else 0.0,
        "margin": pool[0].score - pool[1].score if len(pool) > 1 else 0.0,
        "rerank_top": max((c.feature("rerank") for c in pool), default=0.0),
        "unknown": unknown_share(query.own, index),
        "asks_unmet": float(len(unmet)),
        "prior": head.score_one(query.plain) if head is not None else 0.0,
        "bank": max((c.feature("bank") for c in pool), default=0.0),
    }


@dataclass(frozen=True)
class Calibration:
    """Logistic coefficients over question features and the threshold on the resulting confidence."""

    intercept: float
    coef: Mapping[str, float]
    threshold: float = 0.5
    record: Optional[Mapping[str, Any]] = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any], where: str) -> Calibration:
        try:
            coef = {str(k): float(v) for k, v in record["coef"].items()}
            intercept, threshold = float(record["intercept"]), float(record.get("threshold", 0.5))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"{where} is not a calibration record ({exc})") from None
        unknown = set(coef) - set(QUESTION_FEATURES)
        if unknown or not coef:
            raise ModelError(
                f"{where} names features this version does not compute ({sorted(unknown)}); "
                "run 'naltrexone-qa calibrate --out DIR' and point the settings at it"
            )
        return cls(intercept, coef, threshold, record)

    @classmethod
    def load(cls, folder: Optional[Path] = None, variant: str = "") -> Calibration:
        """The calibration in ``folder``, or the one shipped with the package (``variant`` as for Ranker)."""
        names = [f"calibration.{variant}.json", SHIPPED] if variant else [SHIPPED]
        found = find_record(folder, names, "calibration")
        if found is not None:
            return cls._parse(*found)
        raise ModelError(f"no {SHIPPED} in {folder or 'the package'}; run 'naltrexone-qa calibrate --out DIR'")

    @classmethod
    def _parse(cls, text: str, where: str) -> Calibration:
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelError(f"{where} is not valid JSON ({exc.msg})") from None
        return cls.from_record(record, where)

    def confidence(self, features: Mapping[str, float]) -> float:
        z = self.intercept + sum(self.coef[k] * features[k] for k in self.coef)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


__all__ = [
    "FEATURES",
    "QUESTION_FEATURES",
    "Calibration",
    "question_features",
    "uncompared",
    "unknown_share",
    "unlisted_place",
    "unlisted_substance",
    "unlisted_thing",
]
