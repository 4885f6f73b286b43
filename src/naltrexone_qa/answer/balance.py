"""The disagreements an answer shows, re-cited with its numbers, and both sides in the answer itself.

Why the second: a reader who sees quotes from one side only takes that side as what the articles
say, though the disagreement is shown underneath. When the first disagreement an
answer shows has only one side among its quotes, the other side's best sentence joins
them (``FlagSettings.quote_both_sides``: always, only for a question that weighs two
possibilities, or never; chosen on dev, see the README's Disagreement section).
"""

from __future__ import annotations

from typing import Callable, Mapping, Optional, Sequence

import numpy as np

from ..config import QuoteBothSides
from ..disagree.flags import contrasting, missing_side, shown_pair, side_ids
from ..retrieve.store import VectorStore
from ..types import Citation, Conflict
from .features import Candidate

# How the pipeline cites a sentence: (sentence id, the answer's number for it or None, score).
Cite = Callable[[int, Optional[int], float], Citation]


def recited(chosen: Sequence[Conflict], cited: Mapping[int, Optional[int]], cite: Cite) -> list[Conflict]:
    """The disagreements with each side's shown sentence (a quoted one first) and the others under it."""
    out = []
    for conf in chosen:
        x, y, why = shown_pair(conf, cited)
        a = cite(x, cited.get(x), conf.a.score)
        b = cite(y, cited.get(y), conf.b.score)
        a_more = [cite(s, cited.get(s), c.score) for c in conf.a_side if (s := _sid(c)) != x]
        b_more = [cite(s, cited.get(s), c.score) for c in conf.b_side if (s := _sid(c)) != y]
        out.append(Conflict(conf.kind, conf.severity, conf.score, why, conf.topic, a, b, a_more, b_more, conf.pairs))
    return out


def _sid(c: Citation) -> int:
    if c.sentence_id is None:
        raise ValueError("a conflict side without a sentence id")
    return c.sentence_id


def other_side(
    flags: Sequence[Conflict],
    quoted: Sequence[int],
    pool: Sequence[Candidate],
    question: str,
    qvec: np.ndarray,
    vectors: VectorStore,
    when: QuoteBothSides,
) -> Optional[int]:
    """The sentence that quotes the unquoted side of the first disagreement shown, if one should.

    The side's best-ranked candidate in ``pool``, else its sentence closest to the question.
    """
    if not flags or not quoted or when == "never" or (when == "contrast" and not contrasting(question)):
        return None
    missing = missing_side(flags[0], quoted)
    if not missing:
        return None
    for cand in pool:
        if cand.sentence.id in missing:
            return cand.sentence.id
    ids = sorted(missing)
    return ids[int(np.argmax(vectors.get_vectors(ids) @ qvec))]


def with_other_side(quoted: Sequence[int], flags: Sequence[Conflict], other: Optional[int], room: int) -> list[int]:
    """The answer's sentence ids with ``other`` added; when the answer is full it takes the place of
    the last (weakest) quote whose side stays quoted without it."""
    ids = list(quoted)
    if other is None:
        return ids
    if len(ids) >= room:
        a, b = side_ids(flags[0])
        side = a if a & set(ids) else b
        spare = [i for i in range(len(ids)) if side & (set(ids) - {ids[i]})]
        if not spare:
            return ids
        del ids[spare[-1]]
    return [*ids, other]
