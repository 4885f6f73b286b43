"""Choose what to quote: rank the candidates, decide whether to answer, pick strong non-redundant sentences.

Candidates are the quotable sentences of the top chunks plus the question's
nearest sentences by vector. They are ranked by the fitted :class:`Ranker`
(with a learned relevance score when a reranker is loaded, computed only for
the few candidates that can change the answer); the answer/abstain decision is
a calibrated logistic function of question-level signals (``abstain``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from ..config import AnswerSettings
from ..index.loaded import LoadedIndex
from ..types import Hit
from .abstain import (
    Calibration,
    question_features,
    uncompared,
    unlisted_place,
    unlisted_substance,
    unlisted_thing,
)
from .bank import BoundBank
from .features import FEATURES, Candidate, Query, SentenceFacts, candidate_features
from .heads import LinearHead
from .ranker import Ranker
from .rerank import Reranker
from .specifics import unstated_figure
from .subject import on_subject

_RERANK = FEATURES.index("rerank")
log = logging.getLogger(__name__)


@dataclass
class Selection:
    """The chosen sentences, the ranked pool and the decision to answer."""

    chosen: list[Candidate]
    pool: list[Candidate]
    confidence: float
    features: dict[str, float]


def not_covered(query: Query, pool: Sequence[Candidate], index: LoadedIndex) -> str:
    """Why the articles cannot answer ``query``, however well its best sentences score, else "".

    Each check names what the question asks about or for that the articles (or the three best
    sentences) do not have.
    """
    top = [c.sentence.text for c in pool[:3]]
    checks = (
        # "what about lyrica?": no article names it, whatever the earlier turn's sentences score
        lambda: unlisted_thing(query.own, index),
        # "does naltrexone help with meth cravings?": no article mentions meth
        lambda: unlisted_substance(query.own, index),
        # "is it approved in Canada?": no article says anything about Canada
        lambda: unlisted_place(query.own, query.text, index),
        # "is it better than acamprosate?" and no sentence compares the two
        lambda: "no comparison" if uncompared(query.own, top) else "",
        # "how many people were in the Minnesota study?" and no sentence gives a count
        lambda: unstated_figure(query.own, top),
    )
    return next((why for check in checks if (why := check())), "")


class Chooser:
    """Ranking, the abstain decision and selection over one loaded index (read-only state)."""

    def __init__(
        self,
        index: LoadedIndex,
        settings: AnswerSettings,
        calibration: Calibration,
        ranker: Ranker,
        corpus_centroid: np.ndarray,
        reranker: Optional[Reranker] = None,
        head: Optional[LinearHead] = None,
        pair_head: Optional[LinearHead] = None,
        bank: Optional[BoundBank] = None,
    ) -> None:
        self.index = index
        self.settings = settings
        self.calibration = calibration
        self.ranker = ranker
        self.centroid = corpus_centroid
        self.reranker = reranker if ranker.uses_rerank else None
        self.head = head
        self.pair_head = pair_head
        self.bank = bank
        self.facts = SentenceFacts(index.sentences)

    def rank(self, query: Query, hits: list[Hit], neighbour_ids: Sequence[int]) -> list[Candidate]:
        """Every quotable candidate, best first."""
        s = self.settings
        chunk_score: dict[int, float] = {}
        for h in hits:
            for sid in self.index.chunks[h.chunk_id].sentence_ids:
                chunk_score.setdefault(sid, 1.0 / h.rank)
        voted = self.bank.voted(query.vec, s.bank_k) if self.bank is not None else []
        ids = list(dict.fromkeys([*chunk_score, *list(neighbour_ids)[: s.extra_candidates], *voted]))
        ids = [sid for sid in ids if self.index.sentences[sid].answerable]
        if not ids:
            return []
        feats = candidate_features(query, ids, chunk_score, self.index, self.facts, self.pair_head, self.bank, s.bank_k)
        scores = self.ranker.score(feats)
        if self.reranker is not None:
            # Only the candidates that can change the answer are read by the (slower) reranker;
            # the rest keep the lowest learned score, so they cannot overtake one it read.
            top = np.argsort(-scores, kind="stable")[: s.rerank_top]
            learned = self.reranker.score(query.text, [self.index.sentences[ids[i]].text for i in top])
            feats[:, _RERANK] = float(np.min(learned))
            feats[top, _RERANK] = learned
            scores = self.ranker.score(feats)
        pool = [Candidate(self.index.sentences[sid], feats[i], float(scores[i])) for i, sid in enumerate(ids)]
        pool.sort(key=lambda c: (-c.score, c.sentence.id))
        return pool

    def choose(
        self,
        query: Query,
        hits: list[Hit],
        neighbour_ids: Sequence[int],
        neighbour_sims: np.ndarray,
        decide: bool = True,
    ) -> Selection:
        """Rank, decide whether to answer, and choose the sentences to quote.

        ``neighbour_ids``/``neighbour_sims`` are the question's nearest sentences
        by vector, best first: they join the candidates and feed the ``gap`` signal.
        With ``decide=False`` only the features are computed (for calibration).
        """
        # "is gabapentin addictive?" must not be answered by "The medication is not addictive" (naltrexone's).
        pool = on_subject(query.text, self.rank(query, hits, neighbour_ids), self.index)
        feats = question_features(query, pool, self.centroid, neighbour_sims, self.index, self.settings, self.head)
        if not decide:
            return Selection([], pool, 0.0, feats)
        conf = self.calibration.confidence(feats) if pool else 0.0
        if conf and (why := not_covered(query, pool, self.index)):
            log.debug("abstaining whatever the scores: %s", why)
            conf = 0.0
        chosen = self.select(pool) if conf >= self.calibration.threshold else []
        return Selection(chosen, pool, conf, feats)

    def select(self, pool: list[Candidate]) -> list[Candidate]:
        """Up to ``max_sentences`` strong, non-redundant sentences, reaching across sources."""
        if not pool:
            return []
        s = self.settings
        best = pool[0].score
        chosen = [pool[0]]
        seen = set(self.facts(pool[0].sentence.id)[0])
        vectors = self.index.sentence_vectors
        for cand in pool[1:]:
            if len(chosen) >= s.max_sentences:
                break
            new_doc = all(c.sentence.doc_id != cand.sentence.doc_id for c in chosen)
            if cand.score < best - self.ranker.margin - (s.new_source_allowance if new_doc else 0.0):
                continue
            vec = vectors.get_vectors([cand.sentence.id])[0]
            others = vectors.get_vectors([c.sentence.id for c in chosen])
            if float(np.max(others @ vec)) > s.redundant_cos:
                continue
            toks = self.facts(cand.sentence.id)[0]
            if len(toks - seen) < s.min_new_terms:
                continue
            chosen.append(cand)
            seen |= toks
        return chosen
