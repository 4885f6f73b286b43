"""``naltrexone-qa calibrate``: fit the ranker and the answer/abstain decision on dev questions.

Inputs are the dev split (questions with the right sentences known) and
``evals/calibration.jsonl`` (questions marked answerable or not); the test
split is never read. Outputs are ``ranker.json`` and ``calibration.json``
written where the user says; the shipped ones are regenerated with
``naltrexone-qa calibrate --out src/naltrexone_qa/answer`` in a checkout.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple, Optional, Sequence

import numpy as np

from ..answer.abstain import Calibration
from ..answer.bank import BANK_FILE, load_bank, write_bank
from ..answer.heads import ANSWERABILITY, RELEVANCE, load_head
from ..answer.ranker import Ranker
from ..answer.rerank import load_scorer, reranker_available
from ..errors import DataError
from ..jsonl import read_jsonl
from ..pipeline import QA
from .fit import decision_figures, examples, fit_abstention, fit_ranker, rescore
from .items import QAItem, load_items

RANKER_FEATURES = (
    "dense",
    "lex",
    "chunk",
    "framing",
    "ctx",
    "head",
    "dense_own",
    "asks_number",
    "asks_frequency",
    "asks_name",
    "asks_study",
)
ABSTAIN_FEATURES = ("top", "margin", "dense", "centroid", "gap", "unknown", "asks_unmet")
MAX_FALSE_ABSTENTION = 0.03  # the threshold is the highest whose out-of-fold false abstention stays at or below


def read_items(path: Path) -> list[QAItem]:
    """Calibration questions: {"question", "answerable"} (and optional "history") per line."""
    items = []
    for n, row in read_jsonl(path):
        if not isinstance(row.get("question"), str) or not isinstance(row.get("answerable"), bool):
            raise DataError(f'{path}:{n}: needs "question" (text) and "answerable" (true/false)')
        items.append(
            QAItem(
                f"cal-{n}",
                row["question"],
                tuple(row.get("history") or ()),
                row["answerable"],
                (),
                (),
                "any",
                (),
                n,
                "calibration",
            )
        )
    if not items or len({i.answerable for i in items}) < 2:
        raise DataError(f"{path} needs both answerable and unanswerable questions")
    return items


# Margins tried; the top one keeps answers at about three quotes on average on dev (3.0 with the
# question bank's votes; 6 quoted four sentences in 81% of answers for no more right ones).
MARGINS = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)


def _margin(exs: Sequence[Any], ranker: Ranker, grid: Sequence[float] = MARGINS) -> float:
    """The smallest margin whose dev hit rate equals the best (shorter answers only when they cost nothing).

    Scores are log-odds of a pairwise preference, so a margin m quotes a sentence the
    ranker prefers the best one to with odds below e**m. The hit rate only grows with the
    margin. "Within a point of the best" (before stop 31) was one question of dev's 176,
    and the choice flipped between 3.0 and 4.0 from one machine to another.
    """
    rates = {}
    for m in grid:
        found = 0
        for e in exs:
            if not len(e.features):
                continue
            s = ranker.score(e.features)
            order = np.argsort(-s, kind="stable")[:4]
            kept = [i for i in order if s[i] >= s[order[0]] - m]
            found += bool(e.good[kept].any())
        rates[m] = found / max(1, len(exs))
    best = max(rates.values())
    return min(m for m, r in rates.items() if r >= best)


def _threshold(probs: np.ndarray, answerable: np.ndarray) -> float:
    """The highest threshold whose out-of-fold false abstention is at most MAX_FALSE_ABSTENTION."""
    for t in np.round(np.arange(0.95, 0.04, -0.01), 2):
        if float((probs[answerable] < t).mean()) <= MAX_FALSE_ABSTENTION:
            return float(t)
    return 0.05


ABSTAIN_C_GRID = (1.0, 3.0, 10.0, 30.0)  # with training questions: C chosen on dev (decision accuracy)


class Sources(NamedTuple):
    """What the abstain decision learns from: names and sizes for its record, and the training examples."""

    dev_name: str
    extra_name: str
    n_extra: int
    train_name: str = ""
    train: Sequence[Any] = ()


def _abstain_on_train(
    feats: Sequence[dict[str, float]], answerable: np.ndarray, n_dev: int, names: list[str], src: Sources
) -> dict[str, Any]:
    """Fitted on the cross-fitted training questions and the extra ones; C chosen on dev, which it never sees.

    ``feats`` and ``answerable`` run dev, extra, training. The threshold is the highest whose
    out-of-fold false abstention on the fitted questions stays within MAX_FALSE_ABSTENTION.
    """
    fit_f, fit_y = list(feats[n_dev:]), answerable[n_dev:]
    dev_y = answerable[:n_dev]
    tried: dict[float, dict[str, Any]] = {}
    for c in ABSTAIN_C_GRID:
        rec = fit_abstention(fit_f, list(fit_y), names, c)
        oof = np.array(rec.pop("oof_probabilities"))
        rec["threshold"] = _threshold(oof, fit_y)
        rec["cross_validated"] = decision_figures(oof, fit_y, rec["threshold"])
        decide = Calibration.from_record(rec, "the fitted decision")  # as QA.ask will read it
        rec["dev"] = decision_figures(np.array([decide.confidence(f) for f in feats[:n_dev]]), dev_y, rec["threshold"])
        tried[c] = rec
    best = max(ABSTAIN_C_GRID, key=lambda c: (tried[c]["dev"]["decision_accuracy"], -c))
    out = {**tried[best], "C": best}
    out["dev_by_C"] = {str(c): r["dev"] for c, r in tried.items()}
    n_train = len(src.train)
    out["fitted_on"] = (
        f"{src.train_name} ({n_train}, cross-fitted: heads and bank refitted without each fold's writers) + "
        f"{src.extra_name} ({src.n_extra}): {int(fit_y.sum())} answerable, {int((~fit_y).sum())} not; "
        f"C chosen on {src.dev_name} ({n_dev}), which is not fitted on"
    )
    out["cross_validated_on"] = "the fitted questions (out-of-fold)"
    return out


def _fit_variant(
    exs: Sequence[Any],
    n_dev: int,
    names: Sequence[str],
    uses_rerank: bool,
    learned: Sequence[str],
    c: float,
    src: Sources,
) -> dict[str, Any]:
    answerable_dev = [e for e in exs[:n_dev] if e.item.answerable]
    ranker = fit_ranker(answerable_dev, names, c, uses_rerank)
    ranker = Ranker(ranker.weights, _margin(answerable_dev, ranker), uses_rerank, ranker.record)
    feats = rescore(exs, ranker)
    answerable = np.array([e.item.answerable for e in exs])
    abstain_names = [*ABSTAIN_FEATURES, "rerank_top"] if uses_rerank else list(ABSTAIN_FEATURES)
    abstain_names += learned
    if src.train:
        return {
            "ranker": ranker.to_record(),
            "calibration": _abstain_on_train(feats, answerable, n_dev, abstain_names, src),
        }
    abstain = fit_abstention(feats, list(answerable), abstain_names, c)
    oof = np.array(abstain.pop("oof_probabilities"))
    abstain["threshold"] = _threshold(oof, answerable)
    abstain["cross_validated"] = decision_figures(oof, answerable, abstain["threshold"])
    abstain["fitted_on"] = (
        f"{src.dev_name} ({n_dev}) + {src.extra_name} ({src.n_extra}): "
        f"{int(answerable.sum())} answerable, {int((~answerable).sum())} not"
    )
    return {"ranker": ranker.to_record(), "calibration": abstain}


def reading_all(qa: QA) -> QA:
    """The pipeline as fitting needs it: the reranker (when there is one) reads every candidate.

    The shipped ranker may predate the adapter, so the adapter is attached all the same;
    the heads the caller attached are kept.
    """
    a = qa.settings.answer
    scorer = qa.chooser.reranker
    if scorer is None and a.rerank and reranker_available(a.reranker_dir):
        scorer = load_scorer(a.reranker_dir)
    if scorer is None:
        return qa
    out = QA(qa.index, qa.embedder, replace(qa.settings, answer=replace(a, rerank_top=10_000)))
    out.chooser.reranker = scorer  # the new chooser loaded the old records, which may not use it
    out.chooser.head, out.chooser.pair_head = qa.chooser.head, qa.chooser.pair_head
    out.chooser.bank = qa.chooser.bank
    return out


def adopt_parts(qa: QA, folder: Path) -> list[str]:
    """Attach the heads and question bank ``train heads`` / ``train bank`` wrote into ``folder``.

    Why: those commands say to refit with ``calibrate --out DIR``; without this the shipped
    heads and bank would be fitted with (and then written over the new ones in DIR).
    """
    used = []
    dim, ch = qa.index.sentence_vectors.dim, qa.chooser
    for kind in (ANSWERABILITY, RELEVANCE):
        if (folder / kind.file).is_file():
            head = load_head(kind, folder, qa.settings.model, dim, needed=False)
            if head is not None:
                if kind is ANSWERABILITY:
                    ch.head = head
                else:
                    ch.pair_head = head
                used.append(kind.file)
    if adopt_bank(qa, folder):
        used.append(BANK_FILE)
    return used


def adopt_bank(qa: QA, folder: Path) -> bool:
    """Attach the question bank ``train bank`` wrote into ``folder``, if there is one (then True).

    ``train heads`` uses it alone: the pair head learns from the candidates the bank's votes add.
    """
    if not (folder / BANK_FILE).is_file():
        return False
    dim, lean = qa.index.sentence_vectors.dim, qa.settings.answer.lean
    qa.chooser.bank = load_bank(folder, qa.index.sentences, qa.embedder, dim, needed=False, lean=lean)
    return True


def calibrate(
    qa: QA,
    dev_path: Path,
    calibration_path: Optional[Path],
    out_dir: Optional[Path],
    ranker_features: Sequence[str] = RANKER_FEATURES,
    c: float = 1.0,
    train: Sequence[Any] = (),
    train_name: str = "",
) -> dict[str, Any]:
    """Fit the records (with the reranker's signal when a reranker is loaded, and without it) and write them.

    Files: ranker.json and calibration.json (the main variant), ranker.no-rerank.json and
    calibration.no-rerank.json (used when answering with --no-rerank or without an adapter).
    When the pipeline has the heads (``naltrexone-qa train heads``), the relevance head's
    ``pair`` joins the ranker and the answerability head's ``prior`` the abstain decision;
    with a question bank (``train bank``), ``bank`` joins both. The heads and the bank are
    written beside the records, so the folder is complete for ``--fitted DIR``.

    ``train`` (examples of training questions, cross-fitted: ``training.crossfit``) moves the
    abstain decision onto them and the calibration questions, with dev choosing its C; the
    ranker is fitted on dev either way (it ranks dev's questions better than one fitted on
    the training questions: out-of-fold hit@1 0.706 against 0.687).
    """
    dev = load_items(dev_path)
    extra = read_items(calibration_path) if calibration_path else []
    qa = reading_all(qa)
    with_rerank = qa.chooser.reranker is not None
    head, pair_head = qa.chooser.head, qa.chooser.pair_head
    exs = [*examples(qa, dev + extra), *train]
    src = Sources(dev_path.name, calibration_path.name if calibration_path else "-", len(extra), train_name, train)
    plain = [f for f in ranker_features if f not in ("rerank", "pair", "bank", "bank_votes")]
    if pair_head is not None:
        plain.append("pair")
    if qa.chooser.bank is not None:
        plain += ["bank", "bank_votes"]
    # Question signals from the learned parts the pipeline has (each 0 without its part).
    learned = [name for name, used in (("prior", head), ("bank", qa.chooser.bank)) if used is not None]
    variants = {"no-rerank": _fit_variant(exs, len(dev), plain, False, learned, c, src)}
    variants[""] = (
        _fit_variant(exs, len(dev), [*plain, "rerank"], True, learned, c, src) if with_rerank else variants["no-rerank"]
    )
    records = {}
    for variant, recs in variants.items():
        for kind, rec in recs.items():
            records[f"{kind}.{variant}.json" if variant else f"{kind}.json"] = rec
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, rec in records.items():
            (out_dir / name).write_text(json.dumps(rec, indent=2) + "\n", encoding="utf-8")
        for used in (head, pair_head):
            if used is not None:
                (out_dir / used.kind.file).write_text(json.dumps(dict(used.record), indent=1) + "\n", encoding="utf-8")
        used_bank = qa.chooser.bank.source if qa.chooser.bank is not None else None
        if used_bank is not None:
            write_bank(out_dir, used_bank.entries, used_bank.vectors, used_bank.record)
    return records
