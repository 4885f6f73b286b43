"""NLI backend for the contradiction detector (a sentence-transformers CrossEncoder).

Why a separate module: it needs torch and a model that only online users can
fetch, so it is imported only when asked for (``--detector nli``).  Label
order differs between NLI checkpoints, so it is read from the model config's
``id2label`` and never assumed.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping, Optional, Sequence

import numpy as np

from .base import Judgement

log = logging.getLogger(__name__)

DEFAULT_NLI_MODEL = "cross-encoder/nli-deberta-v3-small"

# NLI label name (any case, substring) -> our pair label.
_CANONICAL = (("contradict", "contradiction"), ("entail", "agreement"), ("neutral", "unrelated"))


def canonical_label(name: str) -> str:
    """Map a checkpoint's label name onto contradiction/agreement/unrelated."""
    low = name.lower()
    for key, label in _CANONICAL:
        if key in low:
            return label
    raise ValueError(f"unknown NLI label {name!r}; expected contradiction/entailment/neutral")


def labels_from_config(config: Any) -> list[str]:
    """Our labels in logit order, from ``config.id2label`` (keys may be str or int)."""
    id2label: Optional[Mapping[Any, str]] = getattr(config, "id2label", None)
    if not id2label:
        raise ValueError("model config has no id2label; cannot tell which logit is contradiction")
    ordered = sorted(((int(k), v) for k, v in id2label.items()), key=lambda kv: kv[0])
    labels = [canonical_label(v) for _, v in ordered]
    if "contradiction" not in labels or len(set(labels)) != len(labels):
        raise ValueError(f"id2label {dict(id2label)} does not name each NLI class once")
    return labels


def _softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class NLIDetector:
    """Contradiction when P(contradiction) >= threshold, averaged over both directions."""

    name = "nli"
    version = "nli-1"

    def __init__(
        self,
        model_name_or_path: str = DEFAULT_NLI_MODEL,
        device: str = "cpu",
        batch_size: int = 16,
        threshold: float = 0.5,
        symmetric: bool = True,
    ) -> None:
        from sentence_transformers import CrossEncoder

        self.model_name = model_name_or_path
        self.version = f"nli-1:{model_name_or_path}"
        self.model = CrossEncoder(model_name_or_path, device=device)
        config = getattr(self.model, "config", None) or self.model.model.config
        self.labels = labels_from_config(config)
        self.batch_size = batch_size
        self.threshold = threshold
        self.symmetric = symmetric
        log.info("NLI detector %s, label order %s", model_name_or_path, self.labels)

    def probabilities(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Class probabilities (rows follow ``self.labels``) for each pair."""
        import torch

        if not pairs:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        inputs = [list(p) for p in pairs]
        if self.symmetric:
            inputs += [[b, a] for a, b in pairs]
        logits = self.model.predict(
            inputs,
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            activation_fn=torch.nn.Identity(),
        )
        probs = _softmax(np.asarray(logits, dtype=np.float64).reshape(len(inputs), -1))
        if self.symmetric:
            probs = (probs[: len(pairs)] + probs[len(pairs) :]) / 2
        return probs

    def judge_many(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]:
        pairs = list(pairs)
        probs = self.probabilities(pairs)
        ci = self.labels.index("contradiction")
        out = []
        for row in probs:
            p_con = float(row[ci])
            if p_con >= self.threshold:
                label, score = "contradiction", p_con
            else:
                rest = [i for i in range(len(row)) if i != ci]
                best = max(rest, key=lambda i: row[i])
                label, score = self.labels[best], float(row[best])
            out.append(
                Judgement(
                    label,
                    round(score, 4),
                    "nli",
                    "high" if label == "contradiction" else "none",
                    f"NLI model says {label} (p(contradiction)={p_con:.2f})",
                )
            )
        return out
