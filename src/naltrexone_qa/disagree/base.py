"""The Detector seam: pairs of sentences in, a judgement on each out.

Names used across the package: the user-facing feature is *disagreement*
("Sources disagree"); a pair of cited sentences that disagree is a
:class:`~naltrexone_qa.types.Conflict`; the corpus-wide list of them is the
*conflict map*. A detector labels a pair ``contradiction`` (the stance of one
sentence against the other), ``agreement`` or ``unrelated``.

Detectors are chosen by name from ``registry.DETECTORS``; the name and
:attr:`Detector.version` go into the index manifest, so changing the detector
rebuilds the conflict map.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, Protocol, Sequence, runtime_checkable

Label = Literal["contradiction", "agreement", "unrelated"]
SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1, "none": 0}


class Judgement(NamedTuple):
    """What a detector says about one pair; ``signal`` names the rule or model that decided."""

    label: str
    score: float
    signal: str
    severity: str
    explanation: str


@runtime_checkable
class Detector(Protocol):
    """Anything that labels sentence pairs, in batches (models score pairs in batches)."""

    name: str
    version: str

    def judge_many(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]: ...
