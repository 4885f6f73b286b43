"""The one pipeline every front end calls: ``QA.load(settings)`` then ``qa.ask(question)``.

It composes the parts (embedder, index, retrievers, answerer, conflict flags)
from one :class:`~naltrexone_qa.config.Settings` and returns :class:`Answer`
objects, never formatted text, so the CLI, the chat, Slack, the HTTP API and the
evaluation harness cannot drift apart. Everything it holds after construction
is read-only, so one ``QA`` may answer from many threads at once.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any, Callable, Optional, Protocol, Sequence

import numpy as np

from .answer.abstain import Calibration
from .answer.balance import other_side, recited, with_other_side
from .answer.bank import load_bank
from .answer.conversation import Resolution, resolve
from .answer.features import Query, asked_kinds, centroid, term_weights
from .answer.heads import ANSWERABILITY, RELEVANCE, load_head
from .answer.lay_terms import expand, leaning_vector
from .answer.quotes import absorb_leads, cite, spanned
from .answer.ranker import Ranker
from .answer.rerank import Reranker, load_scorer, reranker_available
from .answer.safety import ABSTAIN, NOTICE, urgent_line
from .answer.select import Chooser, Selection
from .answer.spelling import Speller
from .config import Mode, Settings
from .disagree.flags import select_flags
from .disagree.registry import get_detector
from .embed.base import Embedder, get_embedder
from .errors import TooLongError, UsageError
from .index.build import ensure_index
from .index.loaded import LoadedIndex
from .index.store import ProgressFn
from .retrieve.faiss_store import set_threads
from .retrieve.retriever import Retriever, make_retriever
from .types import Answer, AnswerSentence, Citation, Conflict, Document, Hit, Sentence

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Answerer(Protocol):
    """What front ends need from the pipeline (``QA`` or a test double)."""

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        mode: Optional[str] = None,
        previous_answer: Optional[str] = None,
    ) -> Answer: ...


def clean_question(question: Any, limit: int = 2000) -> str:
    """Control characters out, whitespace folded; empty or over ``limit`` characters is an error.

    A question is never cut silently: every front end shows this same message.
    """
    if not isinstance(question, str):
        raise UsageError("the question must be text")
    q = " ".join(_CONTROL.sub(" ", question).split())
    if not q:
        raise UsageError("the question is empty; type a question about naltrexone")
    if len(q) > limit:
        raise TooLongError(f"the question is {len(q):,} characters long; the limit is {limit:,}; ask it more briefly")
    return q


class QA:
    """Hybrid retrieval plus extractive answering over one indexed corpus."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, settings: Optional[Settings] = None) -> None:
        self.settings = settings or Settings()
        self.index = index
        self.embedder = embedder
        self.built = False
        s = self.settings
        set_threads(s.retrieval.faiss_threads)
        self._retrievers: dict[Mode, Retriever] = {
            mode: make_retriever(mode, index.bm25, index.chunk_vectors, index.chunk_docs, embedder, s.retrieval)
            for mode in Mode
        }
        a = s.answer
        use_rerank = a.rerank and reranker_available(a.reranker_dir)
        variant = "" if use_rerank else "no-rerank"
        ranker = Ranker.load(a.fitted, variant)
        reranker: Optional[Reranker] = None
        if ranker.uses_rerank and use_rerank:
            reranker = load_scorer(a.reranker_dir, device=s.device)
        calibration = Calibration.load(a.fitted, variant)
        dim = index.sentence_vectors.dim
        head = load_head(ANSWERABILITY, a.fitted, s.model, dim, needed=bool(calibration.coef.get("prior")))
        pair_head = load_head(RELEVANCE, a.fitted, s.model, dim, needed=bool(ranker.weights.get("pair")))
        uses_bank = bool(ranker.weights.get("bank") or ranker.weights.get("bank_votes") or calibration.coef.get("bank"))
        bank = load_bank(a.fitted, index.sentences, embedder, dim, needed=uses_bank, lean=a.lean)
        self.chooser = Chooser(index, a, calibration, ranker, centroid(index), reranker, head, pair_head, bank)
        self.speller = Speller(sent.text for sent in index.sentences) if a.respell else None

    @classmethod
    def load(
        cls,
        settings: Optional[Settings] = None,
        *,
        rebuild: bool = False,
        progress: Optional[ProgressFn] = None,
        embedder: Optional[Embedder] = None,
        notify: Optional[Callable[[str], None]] = None,
        warm: bool = True,
        **overrides: Any,
    ) -> QA:
        """Load (building first if needed) the index for ``settings``.

        ``overrides`` are Settings fields (``corpus_dir=``, ``mode=``...) applied
        on top of ``settings`` or of the environment's settings. With ``notify`` the models
        are loaded now (and said so) unless ``warm`` is False: a caller that only needs the
        index (``naltrexone-qa index``) then never loads them when nothing is to be built.
        """
        if settings is None:
            settings = Settings.from_env(**overrides)
        elif overrides:
            settings = Settings.from_env({}, **{**_fields(settings), **overrides})
        embedder = embedder or get_embedder(settings)
        detector = get_detector(settings.detector, embedder=embedder)
        index, built = ensure_index(settings, embedder, detector, force=rebuild, progress=progress, notify=notify)
        qa = cls(index, embedder, settings)
        qa.built = built
        if notify is not None and warm:
            notify("Loading the models (a few seconds)...")
            qa.warm()
        return qa

    def warm(self) -> None:
        """Load the embedding model (and the reranker) now rather than on the first question."""
        self.embed_query("naltrexone")
        if self.chooser.reranker is not None:
            self.chooser.reranker.score("naltrexone", ["Naltrexone is an opioid antagonist."])

    @property
    def mode(self) -> Mode:
        return self.settings.retrieval.mode

    @property
    def documents(self) -> dict[str, Document]:
        return self.index.documents

    @property
    def sentences(self) -> list[Sentence]:
        return self.index.sentences

    def conflicts(self) -> list[Conflict]:
        return list(self.index.conflicts)

    def clean(self, question: Any) -> str:
        return clean_question(question, self.settings.max_question_chars)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.encode([text])[0]

    def _mode(self, mode: Optional[str | Mode]) -> Mode:
        return self.mode if mode is None else Mode.from_str(mode)

    def retrieve(
        self,
        question: str,
        k: int = 10,
        mode: Optional[str | Mode] = None,
        history: Sequence[str] = (),
        qvec: Optional[np.ndarray] = None,
    ) -> list[Hit]:
        """Ranked chunks for a question (history resolved first)."""
        m = self._mode(mode)
        q = self.clean(question)
        text = resolve(q, history).text if history else q
        return self._retrievers[m].retrieve(text, k, qvec)

    def query(self, question: str, res: Resolution) -> Query:
        """The question as the scorer sees it: resolved text and the user's own words, embedded."""
        a = self.settings.answer
        text = self.clean(res.text)
        if self.speller is not None:
            text, question = self.speller.respell(text), self.speller.respell(question)
        plain, vec = leaning_vector(self.embedder.encode, text, a.lean)
        own_vec = leaning_vector(self.embedder.encode, question, a.lean)[1] if res.followup else vec
        search = expand(text) if a.lay_terms else text
        own = (expand(question) if a.lay_terms else question) if res.followup else None
        asks = frozenset(asked_kinds(question) | asked_kinds(text))
        return Query(text, question, vec, own_vec, term_weights(self.index, search, own, a.carried_weight), asks, plain)

    def select(
        self,
        query: Query,
        mode: Optional[str | Mode] = None,
        timings: Optional[dict[str, float]] = None,
        decide: bool = True,
    ) -> Selection:
        """Retrieve for a resolved question and choose what to quote."""
        a = self.settings.answer
        t = time.perf_counter()
        search = expand(query.text) if a.lay_terms else query.text
        hits = self._retrievers[self._mode(mode)].retrieve(search, a.top_chunks, query.vec)
        neighbours = self.index.sentence_vectors.search(query.vec, max(a.gap_to, a.extra_candidates))[0]
        if timings is not None:
            timings["retrieve"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        sims = np.array([v for _, v in neighbours], dtype=np.float32)
        sel = self.chooser.choose(query, hits, [i for i, _ in neighbours], sims, decide=decide)
        if timings is not None:
            timings["select"] = (time.perf_counter() - t) * 1000
        return sel

    def citation(
        self,
        sentence_id: int,
        n: Optional[int],
        score: float = 0.0,
        avoid: Sequence[int] = (),
        chosen: Sequence[int] = (),
    ) -> Citation:
        """The exact quote of one sentence, from the sentence it points back to (``answer.quotes``).

        ``avoid``: the answer's other quoted sentences; ``chosen``: the ones chosen on their merits.
        """
        return cite(self.index, sentence_id, n, score, avoid, self.settings.answer.lead_in, chosen)

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        mode: Optional[str | Mode] = None,
        previous_answer: Optional[str] = None,
    ) -> Answer:
        """Answer with quoted, cited sentences, or abstain; never generates text.

        ``history`` holds the earlier user turns, oldest first; ``previous_answer``
        the bot's last answer text when the front end has it (follow-ups may point into it).
        """
        t0 = time.perf_counter()
        q = self.clean(question)
        turns = [h for h in (self._clean_or_none(h) for h in history) if h]
        res = resolve(q, turns, previous_answer)
        m = self._mode(mode)
        timings: dict[str, float] = {}
        t = time.perf_counter()
        query = self.query(q, res)
        timings["embed"] = (time.perf_counter() - t) * 1000
        sel = self.select(query, m, timings)
        t = time.perf_counter()
        score = {c.sentence.id: c.score for c in sel.pool}
        chosen = [c.sentence.id for c in sel.chosen]
        quoted = absorb_leads(chosen, self.index.sentences) if self.settings.answer.lead_in else chosen
        citations = [self.citation(sid, n, score[sid], quoted, chosen) for n, sid in enumerate(quoted, start=1)]
        t_flags = time.perf_counter()
        # An abstention shows no disagreement: "the articles don't answer that" above two quoted sides
        # reads as an answer after all, and nearly every such flag is beside a question they don't answer.
        flags = self._flags(citations, query, query.vec) if citations else []
        vectors, when = self.index.sentence_vectors, self.settings.flags.quote_both_sides
        other = other_side(flags, quoted, sel.pool, query.text, query.vec, vectors, when)
        ids = with_other_side(quoted, flags, other, self.settings.answer.max_sentences)
        if ids != quoted:
            citations = [
                self.citation(sid, n, score.get(sid, 0.0), ids, [*chosen, *ids]) for n, sid in enumerate(ids, start=1)
            ]
            flags = self._flags(citations, query, query.vec)
        timings["flags"] = (time.perf_counter() - t_flags) * 1000
        sentences = [AnswerSentence(c.text, c.n or 0) for c in citations]
        timings["answer"] = (time.perf_counter() - t) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        text = " ".join(f"{s.text} [{s.citation}]" for s in sentences) if sentences else ABSTAIN
        return Answer(
            question=q,
            answer=text,
            abstained=not sentences,
            confidence=sel.confidence,
            sentences=sentences,
            citations=citations,
            conflicts=flags,
            mode=m.value,
            timings_ms=timings,
            resolved_question=res.text,
            urgent=urgent_line(q),
            notice=NOTICE,
        )

    def _flags(self, citations: list[Citation], query: Query, qvec: np.ndarray) -> list[Conflict]:
        """The map's disagreements to show beside this answer, re-cited with the answer's numbers."""
        cited = {sid: c.n for c in citations for sid in spanned(self.index.sentences, c)}
        search = expand(query.text) if self.settings.answer.lay_terms else query.text
        chosen = select_flags(
            self.index.conflicts, cited, search, qvec, self.index.sentence_vectors, self.settings.flags
        )
        return recited(chosen, cited, lambda sid, n, score: self.citation(sid, n, score, list(cited)))

    def _clean_or_none(self, text: str) -> Optional[str]:
        try:
            return self.clean(text)
        except UsageError:
            return None


def _fields(settings: Settings) -> dict[str, Any]:
    from dataclasses import fields

    return {f.name: getattr(settings, f.name) for f in fields(settings)}
