"""The figures a trained adapter's model card reports, measured right after training.

Why these two: the dev split says whether the adapter picks the right corpus
sentence for the questions this bot gets (tuning split; the shipped choice was
made on it), and WikiQA test (measure only, never trained on) says whether it
still ranks answer sentences in general. ``train reranker`` reruns reproduce
both within 0.01.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..answer.rerank import load_scorer
from ..config import Settings
from ..evaluation.items import QAItem, load_items
from .model_card import write_model_card


def dev_hits(settings: Settings, scorer: Any, items: Sequence[QAItem]) -> dict[str, Any]:
    """Hit@1 and hit@3 of the adapter alone over the pipeline's no-rerank candidate pool."""
    from ..answer.conversation import resolve
    from ..pipeline import QA

    qa = QA.load(replace(settings, answer=replace(settings.answer, rerank=False)))
    h1 = h3 = n = 0
    for it in items:
        if not it.answerable:
            continue
        q = qa.clean(it.question)
        query = qa.query(q, resolve(q, list(it.history)))
        pool = qa.select(query, decide=False).pool
        if not pool:
            n += 1
            continue
        good = np.array([it.answered_by(c.sentence.doc_id, c.sentence.text) for c in pool])
        order = np.argsort(-np.asarray(scorer.score(query.text, [c.sentence.text for c in pool])), kind="stable")
        h1 += bool(good[order[:1]].any())
        h3 += bool(good[order[:3]].any())
        n += 1
    return {"questions": n, "hit@1": round(h1 / max(1, n), 4), "hit@3": round(h3 / max(1, n), 4)}


def measure(settings: Settings, folder: Path, dev_file: Path, benchmarks: Path) -> dict[str, Any]:
    """Measure the adapter in ``folder``, store the figures in its record and model card, return the record."""
    meta = json.loads((folder / "reranker.json").read_text(encoding="utf-8"))
    scorer = load_scorer(folder)
    metrics: dict[str, Any] = {}
    if dev_file.is_file():
        metrics["dev"] = {
            "role": "tuning split; reranker alone over the candidate pool",
            **dev_hits(settings, scorer, load_items(dev_file)),
            "command": f"naltrexone-qa train reranker --out DIR --dev {dev_file}",
        }
    wikiqa = benchmarks / "wikiqa"
    if (wikiqa / "WikiQA-test.tsv").is_file():
        from ..evaluation.wikiqa import load_wikiqa, run_wikiqa

        questions = load_wikiqa(wikiqa, "test")
        res = run_wikiqa(questions, {"adapter": lambda q: np.asarray(scorer.score(q.question, q.sentences))})
        metrics["wikiqa-test"] = {
            "role": "measure only, never trained on",
            **{k: res["scorers"]["adapter"][k] for k in ("map", "mrr")},
            "questions": res["questions"],
            "command": f"naltrexone-qa bench wikiqa {wikiqa}",
        }
    meta["metrics"] = metrics
    (folder / "reranker.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    write_model_card(folder, meta)
    return dict(meta)
