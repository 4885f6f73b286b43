"""Three-way stance scores (supports / refutes / neutral) of a detector on labelled pair files.

Why one reader for every pair file: ``bench stance`` and ``conflicts-eval`` must
read HealthVer's CSV, the public claim-evidence JSONL and our own
``evals/conflict_pairs.jsonl`` the same way, stop at a bad row with its file and
line, and never skip a label they do not know. Figures are always printed beside
the majority-class and always-refutes baselines (sklearn computes the metrics).
"""

from __future__ import annotations

import csv
import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple, Sequence

from ..disagree.base import Detector
from ..errors import DataError
from ..jsonl import read_jsonl

log = logging.getLogger(__name__)

STANCES = ("supports", "refutes", "neutral")
# Every label spelling of the pair files we read -> a stance.
LABEL_TO_STANCE = {
    "supports": "supports",
    "support": "supports",
    "agreement": "supports",
    "refutes": "refutes",
    "contradiction": "refutes",
    "neutral": "neutral",
    "unrelated": "neutral",
}
# A detector's pair label -> a stance.
JUDGED = {"agreement": "supports", "contradiction": "refutes", "unrelated": "neutral"}


class PairRow(NamedTuple):
    """One labelled pair: ``a`` is the claim (or first sentence), ``b`` the evidence."""

    id: str
    a: str
    b: str
    label: str
    stance: str
    source: str


def _stance(label: Any, where: str) -> str:
    if not isinstance(label, str) or not label.strip():
        raise DataError(f"{where}: the label is missing")
    stance = LABEL_TO_STANCE.get(label.strip().lower())
    if stance is None:
        known = ", ".join(sorted(LABEL_TO_STANCE))
        raise DataError(f"{where}: unknown label {label!r}; expected one of {known}")
    return stance


def _csv_rows(path: Path) -> list[PairRow]:
    """HealthVer's CSV: id, evidence, claim, label (Supports / Refutes / Neutral)."""
    out = []
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = {"claim", "evidence", "label"} - set(reader.fieldnames or [])
            if missing:
                raise DataError(f"{path}:1: the header lacks {', '.join(sorted(missing))}")
            for row in reader:
                where = f"{path}:{reader.line_num}"
                a, b = row.get("claim"), row.get("evidence")
                if not isinstance(a, str) or not a.strip() or not isinstance(b, str) or not b.strip():
                    raise DataError(f"{where}: need a non-empty claim and evidence")
                label = row.get("label")
                out.append(
                    PairRow(
                        row.get("id") or f"{path.stem}-{reader.line_num}",
                        a.strip(),
                        b.strip(),
                        str(label),
                        _stance(label, where),
                        path.stem,
                    )
                )
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: not UTF-8 text ({e.reason})") from None
    except csv.Error as e:
        raise DataError(f"{path}: bad CSV ({e})") from None
    return out


def _jsonl_rows(path: Path, default_source: str) -> list[PairRow]:
    """Our pairs (a_text, b_text) or the public claim-evidence pairs (claim, evidence)."""
    out = []
    for n, r in read_jsonl(path):
        where = f"{path}:{n}"
        a = r.get("a_text", r.get("claim"))
        b = r.get("b_text", r.get("evidence"))
        if not isinstance(a, str) or not isinstance(b, str) or not a.strip() or not b.strip():
            raise DataError(f"{where}: need a_text/b_text or claim/evidence (non-empty text), and label")
        label = r.get("label")
        out.append(
            PairRow(
                str(r.get("id", f"{path.stem}-{n}")),
                a,
                b,
                str(label),
                _stance(label, where),
                str(r.get("source") or default_source),
            )
        )
    return out


def read_pair_rows(path: str | Path, default_source: str = "") -> list[PairRow]:
    """Every row of a pair file (.csv: HealthVer; otherwise JSON lines); a bad row is a DataError at file:line."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"pair file {path} not found")
    rows = _csv_rows(path) if path.suffix.lower() == ".csv" else _jsonl_rows(path, default_source or path.stem)
    if not rows:
        raise DataError(f"{path}: no pairs found")
    return rows


def stance_metrics(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    """Per-label precision/recall/F1, macro-F1 over the labels the gold file holds, accuracy, confusion matrix."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    present = [s for s in STANCES if s in set(gold)]
    p, r, f, support = precision_recall_fscore_support(gold, pred, labels=list(STANCES), zero_division=0)
    per = {
        s: {
            "precision": round(float(p[i]), 4),
            "recall": round(float(r[i]), 4),
            "f1": round(float(f[i]), 4),
            "support": int(support[i]),
        }
        for i, s in enumerate(STANCES)
    }
    return {
        "per_label": per,
        "macro_f1": round(sum(per[s]["f1"] for s in present) / max(1, len(present)), 4),
        "macro_over": present,
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "confusion": {
            "labels": list(STANCES),
            "rows_gold_columns_predicted": confusion_matrix(gold, pred, labels=list(STANCES)).tolist(),
        },
    }


def _short(m: dict[str, Any]) -> dict[str, Any]:
    return {"macro_f1": m["macro_f1"], "refutes_f1": m["per_label"]["refutes"]["f1"], "accuracy": m["accuracy"]}


def bench_stance(detector: Detector, rows: Sequence[PairRow], batch: int = 256) -> dict[str, Any]:
    """The detector's stance scores on ``rows``, with the majority and always-refutes baselines beside them."""
    t0 = time.perf_counter()
    pred: list[str] = []
    for i in range(0, len(rows), batch):
        chunk = rows[i : i + batch]
        pred += [JUDGED.get(j.label, "neutral") for j in detector.judge_many([(r.a, r.b) for r in chunk])]
    elapsed = time.perf_counter() - t0
    gold = [r.stance for r in rows]
    counts = Counter(gold)
    majority = max(STANCES, key=lambda s: (counts[s], -STANCES.index(s)))
    majority_m = stance_metrics(gold, [majority] * len(gold))
    refutes_m = stance_metrics(gold, ["refutes"] * len(gold))
    return {
        "detector": {
            "name": getattr(detector, "name", type(detector).__name__),
            "version": getattr(detector, "version", ""),
        },
        "n": len(rows),
        "gold_counts": {s: counts[s] for s in STANCES},
        "predicted_counts": {s: pred.count(s) for s in STANCES},
        **stance_metrics(gold, pred),
        "baselines": {
            "majority": {"label": majority, **_short(majority_m), "per_label": majority_m["per_label"]},
            "always_refutes": {**_short(refutes_m), "per_label": refutes_m["per_label"]},
        },
        "ms_per_pair": round(1000 * elapsed / max(1, len(rows)), 3),
    }


def format_stance(title: str, res: dict[str, Any]) -> str:
    """Plain-text table: per-label P/R/F1 beside the baselines, then the confusion matrix."""
    d, b = res["detector"], res["baselines"]
    lines = [
        f"{title} (detector={d['name']} {d['version']}, n={res['n']}, {res['ms_per_pair']} ms/pair)",
        f"  {'label':<10} {'P':>6} {'R':>6} {'F1':>6} {'n':>6}   majority F1   always-refutes F1",
    ]
    for s in STANCES:
        m = res["per_label"][s]
        lines.append(
            f"  {s:<10} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} {m['support']:>6}"
            f"   {b['majority']['per_label'][s]['f1']:>11.3f}   {b['always_refutes']['per_label'][s]['f1']:>17.3f}"
        )
    lines.append(
        f"  macro-F1 {res['macro_f1']:.3f} (over {', '.join(res['macro_over'])}), accuracy {res['accuracy']:.3f};"
        f" majority ({b['majority']['label']}) {b['majority']['macro_f1']:.3f},"
        f" always-refutes {b['always_refutes']['macro_f1']:.3f}"
    )
    cm = res["confusion"]["rows_gold_columns_predicted"]
    lines.append("  confusion (rows gold, columns predicted: supports refutes neutral): " + str(cm))
    return "\n".join(lines)
