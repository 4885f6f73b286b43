"""The learned relevance scorer: the bundled MiniLM weights plus a small shipped LoRA adapter.

Two kinds share one protocol. The shipped adapter (stop 32) is a bi-encoder: question and sentence
are embedded apart and compared by cosine, so a corpus sentence's vector is computed once per
process; trained on the project's training questions with SQuAD and MedQuAD beside them, it ranks
general answer sentences well (WikiQA MAP 0.795, where the cross-encoder reached 0.636) and
helped the tuning splits slightly more. A cross-encoder adapter (``train reranker --kind ce``)
reads question and sentence together and runs int8-quantized. The base weights are the bundled
all-MiniLM-L6-v2 (nothing is downloaded); the adapter ships in ``answer/reranker/`` with its model
card, and ``naltrexone-qa train reranker --out DIR`` reproduces it. The model loads on first use,
once per process, behind a lock, so threads may score at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import warnings
from importlib import resources
from pathlib import Path
from typing import Any, Optional, Protocol, Sequence, runtime_checkable

import numpy as np

from ..errors import ModelError
from ..threads import model_threads

log = logging.getLogger(__name__)

LIBRARY_NOISE = (
    r".*is_gradient_checkpointing.*",
    r".*quantize_per_tensor.*",
    r".*quantize_per_channel.*",
    r".*torch.ao.quantization is deprecated.*",
)
ADAPTER_FILES = ("reranker.json", "adapter_config.json", "adapter_model.safetensors")
# Sentence vectors a bi-encoder scorer keeps (about 1.5 KB each); past this the cache starts afresh.
VECTOR_CACHE = 50_000


def cut_question(tokenizer: Any, question: str, max_length: int) -> str:
    """The question cut to half the pair's token budget, as training and scoring both see it.

    Why: the sentence is truncated, never the question ("only_second"), so a long question must
    leave room for it, else the tokenizer has nothing left to cut and raises.
    """
    ids = tokenizer(question, add_special_tokens=False)["input_ids"]
    return question if len(ids) <= max_length // 2 else str(tokenizer.decode(ids[: max_length // 2]))


@runtime_checkable
class Reranker(Protocol):
    """Scores (question, sentence) pairs; higher is more relevant. One call scores one question's candidates."""

    name: str

    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray: ...


def shipped_adapter_dir() -> Path:
    return Path(str(resources.files("naltrexone_qa.answer").joinpath("reranker")))


def reranker_available(folder: Optional[Path] = None) -> bool:
    """Whether an adapter is there to load (the shipped one unless ``folder`` names another).

    An explicitly named folder counts as available even when broken, so that its
    problem is reported instead of silently answering without it.
    """
    return folder is not None or (shipped_adapter_dir() / "reranker.json").is_file()


def check_adapter(folder: Path) -> dict[str, Any]:
    """The adapter's record, after checking every file is there and matches its recorded checksum."""
    missing = [f for f in ADAPTER_FILES if not (folder / f).is_file()]
    if missing:
        raise ModelError(
            f"reranker adapter in {folder} is missing {', '.join(missing)}; "
            "reinstall the package, retrain with 'naltrexone-qa train reranker --out DIR', "
            "or answer without it (--no-rerank)"
        )
    try:
        record = json.loads((folder / "reranker.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{folder / 'reranker.json'} is unreadable ({exc}); use --no-rerank or retrain") from None
    for name, digest in (record.get("sha256") or {}).items():
        path = folder / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise ModelError(
                f"reranker file {path} is damaged (checksum differs); "
                "reinstall the package or retrain, or answer without it (--no-rerank)"
            )
    return dict(record)


class CrossEncoderReranker:
    """MiniLM with a LoRA adapter and a scoring head; optionally int8 dynamic quantization for speed."""

    def __init__(
        self, adapter_dir: Optional[Path] = None, quantize: Optional[bool] = None, device: str = "cpu"
    ) -> None:
        self.adapter_dir = Path(adapter_dir) if adapter_dir else shipped_adapter_dir()
        self.record = check_adapter(self.adapter_dir)
        self.name = f"cross-encoder:{self.record.get('version', 'unversioned')}"
        self.quantize = self.record.get("quantize", True) if quantize is None else quantize
        self.max_length = int(self.record.get("max_length", 128))
        self.device = device
        self._model: Any = None
        self._tokenizer: Any = None
        self._load_lock = threading.Lock()
        self._tok_lock = threading.Lock()

    def _load(self) -> None:
        with self._load_lock:
            if self._model is not None:
                return
            try:
                import torch
                from peft import PeftModel
                from transformers import AutoModelForSequenceClassification, AutoTokenizer

                from ..embed.sentence_transformers import quiet_hf_loading, resolve_model_path

                quiet_hf_loading()
                base_path = resolve_model_path(self.record.get("base", "all-MiniLM-L6-v2"))
                tokenizer = AutoTokenizer.from_pretrained(base_path, local_files_only=True)
                with warnings.catch_warnings():  # library deprecation notices a user cannot act on
                    for pattern in LIBRARY_NOISE:
                        warnings.filterwarnings("ignore", message=pattern)
                    base = AutoModelForSequenceClassification.from_pretrained(
                        base_path, num_labels=1, local_files_only=True
                    )
                    model = PeftModel.from_pretrained(base, str(self.adapter_dir), local_files_only=True)
                    model = model.merge_and_unload().eval()
                    if self.quantize:
                        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
            except ModelError:
                raise
            except Exception as exc:
                raise ModelError(
                    f"cannot load the reranker from {self.adapter_dir}: {exc}; answer without it with --no-rerank"
                ) from exc
            self._tokenizer, self._model = tokenizer, model

    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.zeros(0, dtype=np.float64)
        if self._model is None:
            self._load()
        import torch

        with self._tok_lock:  # a fast tokenizer must not be driven by two threads at once
            question = cut_question(self._tokenizer, question, self.max_length)
            batch = self._tokenizer(
                [question] * len(sentences),
                list(sentences),
                padding=True,
                truncation="only_second",
                max_length=self.max_length,
                return_tensors="pt",
            )
        with torch.inference_mode(), model_threads():
            logits = self._model(**batch).logits.reshape(-1)
        return logits.to(torch.float64).numpy()


class BiEncoderScorer:
    """The bundled MiniLM with a bi-encoder LoRA adapter merged in: cosine of question and sentence vectors."""

    def __init__(self, adapter_dir: Path, device: str = "cpu") -> None:
        self.adapter_dir = Path(adapter_dir)
        self.record = check_adapter(self.adapter_dir)
        self.name = f"bi-encoder:{self.record.get('version', 'unversioned')}"
        self.device = device
        self._model: Any = None
        self._lock = threading.Lock()
        self._vecs: dict[str, np.ndarray] = {}

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from peft import PeftModel
                    from sentence_transformers import SentenceTransformer

                    from ..embed.sentence_transformers import quiet_hf_loading, resolve_model_path

                    quiet_hf_loading()
                    path = resolve_model_path(self.record.get("base", "all-MiniLM-L6-v2"))
                    model = SentenceTransformer(path, device=self.device, local_files_only=True)
                    inner: Any = model[0].auto_model
                    merged = PeftModel.from_pretrained(inner, str(self.adapter_dir)).merge_and_unload()
                    model[0].auto_model = merged.eval()
                except Exception as exc:
                    raise ModelError(f"cannot load the bi-encoder adapter from {self.adapter_dir}: {exc}") from exc
                self._model = model
        return self._model

    def _vector(self, model: Any, text: str) -> np.ndarray:
        """One text's vector, encoded alone so that it never depends on what else was in the batch."""
        with model_threads():
            return np.asarray(model.encode([text], normalize_embeddings=True, show_progress_bar=False)[0])

    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """Cosines; a sentence's vector is kept, so each corpus sentence is encoded once per process."""
        if not sentences:
            return np.zeros(0, dtype=np.float64)
        model = self._model or self._load()
        with self._lock:
            have = {t: self._vecs[t] for t in sentences if t in self._vecs}
        have.update({t: self._vector(model, t) for t in dict.fromkeys(sentences) if t not in have})
        with self._lock:
            if len(self._vecs) + len(have) > VECTOR_CACHE:
                self._vecs.clear()
            self._vecs.update(have)
        qv = self._vector(model, question)
        # One dot product per sentence: a matrix product's rounding would depend on the row's position.
        return np.array([float(have[t] @ qv) for t in sentences], dtype=np.float64)


def load_scorer(folder: Optional[Path] = None, device: str = "cpu") -> Reranker:
    """The scorer an adapter folder (the shipped one when None) holds, by the ``kind`` in its record
    (cross-encoder unless it says bi)."""
    path = Path(folder) if folder else shipped_adapter_dir()
    if check_adapter(path).get("kind", "ce") == "bi":
        return BiEncoderScorer(path, device=device)
    return CrossEncoderReranker(path, device=device)
