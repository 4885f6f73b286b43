"""Training data for the stance model: a claim- and evidence-disjoint split with mined neutral pairs.

Why components: the public claim-evidence pairs reuse claims and evidence
sentences, so a split by row leaks; splitting the connected components of the
claim<->evidence graph means no claim and no evidence text is in two splits
(``fit`` trains the cross-encoder, ``hold`` fits the combiner, ``report`` is
only reported). The one giant component goes to ``fit``. Neutral pairs are a
claim against evidence of another claim of the same split (TF-IDF nearest,
skipping the closest, which often supports it), one per gold pair. Ported from
the research recipe (``prep_data.py``), which also mined SciFact abstracts and
MedQuAD answers. Seeded and deterministic; HealthVer is never read here.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError
from ..evaluation.stance import read_pair_rows

log = logging.getLogger(__name__)

SPLITS = ("fit", "hold", "report")
LABELS = ("supports", "refutes", "neutral")


def norm_text(t: str) -> str:
    """Identity key of a text for the disjointness checks (quotes, spaces and case folded)."""
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", t).strip().casefold()


def component_split(
    rows: list[dict[str, Any]], seed: int, frac_report: float = 0.22, frac_hold: float = 0.13
) -> dict[int, str]:
    """Row index -> split, whole components at a time; the largest component goes to ``fit``."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in rows:
        parent[find("C:" + norm_text(r["claim"]))] = find("E:" + norm_text(r["evidence"]))
    comps: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        comps[find("C:" + norm_text(r["claim"]))].append(i)
    ordered = sorted(comps.values(), key=lambda c: (-len(c), c[0]))
    giant, rest = ordered[0], ordered[1:]
    split_of = {i: "fit" for i in giant}
    counts = Counter(fit=len(giant))
    n = len(rows)
    for k in np.random.default_rng(seed).permutation(len(rest)):
        comp = rest[int(k)]
        s = "report" if counts["report"] < frac_report * n else "hold" if counts["hold"] < frac_hold * n else "fit"
        for i in comp:
            split_of[i] = s
        counts[s] += len(comp)
    return split_of


def mine_neutrals(gold: list[dict[str, Any]], seed: int, ratio: float = 1.0) -> list[dict[str, Any]]:
    """Claims against evidence of other claims in the same split (2nd-3rd TF-IDF nearest), ``ratio`` per gold pair."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    claims = sorted({r["claim"] for r in gold})
    evidence = sorted({r["evidence"] for r in gold})
    if len(claims) < 2 or len(evidence) < 4:
        return []
    own: dict[str, set[str]] = defaultdict(set)
    for r in gold:
        own[norm_text(r["claim"])].add(norm_text(r["evidence"]))
    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit(claims + evidence)
    sims = (vec.transform(claims) @ vec.transform(evidence).T).toarray()
    rng = np.random.default_rng(seed)
    want = int(round(ratio * len(gold)))
    out: list[dict[str, Any]] = []
    for ci in rng.permutation(len(claims)):
        if len(out) >= want:
            break
        claim = claims[int(ci)]
        ranked = [
            int(j)
            for j in np.argsort(-sims[int(ci)], kind="stable")
            if norm_text(evidence[int(j)]) not in own[norm_text(claim)]
        ]
        for j in ranked[1:3]:
            out.append({"claim": claim, "evidence": evidence[j], "label": "neutral", "kind": "mined"})
    return out[:want]


def prepare(pairs_file: Path, seed: int, neutral_ratio: float = 1.0) -> dict[str, list[dict[str, Any]]]:
    """The three splits (gold pairs + mined neutrals), checked disjoint by claim and by evidence text."""
    if not pairs_file.is_file():
        raise DataError(
            f"training data not found: {pairs_file} (the claim-evidence pairs; see ../shared/benchmarks/README.md, "
            f"or pass --pairs-file)"
        )
    rows = [
        {"claim": r.a, "evidence": r.b, "label": r.stance, "source": r.source, "kind": "gold"}
        for r in read_pair_rows(pairs_file)
    ]
    if len(rows) < 8:
        raise DataError(f"{pairs_file}: {len(rows)} pairs are too few to split into fit, hold and report")
    split_of = component_split(rows, seed)
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLITS}
    for i, r in enumerate(rows):
        out[split_of[i]].append(r)
    for n, s in enumerate(SPLITS):
        out[s] = out[s] + mine_neutrals(out[s], seed + n, neutral_ratio)
    check_disjoint(out)
    log.info("stance data: %s", {s: dict(Counter(r["label"] for r in v)) for s, v in out.items()})
    return out


def check_disjoint(splits: dict[str, list[dict[str, Any]]]) -> None:
    """No text (claim or evidence side) is in two splits; raises DataError otherwise."""
    owner: dict[str, str] = {}
    for s, rows in splits.items():
        for r in rows:
            for t in (r["claim"], r["evidence"]):
                k = norm_text(t)
                if owner.setdefault(k, s) != s:
                    raise DataError(f"a text is in both {owner[k]} and {s}: {t[:60]!r}")
