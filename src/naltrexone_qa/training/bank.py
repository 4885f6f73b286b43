"""``train bank``: build the question bank from the training split.

Each answerable training question (resolved against its history, as ``QA.ask``
resolves it) is paired with every sentence of its gold articles that holds one
of its key phrases: the sentences a right answer quotes. Near misses and other
unanswerable questions are not entries (they answer nothing). Only
``evals/train.jsonl`` is read; dev and test never are, so the figures the
ranker and the abstain decision report on dev stay honest. Deterministic: no
sampling, and the vectors are the embedder's.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..answer.bank import BankEntry, write_bank
from ..answer.conversation import resolve
from ..errors import DataError
from ..evaluation.items import QAItem, load_items
from ..pipeline import QA
from ..types import Sentence


def answering_sentences(sentences: Sequence[Sentence], item: QAItem) -> list[Sentence]:
    """The sentences of an item's gold articles that hold one of its key phrases (none for an unanswerable item)."""
    return [s for s in sentences if item.answered_by(s.doc_id, s.text)]


def build_bank(qa: QA, train_file: Path, out: Path) -> dict[str, Any]:
    """Write ``question_bank.json`` and ``.npy`` into ``out``; return the record (without the entries)."""
    items = load_items(train_file)
    sentences = [s for s in qa.sentences if s.answerable]
    entries: list[BankEntry] = []
    vectors: list[np.ndarray] = []
    unmatched = []
    for it in items:
        if not it.answerable:
            continue
        targets = answering_sentences(sentences, it)
        if not targets:
            unmatched.append(it.id)
            continue
        q = qa.clean(it.question)
        res = resolve(q, [qa.clean(h) for h in it.history])
        vec = qa.query(q, res).vec
        for s in targets:
            entries.append(BankEntry(res.text, s.doc_id, s.text))
            vectors.append(vec)
    if not entries:
        raise DataError(f"{train_file}: no answerable question has a key phrase in its gold articles")
    record = {
        "embedding_model": qa.embedder.name,
        "dim": int(vectors[0].shape[0]),
        "trained_on": {
            "file": train_file.name,
            "sha256": hashlib.sha256(train_file.read_bytes()).hexdigest(),
            "data": "questions written for this project from its articles (no third-party data)",
            "questions": len({e.question for e in entries}),
            "entries": len(entries),
            "sentences": len({(e.doc_id, e.sentence) for e in entries}),
            "questions_without_a_sentence": unmatched,
        },
        "command": f"naltrexone-qa train bank --out DIR --train-file {train_file}",
    }
    write_bank(out, entries, np.vstack(vectors), record)
    return record


__all__ = ["answering_sentences", "build_bank"]
