"""The one pipeline every front end calls: ``QA.load()`` then ``qa.ask()``.

It owns the loaded index and the embedding model, so the CLI, the chat, Slack
and the evaluation harness never retrieve or answer on their own.
"""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from .answering import GAP_TO, Selection, answer_selection
from .chunking import ChunkParams
from .conflict_map import conflicts_for_sentences
from .contradictions import SEVERITY_RANK
from .conversation import resolve
from .embedding import Embedder, model_name
from .errors import UsageError
from .index_store import IndexSettings, LoadedIndex, ProgressFn
from .indexing import ensure_index
from .models import Answer, AnswerSentence, Citation, Conflict, Document, Sentence
from .retrieval import Hit, rrf_fuse, weighted_fuse
from .safety import ABSTAIN, NOTICE, urgent_line

log = logging.getLogger(__name__)

MODES = ("hybrid", "bm25", "dense")
FUSIONS = ("rrf", "weighted")
CORPUS_ENV = "NALTREXONE_QA_CORPUS"
INDEX_ENV = "NALTREXONE_QA_INDEX"
MAX_QUESTION_CHARS = 2000
CANDIDATES = 30
TOP_CHUNKS = 6
NEIGHBOURS = GAP_TO
MAX_FLAGS = 3
FLAG_RELEVANCE = 0.6
EVIDENCE = 5
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def default_corpus_dir() -> Path:
    return Path(os.environ.get(CORPUS_ENV) or "corpus")


def default_index_dir() -> Path:
    return Path(os.environ.get(INDEX_ENV) or "index")


def clean_question(question: str) -> str:
    """Control characters out, whitespace folded, length bounded; empty is an error."""
    if not isinstance(question, str):
        raise UsageError("the question must be text")
    q = " ".join(_CONTROL.sub(" ", question).split())
    if not q:
        raise UsageError("the question is empty; type a question about naltrexone")
    return q[:MAX_QUESTION_CHARS]


class QA:
    """Hybrid retrieval plus extractive answering over one indexed corpus."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, mode: str = "hybrid",
                 fusion: str = "rrf") -> None:
        if mode not in MODES:
            raise UsageError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        if fusion not in FUSIONS:
            raise UsageError(f"unknown fusion {fusion!r}; choose one of {', '.join(FUSIONS)}")
        self.index = index
        self.embedder = embedder
        self.mode = mode
        self.fusion = fusion
        self.built = False

    @classmethod
    def load(cls, corpus_dir: Optional[str | Path] = None, index_dir: Optional[str | Path] = None,
             model: Optional[str] = None, mode: str = "hybrid", fusion: str = "rrf",
             chunk: Optional[ChunkParams] = None, rebuild: bool = False,
             progress: Optional[ProgressFn] = None) -> "QA":
        """Load (building first if needed) the index for a corpus and model."""
        corpus = Path(corpus_dir) if corpus_dir else default_corpus_dir()
        index_path = Path(index_dir) if index_dir else default_index_dir()
        embedder = Embedder(model_name(model))
        settings = IndexSettings(model=embedder.name, chunk=chunk or ChunkParams())
        index, built = ensure_index(corpus, index_path, settings, embedder, force=rebuild, progress=progress)
        qa = cls(index, embedder, mode=mode, fusion=fusion)
        qa.built = built
        return qa

    @property
    def documents(self) -> dict[str, Document]:
        return self.index.documents

    @property
    def sentences(self) -> list[Sentence]:
        return self.index.sentences

    def conflicts(self) -> list[Conflict]:
        return list(self.index.conflicts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.encode([text])[0]

    def retrieve(self, question: str, k: int = 10, mode: Optional[str] = None,
                 history: Sequence[str] = (), qvec: Optional[np.ndarray] = None) -> list[Hit]:
        """Ranked chunks for a question (history resolved first)."""
        mode = self._mode(mode)
        text = resolve(clean_question(question), history).text if history else clean_question(question)
        return self._ranked(text, k, mode, qvec)

    def _mode(self, mode: Optional[str]) -> str:
        """The given retrieval mode, or this pipeline's; unknown modes are a usage error."""
        mode = mode or self.mode
        if mode not in MODES:
            raise UsageError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        return mode

    def _ranked(self, text: str, k: int, mode: str, qvec: Optional[np.ndarray]) -> list[Hit]:
        """Ranked chunks for an already cleaned and resolved question."""
        n = max(k, CANDIDATES)
        bm25 = self.index.bm25.search(text, n) if mode != "dense" else []
        dense: list[tuple[int, float]] = []
        if mode != "bm25":
            qvec = self.embed_query(text) if qvec is None else qvec
            scores, ids = self.index.chunk_dense.search(qvec, n)
            dense = [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
        if mode == "bm25":
            ranked = bm25
        elif mode == "dense":
            ranked = dense
        elif self.fusion == "weighted":
            ranked = weighted_fuse([bm25, dense], weights=[0.4, 0.6])
        else:
            ranked = rrf_fuse([[i for i, _ in bm25], [i for i, _ in dense]])
        return [Hit(cid, self.index.chunks[cid].doc_id, score, rank)
                for rank, (cid, score) in enumerate(ranked[:k], start=1)]

    def select(self, text: str, qvec: np.ndarray, mode: str,
               timings: Optional[dict[str, float]] = None, decide: bool = True,
               own_question: Optional[str] = None) -> Selection:
        """Retrieve for a cleaned, resolved question and choose what to quote."""
        t = time.perf_counter()
        hits = self._ranked(text, TOP_CHUNKS, mode, qvec)
        sims, ids = self.index.sentence_dense.search(qvec, NEIGHBOURS)
        keep = ids[0] >= 0
        if timings is not None:
            timings["retrieve"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        sel = answer_selection(text, qvec, hits, self.index, [int(i) for i in ids[0][keep]], sims[0][keep],
                               decide=decide, own_question=own_question)
        if timings is not None:
            timings["select"] = (time.perf_counter() - t) * 1000
        return sel

    def citation(self, sentence_id: int, n: Optional[int], score: float = 0.0) -> Citation:
        s = self.index.sentences[sentence_id]
        doc = self.index.documents[s.doc_id]
        return Citation(n=n, doc_id=s.doc_id, title=doc.title, section=s.section, start=s.start,
                        end=s.end, text=doc.text[s.start:s.end], score=score, sentence_id=s.id)

    def ask(self, question: str, history: Sequence[str] = (), mode: Optional[str] = None) -> Answer:
        """Answer with quoted, cited sentences, or abstain; never generates text."""
        t0 = time.perf_counter()
        q = clean_question(question)
        history = [h for h in (clean_or_none(h) for h in history) if h]
        res = resolve(q, history)
        mode = self._mode(mode)
        timings: dict[str, float] = {}
        t = time.perf_counter()
        qvec = self.embed_query(res.text)
        timings["embed"] = (time.perf_counter() - t) * 1000
        sel = self.select(clean_question(res.text), qvec, mode, timings, own_question=q if res.followup else None)
        t = time.perf_counter()
        citations = [self.citation(c.sentence.id, n, c.score) for n, c in enumerate(sel.chosen, start=1)]
        sentences = [AnswerSentence(c.text, c.n or 0) for c in citations]
        evidence = {c.sentence.id for c in sel.pool[:EVIDENCE]} if citations else set()
        flags = self._flags(citations, evidence, qvec)
        timings["answer"] = (time.perf_counter() - t) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        text = " ".join(f"{s.text} [{s.citation}]" for s in sentences) if sentences else ABSTAIN
        return Answer(
            question=q, answer=text, abstained=not sentences, confidence=sel.confidence,
            sentences=sentences, citations=citations, contradictions=flags, mode=mode,
            timings_ms=timings, resolved_question=res.text, urgent=urgent_line(q), notice=NOTICE,
        )

    def _flags(self, citations: list[Citation], evidence: set[int], qvec: np.ndarray) -> list[Conflict]:
        """Conflicts that touch what the answer quotes, most relevant first.

        A conflict is shown when one side is quoted in the answer, or when both
        sides are among the strongest evidence for the question, and a side
        not quoted is itself close to the question (cosine >= FLAG_RELEVANCE);
        one side merely being near the question is how false alarms arise.
        """
        cited = {c.sentence_id: c.n for c in citations}
        found = conflicts_for_sentences(self.index.conflicts, set(cited) | evidence)
        vecs = self.index.sentence_vectors

        def relevant(c: Conflict) -> bool:
            # Both sides must speak to the question, not only the quoted one:
            # a quote can take part in a disagreement about something else.
            if not (c.a.sentence_id in cited or c.b.sentence_id in cited
                    or {c.a.sentence_id, c.b.sentence_id} <= evidence):
                return False
            return all(float(vecs[sid] @ qvec) >= FLAG_RELEVANCE for sid in (c.a.sentence_id, c.b.sentence_id)
                       if sid not in cited)

        found = [c for c in found if relevant(c)]
        found.sort(key=lambda c: (-((c.a.sentence_id in cited) + (c.b.sentence_id in cited)),
                                  -SEVERITY_RANK.get(c.severity, 0), -c.score))
        out = []
        for conf in found[:MAX_FLAGS]:
            a = self.citation(conf.a.sentence_id, cited.get(conf.a.sentence_id), conf.a.score)
            b = self.citation(conf.b.sentence_id, cited.get(conf.b.sentence_id), conf.b.score)
            out.append(Conflict(conf.kind, conf.severity, conf.score, conf.explanation, conf.topic, a, b))
        return out


def clean_or_none(text: str) -> Optional[str]:
    try:
        return clean_question(text)
    except UsageError:
        return None
