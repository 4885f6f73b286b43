"""Score the QA pipeline against a Q&A file (schema in :mod:`.items`).

Why: every change to retrieval, answering or disagreement detection should
move numbers we can see. The harness knows nothing about our own Q&A set: any
file in the schema is validated (errors name the line) and scored the same way.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import numpy as np

from ..text import norm_text
from .ir_metrics import dedupe, first_relevant_rank, mean, recall_at_k, reciprocal_rank
from .items import QAItem, check_doc_ids, load_items

__all__ = ["QAItem", "check_doc_ids", "check_thresholds", "load_items", "run_eval", "score_item"]

log = logging.getLogger(__name__)

K_VALUES = (1, 3, 5, 10)
RETRIEVE_DEPTH = 20
# Case, curly quotes and whitespace do not matter when matching key phrases.
normalize = norm_text


def quote_problems(answer: Mapping[str, Any], documents: Mapping[str, Any]) -> list[str]:
    """Every quote (citations and conflict sides) must equal the corpus text at its offsets."""
    quotes = list(answer.get("citations", []))
    for c in answer.get("conflicts", []):
        quotes += [c["a"], c["b"]]
    problems = []
    for q in quotes:
        doc = documents.get(q.get("doc_id"))
        if doc is None:
            problems.append(f"quote from unknown doc {q.get('doc_id')!r}")
        elif doc.text[q["start"] : q["end"]] != q["text"]:
            problems.append(f"quote [{q['start']}:{q['end']}] differs from {q['doc_id']} text")
    numbers = {c.get("n") for c in answer.get("citations", [])}
    problems += [
        f"sentence cites missing [{s['citation']}]"
        for s in answer.get("sentences", [])
        if s.get("citation") not in numbers
    ]
    return problems


def score_item(
    item: QAItem, answer: Mapping[str, Any], doc_ranking: Sequence[str], documents: Mapping[str, Any], latency_ms: float
) -> dict[str, Any]:
    """One item's outcome and, for a miss, the reasons (the per-item failure list)."""
    rec: dict[str, Any] = {
        "id": item.id,
        "line": item.line,
        "question": item.question,
        "followup": item.followup,
        "answerable": item.answerable,
        "abstained": bool(answer.get("abstained")),
        "latency_ms": latency_ms,
    }
    cites = answer.get("citations", [])
    gold = set(item.gold_sources)
    cited = dedupe(c["doc_id"] for c in cites)
    gold_n = {c["n"] for c in cites if c["doc_id"] in gold}
    # A quote's lead-in (the sentence its "This ..." points back to) is context: only the chosen sentence counts.
    lead = {c.get("n"): int(c.get("lead_in", 0)) for c in cites}
    gold_quotes = [c["text"][lead[c.get("n")] :] for c in cites if c["doc_id"] in gold]
    gold_quotes += [
        s["text"][lead.get(s.get("citation"), 0) :] for s in answer.get("sentences", []) if s.get("citation") in gold_n
    ]
    phrases = [normalize(p) for p in item.must_contain_any]
    rec["cited_docs"] = cited
    rec["gold_cited"] = bool(gold.intersection(cited))
    rec["all_gold_cited"] = gold.issubset(cited)
    rec["phrase_found"] = not phrases or any(p in normalize(q) for q in gold_quotes for p in phrases)
    rec["correct"] = item.answerable and not rec["abstained"] and rec["gold_cited"] and rec["phrase_found"]
    conflicts = answer.get("conflicts", [])
    rec["flagged"] = bool(conflicts)
    srcs = set(item.disagreement_sources)
    rec["flag_on_sources"] = any(
        c["a"]["doc_id"] != c["b"]["doc_id"] and {c["a"]["doc_id"], c["b"]["doc_id"]} <= srcs for c in conflicts
    )
    rec["quote_problems"] = quote_problems(answer, documents)
    rec["n_quotes"] = len(cites) + 2 * len(conflicts)
    if item.answerable:
        rec["first_gold_rank"] = first_relevant_rank(doc_ranking, gold)
    why = []
    if item.answerable and rec["abstained"]:
        why.append("false abstention")
    elif item.answerable:
        if not rec["gold_cited"]:
            why.append(f"no gold source cited (cited {cited}, gold {sorted(gold)})")
        elif not rec["phrase_found"]:
            why.append("no key phrase in the gold quotes")
    if not item.answerable and not rec["abstained"]:
        why.append("missed abstention")
    if item.disagreement == "yes" and not rec["flagged"]:
        why.append("disagreement not flagged")
    if item.disagreement == "no" and rec["flagged"]:
        why.append("disagreement flagged where sources agree")
    why += rec["quote_problems"]
    rec["failures"] = why
    return rec


def _rate(num: int, den: int) -> Optional[float]:
    return round(num / den, 4) if den else None


def _r(x: Optional[float]) -> Optional[float]:
    return None if x is None else round(x, 4)


def aggregate(
    records: Sequence[Mapping[str, Any]],
    rankings: Mapping[str, Sequence[str]],
    gold: Mapping[str, Sequence[str]],
    chunk_docs: Mapping[str, Sequence[str]],
) -> dict[str, Any]:
    """Metrics for one mode; unanswerable items are scored, never dropped."""
    ans = [r for r in records if r["answerable"]]
    una = [r for r in records if not r["answerable"]]
    retrieval: dict[str, Any] = {"n": len(ans)}
    for k in K_VALUES:
        retrieval[f"recall@{k}"] = _r(mean(recall_at_k(list(chunk_docs[r["id"]]), gold[r["id"]], k) for r in ans))
    retrieval["mrr"] = _r(mean(reciprocal_rank(list(chunk_docs[r["id"]]), gold[r["id"]]) for r in ans))
    retrieval["mrr_doc"] = _r(mean(reciprocal_rank(list(rankings[r["id"]]), gold[r["id"]]) for r in ans))
    answers: dict[str, Any] = {"n": len(ans), "accuracy": _rate(sum(r["correct"] for r in ans), len(ans))}
    for name, sub in (
        ("self_contained", [r for r in ans if not r["followup"]]),
        ("followup", [r for r in ans if r["followup"]]),
    ):
        answers[name] = {"n": len(sub), "accuracy": _rate(sum(r["correct"] for r in sub), len(sub))}
    multi = [r for r in ans if len(gold[r["id"]]) > 1]
    answers["multi_source"] = {
        "n": len(multi),
        "all_gold_cited": _rate(sum(r["all_gold_cited"] for r in multi), len(multi)),
    }
    false_abs = sum(r["abstained"] for r in ans)
    missed = sum(not r["abstained"] for r in una)
    near = [r for r in una if r.get("category") != "off-topic"]
    off = [r for r in una if r.get("category") == "off-topic"]
    abstention: dict[str, Any] = {
        "answerable": {
            "n": len(ans),
            "false_abstentions": false_abs,
            "false_abstention_rate": _rate(false_abs, len(ans)),
        },
        "unanswerable": {
            "n": len(una),
            "missed_abstentions": missed,
            "abstention_rate": _rate(len(una) - missed, len(una)),
        },
        "decision_accuracy": _rate(len(ans) - false_abs + len(una) - missed, len(records)),
        # On-topic questions whose fact is not in the articles (everything unanswerable but off-topic).
        "near_miss": {"n": len(near), "abstention_rate": _rate(sum(r["abstained"] for r in near), len(near))},
        "off_topic": {"n": len(off), "abstention_rate": _rate(sum(r["abstained"] for r in off), len(off))},
    }
    by_category: dict[str, Any] = {}
    for cat in sorted({str(r.get("category")) for r in records if r.get("category")}):
        sub = [r for r in records if r.get("category") == cat]
        sub_ans = [r for r in sub if r["answerable"]]
        by_category[cat] = {
            "n": len(sub),
            "accuracy": _rate(sum(r["correct"] for r in sub_ans), len(sub_ans)),
            "abstained": _rate(sum(r["abstained"] for r in sub), len(sub)),
        }
    answers["by_category"] = by_category
    n_unans = sum(not r["answerable"] for r in records)
    yes = [r for r in records if r["label"] == "yes"]
    no = [r for r in records if r["label"] == "no"]
    tp, fp = sum(r["flagged"] for r in yes), sum(r["flagged"] for r in no)
    prec, rec_ = _rate(tp, tp + fp), _rate(tp, len(yes))
    f1 = (
        _r(2 * prec * rec_ / (prec + rec_))
        if prec and rec_
        else (0.0 if prec is not None and rec_ is not None else None)
    )
    disagreement = {
        "n_yes": len(yes),
        "n_no": len(no),
        "tp": tp,
        "fp": fp,
        "fn": len(yes) - tp,
        "flag_precision": prec,
        "flag_recall": rec_,
        "flag_f1": f1,
        "recall_on_labelled_sources": _rate(sum(r["flag_on_sources"] for r in yes), len(yes)),
        # A disagreement shown beside a question the articles don't answer (labelled or not): noise.
        "unanswerable_flagged": _rate(sum(r["flagged"] for r in records if not r["answerable"]), n_unans),
    }
    n_quotes = sum(r["n_quotes"] for r in records)
    bad = sum(len(r["quote_problems"]) for r in records)
    lat = np.array([r["latency_ms"] for r in records], dtype=float)
    return {
        "n_items": len(records),
        "retrieval": retrieval,
        "answers": answers,
        "abstention": abstention,
        "disagreement": disagreement,
        "citations": {
            "n_quotes": n_quotes,
            "problems": bad,
            "exactness": _rate(n_quotes - bad, n_quotes) if n_quotes else 1.0,
        },
        "latency_ms": {
            "p50": round(float(np.percentile(lat, 50)), 1),
            "p95": round(float(np.percentile(lat, 95)), 1),
            "mean": round(float(lat.mean()), 1),
        },
    }


def evaluate_mode(qa: Any, items: Sequence[QAItem], mode: str) -> dict[str, Any]:
    """Ask every question in one retrieval mode; return metrics and per-item records."""
    records, rankings, chunk_docs = [], {}, {}
    for it in items:
        hits = qa.retrieve(it.question, RETRIEVE_DEPTH, mode, history=list(it.history)) if it.answerable else []
        chunk_docs[it.id] = [h.doc_id for h in sorted(hits, key=lambda h: h.rank)]
        rankings[it.id] = dedupe(chunk_docs[it.id])
        t = time.perf_counter()
        answer = qa.ask(it.question, history=list(it.history), mode=mode).to_dict()
        ms = (time.perf_counter() - t) * 1000.0
        rec = score_item(it, answer, rankings[it.id], qa.documents, round(ms, 1))
        rec["label"] = it.disagreement
        rec["category"] = it.category
        rec["answer"] = answer.get("answer", "")
        records.append(rec)
        log.debug("%s %s: %s", mode, it.id, rec["failures"] or "ok")
    gold = {it.id: list(it.gold_sources) for it in items}
    metrics = aggregate(records, rankings, gold, chunk_docs)
    return {"metrics": metrics, "items": records}


def pair_scores(path: Path) -> dict[str, Any]:
    """Pair-level precision/recall of the rule detector, when the pairs file exists."""
    if not Path(path).is_file():
        return {"available": False, "reason": f"{path} not found"}
    from .pairs import evaluate_pairs

    return {"available": True, "file": str(path), **evaluate_pairs(Path(path))}


def run_eval(
    qa: Any, items: Sequence[QAItem], modes: Sequence[str], qa_path: str = "", pairs_path: Optional[Path] = None
) -> dict[str, Any]:
    """Every mode's metrics and failures, plus pair-level detector scores."""
    check_doc_ids(items, qa.documents, qa_path or "qa")
    result: dict[str, Any] = {"qa_file": qa_path, "n_items": len(items), "modes": {}, "failures": {}}
    for mode in modes:
        log.info("evaluating %d items in %s mode", len(items), mode)
        out = evaluate_mode(qa, items, mode)
        result["modes"][mode] = out["metrics"]
        result["failures"][mode] = [
            {k: r[k] for k in ("id", "line", "question", "failures", "cited_docs", "answer")}
            for r in out["items"]
            if r["failures"]
        ]
    result["pairs"] = pair_scores(pairs_path) if pairs_path else {"available": False, "reason": "no file given"}
    return result


def combine(results: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Several files' results as one table: columns "dev hybrid", "test hybrid"... (just the mode for one file)."""
    single = len(results) == 1
    out: dict[str, Any] = {"qa_files": {}, "n_items": {}, "modes": {}, "failures": {}, "columns": {}}
    for name, res in results.items():
        out["qa_files"][name] = res["qa_file"]
        out["n_items"][name] = res["n_items"]
        for mode, metrics in res["modes"].items():
            label = mode if single else f"{name} {mode}"
            out["modes"][label] = metrics
            out["failures"][label] = res["failures"][mode]
            out["columns"][label] = {"file": name, "mode": mode}
        out["pairs"] = res.get("pairs", {"available": False, "reason": "no file given"})
    return out


def metric_at(metrics: Mapping[str, Any], path: str) -> Optional[float]:
    """Look up a dotted path such as ``answers.accuracy``; None if missing."""
    cur: Any = metrics
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return None if cur is None else float(cur)


def check_thresholds(metrics: Mapping[str, Any], thresholds: Mapping[str, tuple[str, float]]) -> list[str]:
    """Messages for each threshold ``{path: ("min"|"max", value)}`` that is not met."""
    failed = []
    for path, (op, limit) in thresholds.items():
        val = metric_at(metrics, path)
        if val is None:
            failed.append(f"{path} is not measurable here (needed {op} {limit})")
        elif (op == "min" and val < limit) or (op == "max" and val > limit):
            failed.append(
                f"{path} = {val:g} is {'below the minimum' if op == 'min' else 'above the maximum'} {limit:g}"
            )
    return failed
