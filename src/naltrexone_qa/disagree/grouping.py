"""One entry per disagreement: sentence pairs that contradict, grouped and split into two sides.

Why: a reader wants "these eight sentences say naltrexone eases anxiety; this
one lists anxiety as a side effect", not eight near-identical pairs. Pairs that
share a sentence and a signal kind or a topic are one disagreement; its
sentences are two-coloured into sides; the strongest pair gives each side's
main sentence, and every pair keeps its own explanation in (a-side, b-side)
order so any shown pair can say what differs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from ..types import Citation, Conflict, Document, Sentence
from .base import SEVERITY_RANK, Judgement
from .topics import Topic


def _citation(s: Sentence, documents: dict[str, Document], score: float) -> Citation:
    doc = documents.get(s.doc_id)
    return Citation(
        n=None,
        doc_id=s.doc_id,
        title=doc.title if doc else s.doc_id,
        section=s.section,
        start=s.start,
        end=s.end,
        text=s.text,
        score=score,
        sentence_id=s.id,
        page=doc.page_at(s.start) if doc else None,
        url=doc.url if doc else None,
    )


class Edge(NamedTuple):
    """One judged sentence pair of the map: ids (low, high), its judgement and shared topic."""

    lo: int
    hi: int
    judgement: Judgement
    topic: Topic


def edge_groups(edges: list[Edge]) -> list[list[Edge]]:
    """Pairs that share a sentence and a signal kind or a topic form one disagreement (union-find)."""
    parent = list(range(len(edges)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_sentence: dict[int, list[int]] = defaultdict(list)
    for i, e in enumerate(edges):
        by_sentence[e.lo].append(i)
        by_sentence[e.hi].append(i)
    for members in by_sentence.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                ei, ej = edges[i], edges[j]
                if ei.judgement.signal == ej.judgement.signal or (ei.topic.key and ei.topic.key == ej.topic.key):
                    parent[find(i)] = find(j)
    groups: dict[int, list[Edge]] = defaultdict(list)
    for i, e in enumerate(edges):
        groups[find(i)].append(e)
    return list(groups.values())


def sides(group: list[Edge]) -> tuple[list[int], list[int]]:
    """Two-colour the sentences of a group: each pair puts its sentences on opposite sides."""
    adj: dict[int, set[int]] = defaultdict(set)
    for e in group:
        adj[e.lo].add(e.hi)
        adj[e.hi].add(e.lo)
    colour: dict[int, int] = {}
    for start in sorted(adj):
        if start in colour:
            continue
        colour[start] = 0
        queue = [start]
        while queue:
            u = queue.pop(0)
            for v in sorted(adj[u]):
                if v not in colour:
                    colour[v] = 1 - colour[u]
                    queue.append(v)
    one = sorted(i for i, c in colour.items() if c == 0)
    two = sorted(i for i, c in colour.items() if c == 1)
    # The side with more sentences first ("several sentences say X; one says Y").
    return (one, two) if (len(one), -one[0]) >= (len(two), -two[0]) else (two, one)


def topic_words(topics: list[Topic]) -> dict[str, str]:
    """One way of writing each topic across the map, so one topic is one heading."""
    seen: dict[str, list[str]] = defaultdict(list)
    for t in topics:
        seen[t.key].append(t.words)
    return {k: max(sorted(set(ws)), key=ws.count) for k, ws in seen.items()}


def entry(
    group: list[Edge],
    side_a: list[int],
    side_b: list[int],
    rejudged: dict[tuple[int, int], Judgement],
    by_id: dict[int, Sentence],
    documents: dict[str, Document],
    topic: str,
) -> Conflict:
    """One disagreement: the strongest pair gives the main sentences, the rest support their side."""
    in_a = set(side_a)
    oriented: list[tuple[int, int, Judgement]] = []
    for e in group:
        if e.lo in in_a and e.hi not in in_a:
            oriented.append((e.lo, e.hi, e.judgement))
        elif e.hi in in_a and e.lo not in in_a:
            oriented.append((e.hi, e.lo, rejudged.get((e.hi, e.lo), e.judgement)))
    degree: dict[int, int] = defaultdict(int)
    best: dict[int, float] = defaultdict(float)
    for x, y, j in oriented:
        for sid in (x, y):
            degree[sid] += 1
            best[sid] = max(best[sid], j.score)
    main = max(
        oriented,
        key=lambda o: (SEVERITY_RANK.get(o[2].severity, 0), o[2].score, degree[o[0]] + degree[o[1]], -o[0], -o[1]),
    )
    ma, mb, j = main

    def ordered(side: list[int], first: int) -> list[int]:
        rest = sorted((s for s in side if s != first), key=lambda s: (-degree[s], -best[s], s))
        return [first, *rest]

    a_ids, b_ids = ordered(side_a, ma), ordered(side_b, mb)
    cite = (
        [_citation(by_id[s], documents, best[s]) for s in a_ids],
        [_citation(by_id[s], documents, best[s]) for s in b_ids],
    )
    return Conflict(
        kind=j.signal,
        severity=j.severity,
        score=j.score,
        explanation=j.explanation,
        topic=topic,
        a=cite[0][0],
        b=cite[1][0],
        a_more=cite[0][1:],
        b_more=cite[1][1:],
        pairs=sorted((x, y, jj.explanation) for x, y, jj in oriented),
    )
