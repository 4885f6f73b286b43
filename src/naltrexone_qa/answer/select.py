"""Choose what to quote: decide whether to answer, then pick strong, non-redundant sentences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from ..config import AnswerSettings
from ..index.loaded import LoadedIndex
from ..types import Hit
from .abstain import Calibration
from .scoring import Candidate, SentenceFacts, features_of, score_candidates


@dataclass
class Selection:
    """The chosen sentences, the evidence pool and the decision to answer."""

    chosen: list[Candidate]
    pool: list[Candidate]
    confidence: float
    features: dict[str, float]


def select(
    pool: list[Candidate], index: LoadedIndex, facts: SentenceFacts, settings: AnswerSettings
) -> list[Candidate]:
    """Up to ``max_sentences`` strong, non-redundant sentences, reaching across sources."""
    if not pool:
        return []
    best = pool[0].score
    chosen: list[Candidate] = [pool[0]]
    seen_tokens = set(facts(pool[0].sentence.id)[0])
    vectors = index.sentence_vectors
    for cand in pool[1:]:
        if len(chosen) >= settings.max_sentences:
            break
        new_doc = all(c.sentence.doc_id != cand.sentence.doc_id for c in chosen)
        keep = settings.relative_keep - (settings.new_source_allowance if new_doc else 0.0)
        if cand.score < keep * best:
            continue
        vec = vectors.get_vectors([cand.sentence.id])[0]
        if any(float(vec @ vectors.get_vectors([c.sentence.id])[0]) > settings.redundant_cos for c in chosen):
            continue
        toks = facts(cand.sentence.id)[0]
        if len(toks - seen_tokens) < settings.min_new_terms:
            continue
        chosen.append(cand)
        seen_tokens |= toks
    return chosen


class Chooser:
    """Scoring, the abstain decision and selection over one loaded index (read-only state)."""

    def __init__(
        self, index: LoadedIndex, settings: AnswerSettings, calibration: Calibration, corpus_centroid: np.ndarray
    ) -> None:
        self.index = index
        self.settings = settings
        self.calibration = calibration
        self.centroid = corpus_centroid
        self.facts = SentenceFacts(index.sentences)

    def choose(
        self,
        question: str,
        qvec: np.ndarray,
        hits: list[Hit],
        neighbour_ids: Sequence[int],
        neighbour_sims: np.ndarray,
        decide: bool = True,
        own_question: Optional[str] = None,
    ) -> Selection:
        """Score, decide whether to answer, and choose the sentences to quote.

        ``neighbour_ids``/``neighbour_sims`` are the question's nearest sentences
        by vector, best first: the first few join the candidates, all feed ``gap``.
        With ``decide=False`` only the features are computed (for calibration).
        """
        s = self.settings
        pool = score_candidates(
            question, qvec, hits, self.index, self.facts, s, list(neighbour_ids)[: s.extra_candidates], own_question
        )
        feats = features_of(pool, qvec, self.centroid, neighbour_sims, s)
        if not decide:
            return Selection([], pool, 0.0, feats)
        conf = self.calibration.confidence(feats) if pool else 0.0
        chosen = select(pool, self.index, self.facts, s) if conf >= self.calibration.threshold else []
        return Selection(chosen, pool, conf, feats)
