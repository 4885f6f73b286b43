"""Corpus-wide conflict map: pair claims across documents, keep the contradictions.

Why here and not at query time: detection costs a few milliseconds per pair,
so it runs once per index build and answering only looks conflicts up by
sentence id.  Candidate pairs come from nearest neighbours in the stored
sentence vectors plus shared key terms (with a cap on how common a term may
be), never from all pairs, so the build stays near-linear as the corpus grows.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from typing import Any, Iterable, Optional

import numpy as np

from ..config import RetrievalSettings
from ..retrieve.registry import build_store
from ..types import Citation, Conflict, Document, Sentence
from .base import SEVERITY_RANK, Detector
from .claims import COMPLEMENTARY_CUES, analyze, cues
from .grouping import Edge, edge_groups, entry, sides, topic_words
from .rules import RuleDetector
from .topics import group_topic, shared_phrase

log = logging.getLogger(__name__)

NEIGHBOURS = 8  # cross-document nearest neighbours per sentence
MAX_POSTINGS = 64  # a key term in more sentences than this is too common to pair on
MIN_SCORE = 0.5


def _neighbour_pairs(ids: list[int], doc_of: list[str], vecs: np.ndarray, k: int) -> set[tuple[int, int]]:
    """Top-k cross-document neighbours by inner product (vectors are L2-normalised).

    An exact store is built over just these vectors: the pairing must not
    depend on which store serves queries.
    """
    if len(ids) < 2:
        return set()
    search_k = min(len(ids), 4 * k + 1)
    store = build_store("numpy", list(range(len(ids))), vecs, RetrievalSettings())
    out: set[tuple[int, int]] = set()
    for row, matches in enumerate(store.search(vecs, search_k)):
        kept = 0
        for col, _ in matches:
            if col == row or doc_of[col] == doc_of[row]:
                continue
            a, b = ids[row], ids[col]
            out.add((min(a, b), max(a, b)))
            kept += 1
            if kept >= k:
                break
    return out


def _term_pairs(sentences: list[Sentence], max_postings: int) -> set[tuple[int, int]]:
    """Cross-document pairs sharing a key term or concept tag that is not too common."""
    postings: dict[str, list[Sentence]] = defaultdict(list)
    for s in sentences:
        claim = analyze(s.text)
        for term in claim.keys | {f"#{t}" for t in claim.tags}:
            postings[term].append(s)
    out: set[tuple[int, int]] = set()
    for group in postings.values():
        if len(group) > max_postings or len({s.doc_id for s in group}) < 2:
            continue
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.doc_id != b.doc_id:
                    out.add((min(a.id, b.id), max(a.id, b.id)))
    return out


def _cue_pairs(sentences: list[Sentence], max_postings: int) -> set[tuple[int, int]]:
    """Pairs whose cues complement each other ('totally block' x 'partially'), across documents."""
    by_cue: dict[str, list[Sentence]] = defaultdict(list)
    for s in sentences:
        for cue in cues(s.text):
            by_cue[cue].append(s)
    out: set[tuple[int, int]] = set()
    for x, y in COMPLEMENTARY_CUES:
        if len(by_cue[x]) > max_postings or len(by_cue[y]) > max_postings:
            log.warning("cue %s/%s too common to pair on (%d x %d)", x, y, len(by_cue[x]), len(by_cue[y]))
            continue
        out.update((min(a.id, b.id), max(a.id, b.id)) for a in by_cue[x] for b in by_cue[y] if a.doc_id != b.doc_id)
    return out


def candidate_pairs(
    sentences: list[Sentence], vectors: np.ndarray, k: int = NEIGHBOURS, max_postings: int = MAX_POSTINGS
) -> set[tuple[int, int]]:
    """Sentence-id pairs (low, high) from different documents, both answerable."""
    usable = [s for s in sentences if s.answerable]
    if not usable:
        return set()
    rows = np.ascontiguousarray(vectors[[s.id for s in usable]], dtype=np.float32)
    pairs = _neighbour_pairs([s.id for s in usable], [s.doc_id for s in usable], rows, k)
    return pairs | _term_pairs(usable, max_postings) | _cue_pairs(usable, max_postings)


def build_conflict_map(
    sentences: list[Sentence],
    vectors: np.ndarray,
    documents: dict[str, Document],
    detector: Optional[Detector] = None,
    min_score: float = MIN_SCORE,
) -> list[Conflict]:
    """All cross-document disagreements, one entry each, most severe first; called at index build.

    The detector judges sentence pairs; pairs that share a sentence and a signal
    or topic are one disagreement, its sentences split into the two sides.
    """
    t0 = time.perf_counter()
    detector = detector or RuleDetector()
    by_id = {s.id: s for s in sentences}
    pairs = sorted(candidate_pairs(sentences, vectors))
    judgements = detector.judge_many([(by_id[a].text, by_id[b].text) for a, b in pairs])
    edges = [
        Edge(ia, ib, j, shared_phrase(by_id[ia].text, by_id[ib].text))
        for (ia, ib), j in zip(pairs, judgements, strict=False)
        if j.label == "contradiction" and j.score >= min_score
    ]
    groups = edge_groups(edges)
    sided = [sides(g) for g in groups]
    # Re-judge the pairs whose A-side sentence is the higher id, so every explanation quotes in (a, b) order.
    flipped = [(e.hi, e.lo) for g, (side_a, _) in zip(groups, sided) for e in g if e.hi in side_a]
    rejudged = dict(zip(flipped, detector.judge_many([(by_id[a].text, by_id[b].text) for a, b in flipped])))
    topics = [group_topic(e.topic for e in g) for g in groups]
    words = topic_words(topics)
    conflicts = [
        entry(group, side_a, side_b, rejudged, by_id, documents, words.get(t.key, t.words))
        for group, (side_a, side_b), t in zip(groups, sided, topics)
    ]
    conflicts.sort(key=lambda c: (-SEVERITY_RANK.get(c.severity, 0), -c.score, c.a.sentence_id, c.b.sentence_id))
    log.info(
        "conflict map: %d candidate pairs, %d contradicting pairs in %d disagreements, %.1f ms",
        len(pairs),
        len(edges),
        len(conflicts),
        1000 * (time.perf_counter() - t0),
    )
    return conflicts


def _cite_json(c: Citation) -> dict[str, Any]:
    d = c.to_dict()
    d["sentence_id"] = c.sentence_id  # to_dict drops it; the index needs it for lookups
    return d


def conflicts_to_json(conflicts: Iterable[Conflict]) -> list[dict[str, Any]]:
    """JSON-ready list for the index file (citations keep their sentence ids, entries their pairs)."""
    return [
        {
            **c.to_dict(),
            "a": _cite_json(c.a),
            "b": _cite_json(c.b),
            "a_more": [_cite_json(x) for x in c.a_more],
            "b_more": [_cite_json(x) for x in c.b_more],
            "pairs": [list(p) for p in c.pairs],
        }
        for c in conflicts
    ]


def _cite_from(d: dict[str, Any]) -> Citation:
    return Citation(
        n=d.get("n"),
        doc_id=d["doc_id"],
        title=d["title"],
        section=d.get("section"),
        start=int(d["start"]),
        end=int(d["end"]),
        text=d["text"],
        score=float(d.get("score", 0.0)),
        sentence_id=d.get("sentence_id"),
        page=d.get("page"),
        url=d.get("url"),
    )


def conflicts_from_json(data: list[dict[str, Any]]) -> list[Conflict]:
    """Inverse of :func:`conflicts_to_json`."""
    return [
        Conflict(
            kind=d["kind"],
            severity=d["severity"],
            score=float(d["score"]),
            explanation=d["explanation"],
            topic=d["topic"],
            a=_cite_from(d["a"]),
            b=_cite_from(d["b"]),
            a_more=[_cite_from(x) for x in d.get("a_more", [])],
            b_more=[_cite_from(x) for x in d.get("b_more", [])],
            pairs=[(int(x), int(y), str(why)) for x, y, why in d.get("pairs", [])],
        )
        for d in data
    ]


def group_by_topic(conflicts: Iterable[Conflict]) -> dict[str, list[Conflict]]:
    """Topic label -> conflicts, topics ordered by their most severe conflict."""
    groups: dict[str, list[Conflict]] = defaultdict(list)
    for c in conflicts:
        groups[c.topic].append(c)

    def rank(item: tuple[str, list[Conflict]]) -> tuple[float, float, str]:
        top = max(item[1], key=lambda c: (SEVERITY_RANK.get(c.severity, 0), c.score))
        return (-SEVERITY_RANK.get(top.severity, 0), -top.score, item[0])

    return {
        topic: sorted(cs, key=lambda c: (-SEVERITY_RANK.get(c.severity, 0), -c.score))
        for topic, cs in sorted(groups.items(), key=rank)
    }
