"""The question bank: training questions, each with the corpus sentence that answers it.

Why: two questions asking the same thing are far closer, for a bi-encoder like
MiniLM (trained largely on pairs of duplicate questions), than a question is to
the sentence answering it. "will it stop me getting high" and "does it block
the euphoria" land near each other; either lands further from "It blocks the
euphoria or high associated with these substances". So a new question is also
compared with the training questions (``evals/train.jsonl``, written by people
who saw only the articles) whose answer each candidate sentence is:

- ``bank`` (a candidate signal of the ranker): the question's cosine to the
  nearest training question this sentence answers; a sentence no training
  question points at keeps its own cosine, so documents added later are judged
  as before rather than pushed down.
- ``bank_votes`` (a candidate signal too): how many of the question's k nearest
  training questions the sentence answers; a sentence several close wordings
  point at is a surer answer than one a single lucky wording reaches. A
  sentence no training question points at has no votes: for documents added
  later, write training questions about them and rebuild the bank.
- ``bank`` (a question signal of the answer/abstain decision): the best
  candidate's ``bank``. Near misses ("does medicaid pay for the shot?") are
  far from every training question the articles answer.

It is data, not code: ``question_bank.json`` holds the questions and their
sentences (by document id and text, so a re-built index finds them again, in a
renamed file too; an entry whose sentence is gone is left out), ``question_bank.npy`` the question
vectors (read with ``allow_pickle=False``), re-embedded at load when they come
from another model. ``naltrexone-qa train bank --out DIR`` rebuilds both.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Optional, Sequence

import numpy as np

from ..embed.base import Embedder
from ..errors import ModelError
from ..text import norm_text
from ..types import Sentence
from .lay_terms import leaning_vectors

log = logging.getLogger(__name__)

BANK_FILE = "question_bank.json"
VECTORS_FILE = "question_bank.npy"
KIND = "question-bank"


class BankEntry(NamedTuple):
    """A training question (resolved against its history) and the sentence that answers it."""

    question: str
    doc_id: str
    sentence: str


@dataclass(frozen=True)
class QuestionBank:
    """The entries, their vectors when stored (row per entry) and the record that says where they came from."""

    entries: tuple[BankEntry, ...]
    vectors: Optional[np.ndarray]
    record: Mapping[str, Any]

    @classmethod
    def load(cls, folder: Optional[Path] = None) -> Optional[QuestionBank]:
        """The bank in ``folder`` (else the one shipped in the package); None when there is none."""
        if folder is None:
            res = resources.files("naltrexone_qa.answer")
            if not res.joinpath(BANK_FILE).is_file():
                return None
            text, where = res.joinpath(BANK_FILE).read_text(encoding="utf-8"), f"the shipped {BANK_FILE}"
            raw = res.joinpath(VECTORS_FILE).read_bytes() if res.joinpath(VECTORS_FILE).is_file() else None
        else:
            path = Path(folder) / BANK_FILE
            if not path.is_file():
                return None
            vec_path = Path(folder) / VECTORS_FILE
            try:
                text, where = path.read_text(encoding="utf-8"), str(path)
                raw = vec_path.read_bytes() if vec_path.is_file() else None
            except OSError as exc:
                raise ModelError(f"cannot read the question bank in {folder}: {exc.strerror}") from None
        return cls.parse(text, raw, where)

    @classmethod
    def parse(cls, text: str, raw_vectors: Optional[bytes], where: str) -> QuestionBank:
        """A bank from its JSON text and (optionally) the bytes of its .npy vectors."""
        try:
            record = json.loads(text)
            if not isinstance(record, dict) or record.get("kind") != KIND:
                raise ValueError(f"kind is not {KIND!r}")
            entries = tuple(
                BankEntry(str(e["question"]), str(e["doc_id"]), str(e["sentence"])) for e in record["entries"]
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{where} is not a question bank ({exc})") from None
        if not entries:
            raise ModelError(f"{where} is not a question bank (no entries)")
        vectors = None
        if raw_vectors is not None:
            try:
                vectors = np.load(io.BytesIO(raw_vectors), allow_pickle=False).astype(np.float32)
            except (ValueError, OSError) as exc:
                raise ModelError(f"the vectors beside {where} cannot be read ({exc})") from None
            if vectors.ndim != 2 or len(vectors) != len(entries) or not np.isfinite(vectors).all():
                raise ModelError(f"the vectors beside {where} do not match its {len(entries)} entries")
        meta = {k: v for k, v in record.items() if k != "entries"}
        return cls(entries, vectors, meta)

    def bind(
        self, sentences: Sequence[Sentence], embedder: Embedder, dim: int, lean: float = 0.0
    ) -> Optional[BoundBank]:
        """The entries whose sentence this index has, as sentence ids and vectors of this embedder.

        Stored vectors are used when they come from this embedder and have the index's
        vector size ``dim`` (asking the embedder would load its model just to say); otherwise
        the questions are embedded now (a second or two), so the bank works with any model,
        leaning ``lean`` toward their clinical words as questions are (``lay_terms.leaning_vector``).
        """
        where: dict[tuple[str, str], int] = {}
        by_text: dict[str, int] = {}
        for s in sentences:
            if s.answerable:
                where.setdefault((s.doc_id, norm_text(s.text)), s.id)
                by_text.setdefault(norm_text(s.text), s.id)
        rows, sids = [], []
        for i, e in enumerate(self.entries):
            # The same document first; else the same sentence under another name (a renamed or converted file).
            text = norm_text(e.sentence)
            sid = where.get((e.doc_id, text), by_text.get(text))
            if sid is not None:
                rows.append(i)
                sids.append(sid)
        if len(rows) < len(self.entries):
            log.info("question bank: %d of %d entries point at sentences this index has", len(rows), len(self.entries))
        if not rows:
            return None
        same_model = Path(str(self.record.get("embedding_model", ""))).name == Path(embedder.name).name
        if self.vectors is not None and same_model and self.vectors.shape[1] == dim:
            vectors = self.vectors[rows]
        else:
            log.info("question bank: embedding its %d questions with %s", len(rows), embedder.name)
            vectors = leaning_vectors(embedder.encode, [self.entries[i].question for i in rows], lean)
        return BoundBank(np.asarray(vectors, dtype=np.float32), np.asarray(sids, dtype=np.int64), self)


@dataclass(frozen=True)
class BoundBank:
    """Bank vectors and the sentence id each points at, for one index and one embedder (read-only).

    ``source`` is the bank they came from, so ``calibrate`` can write the very bank it fitted with.
    """

    vectors: np.ndarray
    sentence_ids: np.ndarray
    source: Optional[QuestionBank] = None
    _memo: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The pool (``voted``) and the features (``scores``) both need one question's similarities:
        # computed once per question vector (a few recent ones kept; lru_cache is thread-safe).
        object.__setattr__(self, "_memo", lru_cache(maxsize=8)(self._nearest))

    def _nearest(self, key: bytes) -> tuple[np.ndarray, np.ndarray]:
        """Cosines to every bank question and their order, nearest first. Not ``vectors @ query``: for a
        bank of a thousand questions that is a threaded OpenBLAS call whose threads then spin and halve
        the speed of the model that runs next (measured: question embedding 9 -> 17 ms); einsum's own
        loop is faster here too."""
        query = np.frombuffer(key, dtype=self.vectors.dtype)
        sims = np.einsum("ij,j->i", self.vectors, query)
        return sims, np.argsort(-sims, kind="stable")

    def _sims(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        result: tuple[np.ndarray, np.ndarray] = self._memo(
            np.ascontiguousarray(query, dtype=self.vectors.dtype).tobytes()
        )
        return result

    def scores(self, query: np.ndarray, ids: Sequence[int], own: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Per candidate: the cosine to the nearest training question it answers (else ``own``, its own
        cosine), and how many of the question's ``k`` nearest training questions it answers (its votes)."""
        sims, order = self._sims(query)
        best: dict[int, float] = {}
        for sid, sim in zip(self.sentence_ids.tolist(), sims.tolist(), strict=True):
            if sim > best.get(sid, -2.0):
                best[sid] = sim
        near = order[: max(0, k)]
        votes: dict[int, int] = {}
        for sid in self.sentence_ids[near].tolist():
            votes[sid] = votes.get(sid, 0) + 1
        top = np.array([best.get(int(sid), float(o)) for sid, o in zip(ids, own, strict=True)], dtype=np.float64)
        return top, np.array([float(votes.get(int(sid), 0)) for sid in ids], dtype=np.float64)

    def voted(self, query: np.ndarray, k: int) -> list[int]:
        """The sentences the question's ``k`` nearest training questions point at, nearest first.

        They join the candidates: a sentence that answers a near-identical training question
        belongs in the pool even when neither search ranks its chunk high ("Is naltrexone
        addictive?" matches every chunk about addiction before the one saying it is not addictive).
        """
        if k <= 0 or not len(self.sentence_ids):
            return []
        near = self._sims(query)[1][:k]
        return list(dict.fromkeys(int(s) for s in self.sentence_ids[near].tolist()))


def write_bank(
    out: Path, entries: Sequence[BankEntry], vectors: Optional[np.ndarray], record: Mapping[str, Any]
) -> None:
    """Write ``question_bank.json`` and ``question_bank.npy`` (float16: half the size, cosines to 1e-3).

    Without vectors only the JSON is written (any old .npy removed): the questions are embedded at load.
    """
    out.mkdir(parents=True, exist_ok=True)
    body = {**record, "kind": KIND, "entries": [e._asdict() for e in entries]}
    (out / BANK_FILE).write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if vectors is None:
        (out / VECTORS_FILE).unlink(missing_ok=True)
    else:
        np.save(out / VECTORS_FILE, np.asarray(vectors, dtype=np.float16), allow_pickle=False)


def load_bank(
    folder: Optional[Path], sentences: Sequence[Sentence], embedder: Embedder, dim: int, needed: bool, lean: float = 0.0
) -> Optional[BoundBank]:
    """The bank for a pipeline, bound to its index: None when absent; an error when the records need it."""
    bank = QuestionBank.load(folder)
    if bank is None:
        if needed:
            raise ModelError(
                f"the fitted records in {folder or 'the package'} use the question bank but there is no "
                f"{BANK_FILE} beside them; run 'naltrexone-qa train bank --out DIR' into that folder"
            )
        return None
    bound = bank.bind(sentences, embedder, dim, lean)
    if bound is None:
        log.warning("no question in the question bank points at a sentence of this index: the bank is left out")
    return bound


__all__ = [
    "BANK_FILE",
    "VECTORS_FILE",
    "BankEntry",
    "BoundBank",
    "QuestionBank",
    "load_bank",
    "write_bank",
]
