"""The extractive answerer: pick the best verbatim sentences, or abstain.

Candidates are the quotable sentences of the top chunks plus the nearest
sentences by vector. Each is scored on three signals a reviewer can check:
dense similarity to the question, how much of the question's rarer vocabulary
it contains (IDF-weighted), and how well its chunk was retrieved. Whether to
answer at all is decided by a calibrated confidence (see ``features_of``), so
an off-topic question, or an on-topic one no sentence answers, abstains.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Optional, Sequence

import numpy as np

from .errors import QAError
from .index_store import LoadedIndex
from .models import Sentence
from .retrieval import Hit
from .text import tokenize

MAX_SENTENCES = 4
W_DENSE, W_LEX, W_CHUNK = 0.55, 0.30, 0.15
RELATIVE_KEEP = 0.75
REDUNDANT_COS = 0.86
FEATURES = ("dense", "centroid", "gap")
GAP_FROM, GAP_TO = 5, 30
EXTRA_CANDIDATES = 8
FRAMING_PENALTY = 0.85
CARRIED_WEIGHT = 0.3
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


@dataclass
class Selection:
    """The chosen sentences, the evidence pool and the decision to answer."""

    chosen: list[Candidate]
    pool: list[Candidate]
    confidence: float
    features: dict[str, float]


@lru_cache(maxsize=1)
def calibration() -> dict[str, float]:
    """Logistic coefficients fitted by ``naltrexone-qa calibrate`` (see calibration.py)."""
    text = resources.files("naltrexone_qa").joinpath("calibration.json").read_text(encoding="utf-8")
    return json.loads(text)


def sentence_facts(index: LoadedIndex, sid: int) -> tuple[frozenset[str], bool]:
    """A sentence's token set and framing flag; memoised because they depend on its text alone."""
    facts = index.sentence_facts.get(sid)
    if facts is None:
        text = index.sentences[sid].text
        facts = index.sentence_facts[sid] = (frozenset(tokenize(text)), bool(_FRAMING.search(text)))
    return facts


def term_weights(index: LoadedIndex, terms: Sequence[str]) -> dict[str, float]:
    """IDF per query term; a word no article uses weighs as much as the rarest.

    Measured on evals/qa.jsonl, dropping such words instead (they cannot tell
    sentences apart) lowered answer accuracy: they temper how much a partial
    lexical match counts against the dense similarity.
    """
    max_idf = float(index.bm25.idf.max()) if len(index.bm25.idf) else 1.0
    out = {}
    for t in terms:
        idf = index.bm25.term_idf(t)
        out[t] = max_idf if idf is None else max(idf, 0.0)
    return out


def coverage(weights: dict[str, float], tokens: set[str]) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items() if t in tokens) / total


def confidence_of(features: dict[str, float]) -> float:
    cal = calibration()
    if set(cal["coef"]) != set(FEATURES):
        raise QAError("calibration.json does not match the answer features; run 'naltrexone-qa calibrate --write'")
    z = cal["intercept"] + sum(cal["coef"][k] * features[k] for k in cal["coef"])
    return 1.0 / (1.0 + math.exp(-z))


def features_of(pool: list[Candidate], index: LoadedIndex, qvec: np.ndarray,
                neighbour_sims: np.ndarray) -> dict[str, float]:
    """The signals the abstention decision is calibrated on.

    ``dense``: how well the best candidate matches. ``centroid``: how close the
    question is to what this corpus is about at all. ``gap``: how far the
    nearest sentence stands out from the next 25, so that a question which is
    on-topic but unanswered ("naltrexone for my dog") is told from one that a
    sentence actually answers.
    """
    sims = np.asarray(neighbour_sims, dtype=np.float32)
    gap = float(sims[0] - sims[GAP_FROM:GAP_TO].mean()) if len(sims) > GAP_FROM else 0.0
    return {
        "dense": pool[0].dense if pool else 0.0,
        "centroid": float(qvec @ index.centroid),
        "gap": gap,
    }


def score_candidates(question: str, qvec: np.ndarray, hits: list[Hit], index: LoadedIndex,
                     extra_sentence_ids: Sequence[int] = (),
                     own_question: Optional[str] = None) -> list[Candidate]:
    """Score every quotable sentence of the retrieved chunks, best first.

    Words carried over from earlier turns find the topic but should not pick
    the sentence: in "what side effects should I watch for (naltrexone and
    gabapentin together)?" the user asked about side effects.
    """
    qterms = sorted(set(tokenize(question)))
    weights = term_weights(index, qterms)
    if own_question is not None:
        own = set(tokenize(own_question))
        weights = {t: w if t in own else w * CARRIED_WEIGHT for t, w in weights.items()}
    chunk_score: dict[int, float] = {}
    for h in hits:
        for sid in index.chunks[h.chunk_id].sentence_ids:
            chunk_score.setdefault(sid, 1.0 / h.rank)
    for sid in extra_sentence_ids:
        chunk_score.setdefault(sid, 0.0)
    ids = [sid for sid in chunk_score if index.sentences[sid].answerable]
    if not ids:
        return []
    dense = index.sentence_vectors[ids] @ qvec
    pool = []
    for sid, d in zip(ids, dense):
        s = index.sentences[sid]
        tokens, framing = sentence_facts(index, sid)
        lex = coverage(weights, tokens)
        score = W_DENSE * float(d) + W_LEX * lex + W_CHUNK * chunk_score[sid]
        if framing:
            score *= FRAMING_PENALTY
        pool.append(Candidate(s, float(d), lex, chunk_score[sid], score))
    pool.sort(key=lambda c: (-c.score, c.sentence.id))
    return pool


def select(pool: list[Candidate], index: LoadedIndex) -> list[Candidate]:
    """Up to four strong, non-redundant sentences, reaching across sources."""
    if not pool:
        return []
    best = pool[0].score
    chosen: list[Candidate] = [pool[0]]
    seen_tokens = set(sentence_facts(index, pool[0].sentence.id)[0])
    for cand in pool[1:]:
        if len(chosen) >= MAX_SENTENCES:
            break
        new_doc = all(c.sentence.doc_id != cand.sentence.doc_id for c in chosen)
        keep = RELATIVE_KEEP - (0.07 if new_doc else 0.0)
        if cand.score < keep * best:
            continue
        vec = index.sentence_vectors[cand.sentence.id]
        if any(float(vec @ index.sentence_vectors[c.sentence.id]) > REDUNDANT_COS for c in chosen):
            continue
        toks = sentence_facts(index, cand.sentence.id)[0]
        if len(toks - seen_tokens) < 2:
            continue
        chosen.append(cand)
        seen_tokens |= toks
    return chosen


def answer_selection(question: str, qvec: np.ndarray, hits: list[Hit], index: LoadedIndex,
                     neighbour_ids: Sequence[int], neighbour_sims: np.ndarray, decide: bool = True,
                     own_question: Optional[str] = None) -> Selection:
    """Score, decide whether to answer, and choose the sentences to quote.

    ``neighbour_ids``/``neighbour_sims`` are the question's nearest sentences
    by vector, best first: the first few join the candidates, all feed ``gap``.
    With ``decide=False`` only the features are computed (for calibration).
    """
    pool = score_candidates(question, qvec, hits, index, list(neighbour_ids)[:EXTRA_CANDIDATES], own_question)
    feats = features_of(pool, index, qvec, neighbour_sims)
    if not decide:
        return Selection([], pool, 0.0, feats)
    conf = confidence_of(feats) if pool else 0.0
    chosen = select(pool, index) if conf >= calibration()["threshold"] else []
    return Selection(chosen, pool, conf, feats)
