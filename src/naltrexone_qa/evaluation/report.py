"""Turn an evaluation result into a table, report.md, metrics.json and a PNG chart.

Kept apart from ``evaluation`` so the scoring code stays small and so
matplotlib is imported only when a report is actually written.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

log = logging.getLogger(__name__)

# (label, dotted path into one mode's metrics); the order of the summary table.
SUMMARY = (
    ("Recall@1", "retrieval.recall@1"),
    ("Recall@3", "retrieval.recall@3"),
    ("Recall@5", "retrieval.recall@5"),
    ("Recall@10", "retrieval.recall@10"),
    ("MRR (chunks)", "retrieval.mrr"),
    ("MRR (documents)", "retrieval.mrr_doc"),
    ("Answer accuracy", "answers.accuracy"),
    ("  single-turn (self-contained)", "answers.self_contained.accuracy"),
    ("  multi-turn (follow-up)", "answers.followup.accuracy"),
    ("All gold sources cited (multi-source)", "answers.multi_source.all_gold_cited"),
    ("False abstention rate (answerable)", "abstention.answerable.false_abstention_rate"),
    ("False abstentions (answerable)", "abstention.answerable.false_abstentions"),
    ("Abstention rate (unanswerable)", "abstention.unanswerable.abstention_rate"),
    ("Missed abstentions (unanswerable)", "abstention.unanswerable.missed_abstentions"),
    ("  near-miss abstention (on-topic, not covered)", "abstention.near_miss.abstention_rate"),
    ("  off-topic abstention", "abstention.off_topic.abstention_rate"),
    ("Answer/abstain decision accuracy", "abstention.decision_accuracy"),
    ("Disagreement flag precision", "disagreement.flag_precision"),
    ("Disagreement flag recall", "disagreement.flag_recall"),
    ("Flag recall on labelled sources", "disagreement.recall_on_labelled_sources"),
    ("Unanswerable questions shown a disagreement", "disagreement.unanswerable_flagged"),
    ("Citation exactness", "citations.exactness"),
    ("Latency p50 (ms)", "latency_ms.p50"),
    ("Latency p95 (ms)", "latency_ms.p95"),
)
CHART = (
    ("Recall@5", "retrieval.recall@5"),
    ("MRR", "retrieval.mrr"),
    ("Accuracy", "answers.accuracy"),
    ("Follow-up acc.", "answers.followup.accuracy"),
    ("Abstain (unans.)", "abstention.unanswerable.abstention_rate"),
    ("Flag recall", "disagreement.flag_recall"),
    ("Flag precision", "disagreement.flag_precision"),
)


def _get(metrics: Mapping[str, Any], path: str) -> Any:
    cur: Any = metrics
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(part)
    return cur


def fmt(value: Any) -> str:
    """Rates to three decimals, larger numbers (ms, seconds) to one, counts as is; missing as an em dash."""
    if value is None:
        return "—"
    if isinstance(value, bool) or isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) <= 1 else f"{value:.1f}"
    return str(value)


def summary_rows(result: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the by-mode table, shared by the console and report.md."""
    modes = list(result["modes"])
    rows = [[label] + [fmt(_get(result["modes"][m], path)) for m in modes] for label, path in SUMMARY]
    return ["Metric"] + modes, rows


def counts_line(result: Mapping[str, Any]) -> str:
    """How many items of each kind were scored, per file (nothing is silently dropped)."""
    lines = []
    for name in result.get("qa_files", {"": None}):
        label = next(lab for lab, col in result["columns"].items() if col["file"] == name)
        m = result["modes"][label]
        a, ab = m["answers"], m["abstention"]
        lines.append(
            f"{name + ': ' if len(result['columns']) > 1 or name else ''}{m['n_items']} items: {a['n']} answerable "
            f"({a['self_contained']['n']} single-turn, {a['followup']['n']} multi-turn, "
            f"{a['multi_source']['n']} multi-source), {ab['unanswerable']['n']} unanswerable "
            f"({ab['near_miss']['n']} near-miss, {ab['off_topic']['n']} off-topic); disagreement labels: "
            f"{m['disagreement']['n_yes']} yes, {m['disagreement']['n_no']} no"
        )
    return "\n".join(lines)


def pairs_line(pairs: Mapping[str, Any]) -> str:
    """Pair-level detector scores, or why they are missing."""
    if not pairs.get("available"):
        return f"Pair-level conflict evaluation: not available ({pairs.get('reason', 'unknown')})."
    shown = {k: v for k, v in pairs.items() if k not in ("available", "file") and not isinstance(v, (list, dict))}
    return "Pair-level conflict evaluation: " + ", ".join(f"{k} = {fmt(v)}" for k, v in shown.items())


def hybrid_check(result: Mapping[str, Any]) -> Optional[str]:
    """Whether hybrid is at least as good as each single mode on Recall@5 and accuracy, per file (issue 6)."""
    columns = result.get("columns") or {m: {"file": "", "mode": m} for m in result["modes"]}
    worse, compared = [], False
    for name in sorted({c["file"] for c in columns.values()}):
        mine = {c["mode"]: lab for lab, c in columns.items() if c["file"] == name}
        if "hybrid" not in mine or len(mine) < 2:
            continue
        compared = True
        for label, path in (("Recall@5", "retrieval.recall@5"), ("answer accuracy", "answers.accuracy")):
            h = _get(result["modes"][mine["hybrid"]], path) or 0.0
            worse += [
                f"{label} below {mine[m]} ({fmt(h)} < {fmt(_get(result['modes'][mine[m]], path))})"
                for m in mine
                if m != "hybrid" and h < (_get(result["modes"][mine[m]], path) or 0.0)
            ]
    if not compared:
        return None
    return "Hybrid vs single modes: " + (
        "at least as good on Recall@5 and answer accuracy." if not worse else "; ".join(worse) + "."
    )


def markdown(result: Mapping[str, Any], failures_limit: int = 200) -> str:
    """The whole report as Markdown: counts, the by-mode table, pair scores, failures."""
    header, rows = summary_rows(result)
    lines = [
        "# Evaluation report",
        "",
        "Q&A files: " + ", ".join(f"{k} `{v}`" for k, v in result.get("qa_files", {}).items()),
        "",
        counts_line(result),
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    check = hybrid_check(result)
    lines += ["", check] if check else []
    lines += [
        "",
        "Recall@k: share of an item's gold documents among the documents of the top-k retrieved "
        "chunks; MRR: 1/rank of the first chunk (or document) from a gold source. Accuracy: not "
        "abstained, a gold source cited, and a key phrase inside a quote from a gold source.",
        "",
        pairs_line(result.get("pairs", {})),
        "",
        "![metrics by mode](chart.png)",
        "",
    ]
    for mode, fails in result.get("failures", {}).items():
        lines += [f"## Failures ({mode}): {len(fails)}", ""]
        for f in fails[:failures_limit]:
            lines.append(f"- `{f['id']}` (line {f['line']}): {f['question']} — " + "; ".join(f["failures"]))
        lines.append("")
    return "\n".join(lines)


def chart(result: Mapping[str, Any], path: Path) -> None:
    """Grouped bars of the headline rates, one colour per retrieval mode."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = list(result["modes"])
    width = 0.8 / max(1, len(modes))
    fig, ax = plt.subplots(figsize=(10, 4.5))
    for j, mode in enumerate(modes):
        vals = [_get(result["modes"][mode], p) or 0.0 for _, p in CHART]
        xs = [i + (j - (len(modes) - 1) / 2) * width for i in range(len(CHART))]
        ax.bar(xs, vals, width=width, label=mode)
    ax.set_xticks(range(len(CHART)), [label for label, _ in CHART], rotation=15)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("rate")
    ax.set_title(
        "naltrexone-qa evaluation (" + ", ".join(f"{k}: {v} items" for k, v in result["n_items"].items()) + ")"
    )
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(result: Mapping[str, Any], out_dir: Path | str) -> list[Path]:
    """Write report.md, metrics.json and chart.png into ``out_dir``; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.md", out / "metrics.json", out / "chart.png"]
    paths[0].write_text(markdown(result), encoding="utf-8")
    paths[1].write_text(json.dumps(result, indent=2, ensure_ascii=False, sort_keys=False), encoding="utf-8")
    chart(result, paths[2])
    log.info("report written to %s", out)
    return paths


def beir_rows(result: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The benchmark table: our modes beside the published nDCG@10."""
    published = result.get("published", {})
    header = ["Mode", "nDCG@10", "Recall@100", "MRR@10", "published nDCG@10", "seconds"]
    rows = []
    for mode, m in result["modes"].items():
        pub: Optional[float] = published.get(mode, {}).get("ndcg@10")
        rows.append(
            [mode, fmt(m["ndcg@10"]), fmt(m["recall@100"]), fmt(m.get("mrr@10")), fmt(pub), f"{m['seconds']:.1f}"]
        )
    return header, rows


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain fixed-width table for terminals and logs."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])
