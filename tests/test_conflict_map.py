"""Conflict map over the real corpus: pairing, citations, JSON, lookups, grouping."""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from pathlib import Path

import numpy as np
import pytest

from naltrexone_qa.disagree.base import Judgement
from naltrexone_qa.disagree.conflict_map import (
    build_conflict_map,
    candidate_pairs,
    conflicts_from_json,
    conflicts_to_json,
    group_by_topic,
)
from naltrexone_qa.disagree.flags import conflicts_touching
from naltrexone_qa.types import Document, Sentence

ROOT = Path(__file__).resolve().parents[1]
_CUT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u201c\"\u2018])|(?<=[a-z][.!?])(?=[A-Z])")


def _documents() -> dict[str, Document]:
    docs = {}
    for p in sorted((ROOT / "corpus").glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        docs[p.stem] = Document(
            p.stem, text.splitlines()[0].strip(), str(p), text, hashlib.sha256(text.encode()).hexdigest()
        )
    return docs


def _segment(docs: dict[str, Document]) -> list[Sentence]:
    """A small test segmenter with exact offsets (the real one lives in segmentation.py)."""
    out: list[Sentence] = []
    for doc in docs.values():
        for block, m in enumerate(re.finditer(r"[^\n]+", doc.text)):
            line_start, line = m.start(), m.group(0)
            cuts = [0] + [c.end() for c in _CUT.finditer(line)] + [len(line)]
            for s, e in zip(cuts, cuts[1:]):
                piece = line[s:e]
                lead = len(piece) - len(piece.lstrip(" \u2022\t"))
                body = piece.strip(" \u2022\t")
                if not body:
                    continue
                start = line_start + s + lead
                kind = "list" if "\u2022" in line else "text" if body[-1] in ".!?" else "heading"
                out.append(
                    Sentence(
                        len(out),
                        doc.doc_id,
                        start,
                        start + len(body),
                        body,
                        None,
                        block,
                        kind,
                        promotional=bool(re.search(r"call|\d{3}-\d{3}", body)),
                    )
                )
    return out


def _vectors(sentences: list[Sentence]) -> np.ndarray:
    """Deterministic hashed bag-of-words vectors standing in for the embedding model."""
    v = np.zeros((len(sentences), 384), dtype=np.float32)
    for i, s in enumerate(sentences):
        for w in re.findall(r"[a-z]+", s.text.lower()):
            v[i, zlib.crc32(w.encode()) % 384] += 1.0
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


DOCS = _documents()
SENTS = _segment(DOCS)
VECS = _vectors(SENTS)


@pytest.fixture(scope="module")
def conflicts():
    return build_conflict_map(SENTS, VECS, DOCS)


def _has(conflicts, a_doc: str, a_sub: str, b_doc: str, b_sub: str) -> bool:
    for c in conflicts:
        for x, y in ((c.a, c.b), (c.b, c.a)):
            if x.doc_id == a_doc and a_sub in x.text and y.doc_id == b_doc and b_sub in y.text:
                return True
    return False


def test_real_disagreements_are_found(conflicts) -> None:
    E, A, OP = "naltrexone-effects-uses-risks", "naltrexone-anxiety", "naltrexone-opiate-addiction"
    assert _has(conflicts, A, "quell anxiety", E, "include sleep disturbances, anxiety")
    assert _has(conflicts, OP, "is useless", E, "an overdose may occur")
    assert _has(conflicts, OP, "totally block", E, "cannot exert their full effect")
    assert _has(conflicts, OP, "totally block", E, "partially or completely reverse")
    assert _has(conflicts, E, "mechanism of action of naltrexone is still unclear", "naltrexone-gabapentin", "works by")
    assert _has(conflicts, A, "seven to ten days", E, "at least one week")
    topics = group_by_topic(conflicts)
    for t in ("anxiety", "opioid use while on naltrexone", "waiting period before starting", "mechanism of action"):
        assert t in topics, list(topics)


def test_agreements_and_hard_negatives_are_not_in_the_map(conflicts) -> None:
    G, A, E = "naltrexone-gabapentin", "naltrexone-anxiety", "naltrexone-effects-uses-risks"
    assert not _has(conflicts, A, "still physically dependent", G, "not physically dependent")
    assert not _has(conflicts, G, "Gabapentin helps manage symptoms like anxiety", E, "sleep disturbances, anxiety")
    assert not _has(conflicts, "naltrexone-opiate-addiction", "antidote for opioid overdose", E, "antidote")
    assert not _has(conflicts, G, "not addictive", E, "no habituation effect")
    assert not any(c.topic == "brand names" for c in conflicts)


def test_citations_are_exact_cross_document_and_answerable(conflicts) -> None:
    by_id = {s.id: s for s in SENTS}
    assert conflicts
    for c in conflicts:
        assert c.kind and c.severity in ("high", "medium") and c.explanation and c.topic
        assert c.a.doc_id != c.b.doc_id
        for cit in (c.a, c.b):
            s = by_id[cit.sentence_id]
            assert s.answerable and cit.n is None and cit.score == c.score
            assert cit.text == DOCS[cit.doc_id].text[cit.start : cit.end] == s.text
            assert cit.title == DOCS[cit.doc_id].title
    ranks = [(c.severity == "high", c.score) for c in conflicts]
    assert ranks == sorted(ranks, reverse=True)


def test_unanswerable_sentences_never_take_part() -> None:
    hidden = [Sentence(**{**s.__dict__, "kind": "heading"}) if "totally block" in s.text else s for s in SENTS]
    found = build_conflict_map(hidden, VECS, DOCS)
    assert found and not any("totally block" in t for c in found for t in (c.a.text, c.b.text))


def test_json_round_trip(conflicts) -> None:
    data = json.loads(json.dumps(conflicts_to_json(conflicts)))
    back = conflicts_from_json(data)
    assert [c.to_dict() for c in back] == [c.to_dict() for c in conflicts]
    assert [c.a.sentence_id for c in back] == [c.a.sentence_id for c in conflicts]
    assert set(data[0]) == {"kind", "severity", "score", "explanation", "topic", "a", "b"}


def test_lookup_by_sentence_ids(conflicts) -> None:
    anxiety = next(s.id for s in SENTS if "quell anxiety" in s.text)
    brands = next(s.id for s in SENTS if "known by brand names like Revia" in s.text)
    hits = conflicts_touching(conflicts, {anxiety})
    assert hits and all(anxiety in (c.a.sentence_id, c.b.sentence_id) for c in hits)
    assert conflicts_touching(conflicts, {brands}) == []
    assert conflicts_touching(conflicts, set()) == []


def test_group_by_topic_orders_by_severity(conflicts) -> None:
    groups = group_by_topic(conflicts)
    assert sum(len(g) for g in groups.values()) == len(conflicts)
    first = list(groups.values())[0]
    assert first[0].severity == "high"
    assert all(c.topic == t for t, g in groups.items() for c in g)


def test_candidates_grow_far_slower_than_all_pairs() -> None:
    rng = np.random.default_rng(0)
    n, docs = 1200, 12
    sents = [
        Sentence(i, f"d{i % docs}", 0, 1, f"filler claim number {i} about topic {i % 50}", None, 0) for i in range(n)
    ]
    vecs = rng.normal(size=(n, 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    pairs = candidate_pairs(sents, vecs, k=8)
    assert all(sents[a].doc_id != sents[b].doc_id for a, b in pairs)
    assert len(pairs) <= n * 8 + n * 24  # neighbours + capped term postings
    assert len(pairs) < n * (n - 1) / 2 / 10


class _FlagAll:
    name = "flag-all"

    version = "test"

    def judge_many(self, pairs):
        return [Judgement("contradiction", 0.99, "test", "high", "stub") for _ in pairs]


def test_pluggable_detector_sees_only_candidate_pairs() -> None:
    small = [s for s in SENTS if s.doc_id in ("naltrexone-gabapentin", "naltrexone-opiate-addiction")]
    small = [Sentence(**{**s.__dict__, "id": i}) for i, s in enumerate(small)]
    vecs = _vectors(small)
    found = build_conflict_map(small, vecs, DOCS, detector=_FlagAll())
    expected = candidate_pairs(small, vecs)
    assert {(c.a.sentence_id, c.b.sentence_id) for c in found} == expected
    assert all(c.kind == "test" for c in found)
