"""Model calls use every core even though FAISS keeps one thread; OMP_NUM_THREADS still rules when set."""

from __future__ import annotations

import pytest
import torch

from naltrexone_qa.threads import model_thread_count, model_threads


def test_a_model_call_gets_the_cores_and_the_count_is_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # what FAISS's one-thread setting leaves behind (they share OpenMP)
    try:
        with model_threads():
            assert torch.get_num_threads() == model_thread_count()
        assert torch.get_num_threads() == 1
        with model_threads(3):
            assert torch.get_num_threads() == 3
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_omp_num_threads_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert model_thread_count() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "junk")
    assert model_thread_count() >= 1
