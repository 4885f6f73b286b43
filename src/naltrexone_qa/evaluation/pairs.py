"""Precision/recall/F1 of a contradiction detector on labeled sentence pairs.

Three formats are read (by :mod:`.stance`): our own ``evals/conflict_pairs.jsonl``
(a_text, b_text, label contradiction|agreement|unrelated), the public
claim-evidence file (claim, evidence, label support|contradiction, source) and
HealthVer's CSV (Supports|Refutes|Neutral; refutes counts as contradiction).  Numbers are always
shown beside the trivial always/never-contradiction baselines, because on a
skewed set a detector can look good while doing nothing.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Optional

from ..disagree.base import Detector

log = logging.getLogger(__name__)

POSITIVE = "contradiction"


def load_pairs(path: str | Path, default_source: Optional[str] = None) -> list[dict[str, Any]]:
    """Read any pair file (ours, claim-evidence JSONL, HealthVer CSV) into {id, a, b, gold (bool), label, source}.

    ``gold`` is whether the pair is a contradiction (refutes); an unknown label
    or a bad row stops the read with the file and line.
    """
    from .stance import read_pair_rows

    return [
        {"id": r.id, "a": r.a, "b": r.b, "label": r.label, "gold": r.stance == "refutes", "source": r.source}
        for r in read_pair_rows(path, default_source or "")
    ]


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall, F1 with 0 (not NaN) when undefined, so JSON stays valid."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def pair_metrics(gold: list[bool], pred: list[bool]) -> dict[str, Any]:
    tp = sum(g and p for g, p in zip(gold, pred, strict=False))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=False))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=False))
    pos = sum(gold)
    return {
        "n": len(gold),
        "positives": pos,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": len(gold) - tp - fp - fn,
        **prf(tp, fp, fn),
        "baseline_always": prf(pos, len(gold) - pos, 0),
        "baseline_never": prf(0, 0, pos),
    }


def evaluate(detector: Detector, pairs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Metrics for ``contradiction`` per source and overall, plus the mistakes made."""
    pairs = list(pairs)
    t0 = time.perf_counter()
    judgements = detector.judge_many([(p["a"], p["b"]) for p in pairs])
    elapsed = time.perf_counter() - t0
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        by_source[p["source"]].append(i)
    pred = [j.label == POSITIVE for j in judgements]
    gold = [p["gold"] for p in pairs]
    result: dict[str, Any] = {
        "detector": getattr(detector, "name", type(detector).__name__),
        "overall": pair_metrics(gold, pred),
        "sources": {
            s: pair_metrics([gold[i] for i in ix], [pred[i] for i in ix]) for s, ix in sorted(by_source.items())
        },
        "signals": dict(sorted(_count(j.signal for j, p in zip(judgements, pred, strict=False) if p).items())),
        "ms_per_pair": round(1000 * elapsed / max(1, len(pairs)), 3),
        "errors": [
            {"id": p["id"], "gold": p["label"], "predicted": j.label, "signal": j.signal}
            for p, j in zip(pairs, judgements, strict=False)
            if p["gold"] != (j.label == POSITIVE)
        ],
    }
    return result


def evaluate_pairs(path: str | Path, detector: Optional[Detector] = None) -> dict[str, Any]:
    """Flat overall metrics for one pairs file (the shape the eval report prints)."""
    from ..disagree.rules import RuleDetector

    res = evaluate(detector or RuleDetector(), load_pairs(path, "corpus"))
    m = res["overall"]
    return {
        "detector": res["detector"],
        **{k: m[k] for k in ("n", "positives", "tp", "fp", "fn", "precision", "recall", "f1")},
        "baseline_always_f1": m["baseline_always"]["f1"],
        "ms_per_pair": res["ms_per_pair"],
        "errors": res["errors"],
    }


def _count(items: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for x in items:
        out[x] += 1
    return dict(out)


def _fmt(name: str, m: dict[str, Any]) -> str:
    a, nv = m["baseline_always"], m["baseline_never"]
    return (
        f"  {name:<22} n={m['n']:<5} pos={m['positives']:<4} "
        f"P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f}   "
        f"always: P={a['precision']:.3f} R={a['recall']:.3f} F1={a['f1']:.3f}   "
        f"never: F1={nv['f1']:.3f}"
    )


def format_report(title: str, res: dict[str, Any]) -> str:
    """Plain-text block: one line per source, baselines on the same line."""
    lines = [f"{title} (detector={res['detector']}, {res['ms_per_pair']} ms/pair)"]
    lines += [_fmt(s, m) for s, m in res["sources"].items()]
    if len(res["sources"]) > 1:
        lines.append(_fmt("all", res["overall"]))
    lines.append(f"  contradiction flags by signal: {res['signals'] or '{}'}")
    return "\n".join(lines)
