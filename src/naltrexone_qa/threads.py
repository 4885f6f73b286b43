"""Torch's thread count for one model call, kept apart from FAISS's.

Why: FAISS and torch share one OpenMP pool in this process, and the FAISS
setting (``RetrievalSettings.faiss_threads``, one thread: a single query is too
little work to split) would otherwise hold every model call to one core as
well. Measured here (2 cores): the cross-encoder over 12 question-sentence
pairs takes 51 ms on one thread and 33 ms on two.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator


def model_thread_count() -> int:
    """Threads a model call may use: ``OMP_NUM_THREADS`` when set (as for several server workers), else every core."""
    env = os.environ.get("OMP_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not every platform has sched_getaffinity
        return max(1, os.cpu_count() or 1)


@contextmanager
def model_threads(n: int = 0) -> Iterator[None]:
    """Run the block with torch (and OpenMP) at ``n`` threads (0: every core), then restore the count."""
    import torch

    want = n or model_thread_count()
    before = torch.get_num_threads()
    if before == want:
        yield
        return
    torch.set_num_threads(want)
    try:
        yield
    finally:
        torch.set_num_threads(before)
