"""The pipeline behind the API: loaded in the background, answering on a thread pool.

Why in the background: ``/healthz`` should say "alive" while the index loads
and the model warms, and ``/readyz`` "ready" only after, so an orchestrator
routes no traffic to a worker that would make its first users wait. Why a
thread pool and no lock: ``QA`` is read-only once built (tests/test_pipeline.py
answers from 8 threads and gets the single-threaded answers), and the model
and FAISS release the GIL while they compute.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Optional, Sequence

from ...pipeline import Answerer
from ...types import Answer

log = logging.getLogger(__name__)


class NotReady(Exception):
    """The pipeline is still loading (or failed to load; the message says which)."""


class Service:
    """One pipeline, its conflicts as JSON, and the pool its answers run on."""

    def __init__(self, load: Callable[[], Answerer], threads: int = 8, warm: bool = True) -> None:
        self._load = load
        self._warm = warm
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="answer")
        self._answerer: Optional[Answerer] = None
        self.conflicts: list[dict[str, Any]] = []
        self.error: Optional[str] = None
        self._ready = threading.Event()

    @classmethod
    def of(cls, answerer: Answerer, threads: int = 8) -> Service:
        """A service over an already loaded pipeline (ready at once)."""
        service = cls(lambda: answerer, threads, warm=False)
        service.load()
        return service

    def start(self) -> None:
        """Load in a background thread; ``ready`` turns true when done."""
        if not self._ready.is_set():
            threading.Thread(target=self.load, name="load-pipeline", daemon=True).start()

    def load(self) -> None:
        try:
            answerer = self._load()
            if self._warm:
                answerer.ask("naltrexone")  # loads the model, so the first user does not wait for it
            conflicts = getattr(answerer, "conflicts", None)
            self.conflicts = [c.to_dict() for c in conflicts()] if callable(conflicts) else []
            self._answerer = answerer
            log.info("pipeline ready")
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("the pipeline failed to load")
        finally:
            self._ready.set()

    @property
    def ready(self) -> bool:
        return self._answerer is not None

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until loading has finished (well or not); True when ready."""
        self._ready.wait(timeout)
        return self.ready

    def answerer(self) -> Answerer:
        if self._answerer is None:
            raise NotReady(
                f"the pipeline failed to load ({self.error})" if self.error else "the index is still loading"
            )
        return self._answerer

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        mode: Optional[str] = None,
        previous_answer: Optional[str] = None,
    ) -> Answer:
        """Answer now (on the caller's thread): the Slack bot calls this from its own workers."""
        answerer = self.answerer()
        if mode is None and previous_answer is None:
            return answerer.ask(question, history=history)
        return answerer.ask(question, history=history, mode=mode, previous_answer=previous_answer)

    def submit(self, question: str, history: Sequence[str], mode: Optional[str]) -> Future[Answer]:
        """Answer on the pool (the HTTP handlers await this)."""
        return self.pool.submit(self.ask, question, history, mode)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
