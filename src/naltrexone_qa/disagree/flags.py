"""Question-time disagreement flags: which conflicts of the map an answer shows.

Why its own step: the conflict map is computed once per index build; at
question time only this cheap check runs. A conflict is shown when one of
its sides is quoted in the answer, or when both sides are among the strongest
evidence for the question, and every side not quoted is itself close to the
question (cosine >= ``FlagSettings.relevance``): one side merely being near
the question is how false alarms arise.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional

import numpy as np

from ..config import FlagSettings
from ..retrieve.store import VectorStore
from ..types import Conflict
from .base import SEVERITY_RANK


def conflicts_touching(conflicts: Iterable[Conflict], sentence_ids: set[int]) -> list[Conflict]:
    """Conflicts in which any of the given sentences takes part (map order kept)."""
    return [c for c in conflicts if c.a.sentence_id in sentence_ids or c.b.sentence_id in sentence_ids]


def select_flags(
    conflicts: Iterable[Conflict],
    cited: Mapping[int, Optional[int]],
    evidence: set[int],
    qvec: np.ndarray,
    sentence_vectors: VectorStore,
    settings: FlagSettings,
) -> list[Conflict]:
    """The conflicts to show beside an answer, most relevant first.

    ``cited`` maps each quoted sentence id to its citation number; ``evidence``
    holds the ids of the strongest candidates for the question.
    """
    found = conflicts_touching(conflicts, set(cited) | evidence)

    def relevant(c: Conflict) -> bool:
        # Both sides must speak to the question, not only the quoted one:
        # a quote can take part in a disagreement about something else.
        sides = (c.a.sentence_id, c.b.sentence_id)
        if not (c.a.sentence_id in cited or c.b.sentence_id in cited or set(sides) <= evidence):
            return False
        others = [sid for sid in sides if sid not in cited and sid is not None]
        if not others:
            return True
        sims = sentence_vectors.get_vectors(others) @ qvec
        return bool(np.all(sims >= settings.relevance))

    kept = [c for c in found if relevant(c)]
    kept.sort(
        key=lambda c: (
            -((c.a.sentence_id in cited) + (c.b.sentence_id in cited)),
            -SEVERITY_RANK.get(c.severity, 0),
            -c.score,
        )
    )
    return kept[: settings.max_flags]
