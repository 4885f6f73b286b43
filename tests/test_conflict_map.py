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
    """Whether some entry holds the first sentence on one side and the second on the other."""
    for c in conflicts:
        for xs, ys in ((c.a_side, c.b_side), (c.b_side, c.a_side)):
            if any(x.doc_id == a_doc and a_sub in x.text for x in xs) and any(
                y.doc_id == b_doc and b_sub in y.text for y in ys
            ):
                return True
    return False


def _sides(c) -> tuple[list[str], list[str]]:
    return [x.text for x in c.a_side], [x.text for x in c.b_side]


def _entry_with(conflicts, sub: str):
    found = [c for c in conflicts if any(sub in t for side in _sides(c) for t in side)]
    assert len(found) == 1, [c.topic for c in found]
    return found[0]


def test_real_disagreements_are_found(conflicts) -> None:
    E, A, OP = "naltrexone-effects-uses-risks", "naltrexone-anxiety", "naltrexone-opiate-addiction"
    assert _has(conflicts, A, "quell anxiety", E, "include sleep disturbances, anxiety")
    assert _has(conflicts, OP, "is useless", E, "an overdose may occur")
    assert _has(conflicts, OP, "totally block", E, "cannot exert their full effect")
    assert _has(conflicts, A, "seven to ten days", E, "at least one week")
    topics = group_by_topic(conflicts)
    assert "anxiety" in topics and "opioid" in topics, list(topics)


def test_one_entry_per_disagreement(conflicts) -> None:
    """The anxiety disagreement is one entry: every relief sentence on one side, the side effect on the other."""
    anxiety = _entry_with(conflicts, "quell anxiety")
    relief, side_effect = _sides(anxiety)
    if any("sleep disturbances" in t for t in relief):
        relief, side_effect = side_effect, relief
    assert len(relief) >= 7 and all("anxi" in t for t in relief)
    assert len(side_effect) == 1 and "sleep disturbances, anxiety" in side_effect[0]
    opioids = _entry_with(conflicts, "is useless")
    total, partial = _sides(opioids)
    if any("overdose may occur" in t for t in total):
        total, partial = partial, total
    assert any("totally block" in t for t in total) and any("prevents any" in t for t in total)
    assert any("overdose may occur" in t for t in partial) and any("full effect" in t for t in partial)
    # No sentence is in two entries of the same kind, and no pair is listed twice.
    seen = [(c.kind, x.sentence_id) for c in conflicts for x in (*c.a_side, *c.b_side)]
    assert len(seen) == len(set(seen))
    assert len(conflicts) <= 4


def test_labels_follow_the_order_of_the_quotes(conflicts) -> None:
    for c in conflicts:
        quoted = re.findall(r"'([^']+)'", c.explanation.split("(", 1)[-1])
        if len(quoted) == 2 and c.kind in ("extent", "quantity"):
            first, second = quoted
            assert first in c.a.text.lower() or first in c.a.text, (c.explanation, c.a.text)
            assert second in c.b.text.lower() or second in c.b.text, (c.explanation, c.b.text)


def test_class_statement_with_a_range_is_not_a_disagreement(conflicts) -> None:
    """'can partially or completely reverse' allows a total block: it does not contradict 'totally block'."""
    E, OP = "naltrexone-effects-uses-risks", "naltrexone-opiate-addiction"
    assert not _has(conflicts, OP, "totally block", E, "partially or completely reverse")
    assert not any("partially or completely reverse" in t for c in conflicts for side in _sides(c) for t in side)


def test_mechanism_unclear_is_not_set_against_plain_statements(conflicts) -> None:
    """'The exact mechanism ... is still unclear' doubts details; its own article also calls it an opioid antagonist."""
    assert not any("mechanism of action of naltrexone is still unclear" in t for c in conflicts for t in _sides(c)[0])
    assert not any("mechanism of action of naltrexone is still unclear" in t for c in conflicts for t in _sides(c)[1])
    assert not any(c.kind == "certainty" for c in conflicts)


def test_agreements_and_hard_negatives_are_not_in_the_map(conflicts) -> None:
    G, A, E = "naltrexone-gabapentin", "naltrexone-anxiety", "naltrexone-effects-uses-risks"
    assert not _has(conflicts, A, "still physically dependent", G, "not physically dependent")
    assert not _has(conflicts, A, "still on opioids", G, "not physically dependent")
    assert not _has(conflicts, G, "Gabapentin helps manage symptoms like anxiety", E, "sleep disturbances, anxiety")
    assert not _has(conflicts, "naltrexone-opiate-addiction", "antidote for opioid overdose", E, "antidote")
    assert not _has(conflicts, G, "not addictive", E, "no habituation effect")
    assert not any(c.topic in ("brand names", "Revia") for c in conflicts)


def test_citations_are_exact_cross_document_and_answerable(conflicts) -> None:
    by_id = {s.id: s for s in SENTS}
    assert conflicts
    for c in conflicts:
        assert c.kind and c.severity in ("high", "medium") and c.explanation and c.topic
        assert c.a.doc_id != c.b.doc_id
        assert not {x.doc_id for x in c.a_side} & {x.doc_id for x in c.b_side}
        assert c.a.score == c.score or c.b.score == c.score
        for cit in (*c.a_side, *c.b_side):
            s = by_id[cit.sentence_id]
            assert s.answerable and cit.n is None and 0.5 <= cit.score <= c.score
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
    assert [c.pairs for c in back] == [c.pairs for c in conflicts]
    assert set(data[0]) == {"kind", "severity", "score", "explanation", "topic", "a", "b", "a_more", "b_more", "pairs"}
    shown = conflicts[0].to_dict()
    assert set(shown) == {"kind", "severity", "score", "explanation", "topic", "a", "b", "a_more", "b_more"}
    assert len(shown["a_more"]) == len(conflicts[0].a_more) and isinstance(shown["b_more"], list)


def test_lookup_by_sentence_ids(conflicts) -> None:
    anxiety = next(s.id for s in SENTS if "quell anxiety" in s.text)
    brands = next(s.id for s in SENTS if "known by brand names like Revia" in s.text)
    hits = conflicts_touching(conflicts, {anxiety})
    assert hits and all(anxiety in {x.sentence_id for x in (*c.a_side, *c.b_side)} for c in hits)
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
    assert {(min(x, y), max(x, y)) for c in found for x, y, _ in c.pairs} == expected
    assert all(c.kind == "test" for c in found)


def test_conflicts_text_shows_one_entry_per_disagreement_with_every_sentence(conflicts) -> None:
    from naltrexone_qa.render.text import conflicts_text

    text = conflicts_text(group_by_topic(conflicts))
    entries = [ln for ln in text.splitlines() if ln.startswith("  - ")]
    assert len(entries) == len(conflicts)
    assert text.count("    One side (") == text.count("    Other side (") == len(conflicts)
    for c in conflicts:
        for cit in (*c.a_side, *c.b_side):
            assert f'"{cit.text}"' in text
        # The explanation is printed above its sides, and side A is listed before side B.
        at = text.index(c.explanation)
        assert at < text.index(f'"{c.a.text}"', at) < text.index(f'"{c.b.text}"', at)
