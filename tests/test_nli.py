"""Plumbing of the NLI backend with a tiny random BERT built on the spot (no downloads)."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("sentence_transformers")

from naltrexone_qa.disagree.nli import NLIDetector, canonical_label, labels_from_config  # noqa: E402
from naltrexone_qa.disagree.registry import get_detector  # noqa: E402

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "naltrexone", "reduces", "causes", "anxiety", "."]


def _tiny_model(folder: Path, id2label: dict[int, str], favoured: int) -> str:
    """Random tiny BERT whose classifier always prefers logit ``favoured``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    tok = transformers.BertTokenizer(str(folder / "vocab.txt"))
    config = transformers.BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        max_position_embeddings=32,
        num_labels=3,
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([5.0 if i == favoured else 0.0 for i in range(3)]))
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return str(folder)


PAIR = ("naltrexone reduces anxiety .", "naltrexone causes anxiety .")


def test_label_order_read_from_config(tmp_path: Path) -> None:
    path = _tiny_model(tmp_path / "m1", {0: "ENTAILMENT", 1: "NEUTRAL", 2: "CONTRADICTION"}, favoured=2)
    det = NLIDetector(path)
    assert det.labels == ["agreement", "unrelated", "contradiction"]
    j = det.judge_many([PAIR])[0]
    assert j.label == "contradiction" and j.signal == "nli" and j.severity == "high"
    assert j.score > 0.9


def test_same_logit_means_another_label_when_id2label_differs(tmp_path: Path) -> None:
    # Logit 2 wins again, but this checkpoint calls logit 2 "neutral".
    path = _tiny_model(tmp_path / "m2", {0: "contradiction", 1: "entailment", 2: "neutral"}, favoured=2)
    det = get_detector("nli", path)
    out = det.judge_many([PAIR, PAIR[::-1]])
    assert [j.label for j in out] == ["unrelated", "unrelated"]
    assert all(j.severity == "none" for j in out)


def test_probabilities_sum_to_one_and_batch_matches_single(tmp_path: Path) -> None:
    path = _tiny_model(tmp_path / "m3", {0: "contradiction", 1: "entailment", 2: "neutral"}, favoured=1)
    det = NLIDetector(path, batch_size=1)
    probs = det.probabilities([PAIR, ("anxiety .", "naltrexone .")])
    assert probs.shape == (2, 3)
    assert abs(float(probs.sum(axis=1)[0]) - 1.0) < 1e-6
    assert det.judge_many([PAIR])[0].label == "agreement"


def test_bad_label_names_are_rejected() -> None:
    class Cfg:
        id2label = {0: "LABEL_0", 1: "LABEL_1"}

    with pytest.raises(ValueError):
        labels_from_config(Cfg())
    assert canonical_label("Contradiction") == "contradiction"
    assert canonical_label("entailment") == "agreement"
