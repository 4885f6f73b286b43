"""Signals that score a candidate sentence against a question, as one named feature matrix.

Why named columns: the ranker that combines them is fitted (``naltrexone-qa
calibrate``) and stored as a weight per name, so adding a signal never
silently shifts the others. Every signal is cheap and checkable: cosine
similarities (the sentence alone, with its neighbours, its section heading;
to the resolved question and to the user's own words), IDF-weighted overlap of
the question's words (with the clinical words for consumer ones), the rank of
the retrieved chunk holding it, whether it frames rather than answers, and
whether it holds the kind of thing asked for (a number, a frequency, a name, a
study's finding). A learned relevance score (``rerank``) joins when a reranker
is loaded, the pair relevance head's score (``pair``, see ``heads``) when
one is shipped, and the question's closeness to the training questions each
sentence answers and how many of the nearest ones it answers (``bank``,
``bank_votes``, see ``bank``) when a question bank is.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from ..config import AnswerSettings
from ..index.loaded import LoadedIndex
from ..text import tokenize
from ..types import Sentence
from .bank import BoundBank
from .heads import LinearHead, pair_inputs

FEATURES = (
    "dense",
    "dense_own",
    "lex",
    "chunk",
    "ctx",
    "head",
    "framing",
    "asks_number",
    "asks_frequency",
    "asks_name",
    "asks_study",
    "rerank",
    "pair",
    "bank",
    "bank_votes",
)

_PAIR = FEATURES.index("pair")
_BANK = FEATURES.index("bank")
_VOTES = FEATURES.index("bank_votes")

# Sentences that pose or frame a question rather than answer it.
_FRAMING = re.compile(
    r"\?\s*$|\bquestion (?:arises|that)\b|\bthis (?:article|content)\b|\bwe need to\b|"
    r"\blet\W?s (?:delve|dive|move|take)\b|\byou might be (?:thinking|wondering)\b",
    re.IGNORECASE,
)
# What a question asks for, and what a sentence must hold to give it.
ASKS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "number": (
        re.compile(
            r"\bhow (?:many|much|long|soon)\b|\bwhat (?:dose|percentage|age)\b|\bhow old\b|\bat what age\b",
            re.IGNORECASE,
        ),
        re.compile(
            r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|hundred|week"
            r"|weeks|days?|months?|years?|hours?)\b",
            re.IGNORECASE,
        ),
    ),
    "frequency": (
        re.compile(r"\bhow (?:often|frequently)\b|\bevery (?:day|week|month)\b|\bhow many times\b", re.IGNORECASE),
        re.compile(
            r"\b(?:daily|monthly|weekly|once|twice|every|per (?:day|week|month)|a (?:day|week|month))\b", re.IGNORECASE
        ),
    ),
    "name": (
        re.compile(
            r"\b(?:which|what) (?:brands?|universit\w+|countr\w+|names?|receptors?|places?|websites?|sites?)"
            r"\b|\bbrand names?\b|\bcalled\b|\bwho (?:studied|did|ran|found)\b|\bwhere (?:was|were|is|did)\b",
            re.IGNORECASE,
        ),
        re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+|\b[A-Z]{2,}\b"),
    ),
    "study": (
        re.compile(
            r"\b(?:study|studies|trial|research\w*|scientists?)\b[^?]*\b(?:find|found|show|showed|see|saw"
            r"|conclude|discover|report)\w*",
            re.IGNORECASE,
        ),
        re.compile(
            r"\b(?:stud(?:y|ies)|trial|research|participants|observed|found|showed|revealed|reported)\b", re.IGNORECASE
        ),
    ),
}


def asked_kinds(question: str) -> set[str]:
    """The kinds of thing a question asks for (a number, a frequency, a name, a study's finding)."""
    return {kind for kind, (q_rx, _) in ASKS.items() if q_rx.search(question)}


@dataclass
class Candidate:
    """A sentence that might be quoted, its features and its score."""

    sentence: Sentence
    features: np.ndarray
    score: float

    def feature(self, name: str) -> float:
        return float(self.features[FEATURES.index(name)])


@dataclass(frozen=True)
class Query:
    """A question as the scorer sees it: resolved text, the user's own words, vectors and term weights.

    ``vec`` and ``own_vec`` lean toward the clinical words of the question's consumer words, to find
    the sentences that use them; ``plain`` is the resolved text's vector as typed, for judgements about
    the question itself (is it on topic, do the articles answer questions like it).
    """

    text: str
    own: str
    vec: np.ndarray
    own_vec: np.ndarray
    weights: dict[str, float]
    asks: frozenset[str]
    plain: np.ndarray


class SentenceFacts:
    """Per-sentence token sets, framing flags and section headings, computed once per sentence.

    They depend on the sentence text alone, so they are memoised; the lock
    makes the memo safe when several threads answer at once.
    """

    def __init__(self, sentences: Sequence[Sentence]) -> None:
        self._sentences = sentences
        self._facts: dict[int, tuple[frozenset[str], bool]] = {}
        self._lock = threading.Lock()
        self.heading: list[Optional[int]] = []
        current: Optional[int] = None
        doc = None
        for s in sentences:
            if s.doc_id != doc:
                doc, current = s.doc_id, None
            if s.kind == "heading":
                current = s.id
            self.heading.append(current)

    def __call__(self, sid: int) -> tuple[frozenset[str], bool]:
        facts = self._facts.get(sid)
        if facts is None:
            text = self._sentences[sid].text
            facts = (frozenset(tokenize(text)), bool(_FRAMING.search(text)))
            with self._lock:
                self._facts.setdefault(sid, facts)
        return facts


def term_weights(index: LoadedIndex, text: str, own: Optional[str], carried_weight: float) -> dict[str, float]:
    """IDF per question term; a word no article uses weighs as much as the rarest.

    Words carried over from earlier turns find the topic but weigh
    ``carried_weight`` as much as the user's own words in choosing the sentence.
    """
    terms = sorted(set(tokenize(text)))
    out = {}
    for t in terms:
        idf = index.bm25.term_idf(t)
        out[t] = index.bm25.max_idf if idf is None else max(idf, 0.0)
    if own is not None:
        mine = set(tokenize(own))
        out = {t: w if t in mine else w * carried_weight for t, w in out.items()}
    return out


def coverage(weights: dict[str, float], tokens: frozenset[str]) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items() if t in tokens) / total


def _context_vectors(index: LoadedIndex, ids: Sequence[int]) -> np.ndarray:
    """Each sentence with its neighbours in the same section: the normalised sum of their vectors."""
    sents = index.sentences
    groups = []
    for sid in ids:
        s = sents[sid]
        groups.append(
            [
                n
                for n in (sid - 1, sid, sid + 1)
                if 0 <= n < len(sents) and sents[n].doc_id == s.doc_id and sents[n].section == s.section
            ]
        )
    flat = sorted({n for g in groups for n in g})
    where = {n: i for i, n in enumerate(flat)}
    vecs = index.sentence_vectors.get_vectors(flat)
    out = np.stack([vecs[[where[n] for n in g]].sum(axis=0) for g in groups])
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def candidate_features(
    query: Query,
    ids: Sequence[int],
    chunk_score: dict[int, float],
    index: LoadedIndex,
    facts: SentenceFacts,
    pair_head: Optional[LinearHead] = None,
    bank: Optional[BoundBank] = None,
    bank_k: int = AnswerSettings.bank_k,
) -> np.ndarray:
    """The feature matrix (len(ids), len(FEATURES)) in :data:`FEATURES` order; ``rerank`` is left 0.

    ``pair`` is the pair relevance head's score when one is given (else 0), from the same vectors;
    ``bank`` and ``bank_votes`` the question bank's signals when one is given (else the plain cosine
    and no votes, as for a sentence no training question points at).
    """
    vecs = index.sentence_vectors.get_vectors(ids)
    ctx = _context_vectors(index, ids)
    heads = [facts.heading[sid] for sid in ids]
    head_ids = sorted({h for h in heads if h is not None})
    head_vecs = dict(zip(head_ids, index.sentence_vectors.get_vectors(head_ids), strict=True)) if head_ids else {}
    out = np.zeros((len(ids), len(FEATURES)), dtype=np.float64)
    out[:, 0] = vecs @ query.vec
    out[:, 1] = vecs @ query.own_vec
    out[:, 4] = ctx @ query.vec
    if pair_head is not None:
        out[:, _PAIR] = pair_head.score(pair_inputs(query.vec, vecs))
    # Without a bank (or for a corpus it knows nothing of) every sentence is one no training question points at.
    if bank is not None:
        out[:, _BANK], out[:, _VOTES] = bank.scores(query.vec, ids, out[:, 0], bank_k)
    else:
        out[:, _BANK] = out[:, 0]
    for row, sid in enumerate(ids):
        tokens, framing = facts(sid)
        out[row, 2] = coverage(query.weights, tokens)
        out[row, 3] = chunk_score.get(sid, 0.0)
        h = heads[row]
        out[row, 5] = float(head_vecs[h] @ query.vec) if h is not None else 0.0
        out[row, 6] = float(framing)
        text = index.sentences[sid].text
        for col, kind in ((7, "number"), (8, "frequency"), (9, "name"), (10, "study")):
            if kind in query.asks:
                out[row, col] = 1.0 if ASKS[kind][1].search(text) else -1.0
    return out


def centroid(index: LoadedIndex) -> np.ndarray:
    """Unit mean vector of the quotable sentences: what this corpus is about."""
    ids = [s.id for s in index.sentences if s.answerable] or [s.id for s in index.sentences]
    c = index.sentence_vectors.get_vectors(ids).mean(axis=0)
    return (c / (np.linalg.norm(c) or 1.0)).astype(np.float32)
