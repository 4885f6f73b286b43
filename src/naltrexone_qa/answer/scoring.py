"""Candidate sentences and the signals that score them.

Candidates are the quotable sentences of the top chunks plus the nearest
sentences by vector. Each is scored on three signals a reviewer can check:
dense similarity to the question, how much of the question's rarer vocabulary
it contains (IDF-weighted), and how well its chunk was retrieved. The same
module computes the features the answer/abstain decision is calibrated on.
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
from ..types import Hit, Sentence

# Sentences that pose or frame a question rather than answer it.
_FRAMING = re.compile(
    r"\?\s*$|\bquestion (?:arises|that)\b|\bthis (?:article|content)\b|\bwe need to\b|"
    r"\blet\W?s (?:delve|dive|move|take)\b|\byou might be (?:thinking|wondering)\b",
    re.IGNORECASE,
)


@dataclass
class Candidate:
    """A sentence that might be quoted, with the signals that scored it."""

    sentence: Sentence
    dense: float
    lexical: float
    chunk: float
    score: float


class SentenceFacts:
    """Per-sentence token sets and framing flags, computed once per sentence.

    They depend on the sentence text alone, so they are memoised; the lock
    makes the memo safe when several threads answer at once.
    """

    def __init__(self, sentences: Sequence[Sentence]) -> None:
        self._sentences = sentences
        self._facts: dict[int, tuple[frozenset[str], bool]] = {}
        self._lock = threading.Lock()

    def __call__(self, sid: int) -> tuple[frozenset[str], bool]:
        facts = self._facts.get(sid)
        if facts is None:
            text = self._sentences[sid].text
            facts = (frozenset(tokenize(text)), bool(_FRAMING.search(text)))
            with self._lock:
                self._facts.setdefault(sid, facts)
        return facts


def centroid(index: LoadedIndex) -> np.ndarray:
    """Unit mean vector of the quotable sentences: what this corpus is about."""
    ids = [s.id for s in index.sentences if s.answerable] or [s.id for s in index.sentences]
    c = index.sentence_vectors.get_vectors(ids).mean(axis=0)
    return (c / (np.linalg.norm(c) or 1.0)).astype(np.float32)


def term_weights(index: LoadedIndex, terms: Sequence[str]) -> dict[str, float]:
    """IDF per query term; a word no article uses weighs as much as the rarest.

    Measured on evals/qa.jsonl, dropping such words instead (they cannot tell
    sentences apart) lowered answer accuracy: they temper how much a partial
    lexical match counts against the dense similarity.
    """
    max_idf = index.bm25.max_idf
    out = {}
    for t in terms:
        idf = index.bm25.term_idf(t)
        out[t] = max_idf if idf is None else max(idf, 0.0)
    return out


def coverage(weights: dict[str, float], tokens: frozenset[str]) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items() if t in tokens) / total


def features_of(
    pool: list[Candidate],
    qvec: np.ndarray,
    corpus_centroid: np.ndarray,
    neighbour_sims: np.ndarray,
    settings: AnswerSettings,
) -> dict[str, float]:
    """The signals the abstention decision is calibrated on.

    ``dense``: how well the best candidate matches. ``centroid``: how close the
    question is to what this corpus is about at all. ``gap``: how far the
    nearest sentence stands out from the next 25, so that a question which is
    on-topic but unanswered ("naltrexone for my dog") is told from one that a
    sentence actually answers.
    """
    sims = np.asarray(neighbour_sims, dtype=np.float32)
    lo, hi = settings.gap_from, settings.gap_to
    gap = float(sims[0] - sims[lo:hi].mean()) if len(sims) > lo else 0.0
    return {
        "dense": pool[0].dense if pool else 0.0,
        "centroid": float(qvec @ corpus_centroid),
        "gap": gap,
    }


def score_candidates(
    question: str,
    qvec: np.ndarray,
    hits: list[Hit],
    index: LoadedIndex,
    facts: SentenceFacts,
    settings: AnswerSettings,
    extra_sentence_ids: Sequence[int] = (),
    own_question: Optional[str] = None,
) -> list[Candidate]:
    """Score every quotable sentence of the retrieved chunks, best first.

    Words carried over from earlier turns find the topic but should not pick
    the sentence: in "what side effects should I watch for (naltrexone and
    gabapentin together)?" the user asked about side effects.
    """
    qterms = sorted(set(tokenize(question)))
    weights = term_weights(index, qterms)
    if own_question is not None:
        own = set(tokenize(own_question))
        weights = {t: w if t in own else w * settings.carried_weight for t, w in weights.items()}
    chunk_score: dict[int, float] = {}
    for h in hits:
        for sid in index.chunks[h.chunk_id].sentence_ids:
            chunk_score.setdefault(sid, 1.0 / h.rank)
    for sid in extra_sentence_ids:
        chunk_score.setdefault(sid, 0.0)
    ids = [sid for sid in chunk_score if index.sentences[sid].answerable]
    if not ids:
        return []
    dense = index.sentence_vectors.get_vectors(ids) @ qvec
    pool = []
    for sid, d in zip(ids, dense, strict=False):
        tokens, framing = facts(sid)
        lex = coverage(weights, tokens)
        score = settings.w_dense * float(d) + settings.w_lex * lex + settings.w_chunk * chunk_score[sid]
        if framing:
            score *= settings.framing_penalty
        pool.append(Candidate(index.sentences[sid], float(d), lex, chunk_score[sid], score))
    pool.sort(key=lambda c: (-c.score, c.sentence.id))
    return pool
