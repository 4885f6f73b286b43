"""Training the relevance adapter: data groups, the seeded schedule, resume, errors and the adapter's checks."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from naltrexone_qa.errors import DataError, ModelError
from naltrexone_qa.frontends.cli import cli
from naltrexone_qa.training.data import Group, medquad_groups, squad_groups
from naltrexone_qa.training.loop import TrainConfig, epoch_groups


def _squad(folder: Path) -> None:
    ctx = (
        "Paris is the capital of France. It lies on the Seine. The city has two million people. "
        "Its museums draw many visitors."
    )
    para = {
        "context": ctx,
        "qas": [{"id": "q1", "question": "Which river runs through Paris?", "answers": [{"answer_start": 46}]}],
    }
    (folder / "squad-v1.1").mkdir(parents=True)
    (folder / "squad-v1.1" / "dev-v1.1.json").write_text(json.dumps({"data": [{"paragraphs": [para]}]}))


def _medquad(folder: Path) -> None:
    sub = folder / "medquad" / "1_Test_QA"
    sub.mkdir(parents=True)
    pairs = [
        ("symptoms", "What are the symptoms of flu?", "Flu causes fever and aches in most adults. It starts fast."),
        ("treatment", "How to treat flu?", "Rest and fluids help most people recover from flu at home."),
        ("causes", "What causes flu?", "Influenza viruses that spread through droplets cause the flu."),
    ]
    qa = "".join(
        f'<QAPair pid="{i}"><Question qid="{i}" qtype="{t}">{q}</Question><Answer>{a}</Answer></QAPair>'
        for i, (t, q, a) in enumerate(pairs, 1)
    )
    (sub / "0001_flu.xml").write_text(f"<Document><Focus>Flu</Focus><QAPairs>{qa}</QAPairs></Document>")


def test_squad_groups_hold_the_answer_sentence(tmp_path: Path) -> None:
    _squad(tmp_path)
    [g] = squad_groups(tmp_path, random.Random(1), 5, max_negs=5)
    assert g.positives == ("It lies on the Seine.",)
    assert "Paris is the capital of France." in g.negatives and g.positives[0] not in g.negatives


def test_medquad_negatives_are_other_question_types_of_the_same_focus(tmp_path: Path) -> None:
    _medquad(tmp_path)
    groups = medquad_groups(tmp_path, random.Random(3), 1, max_negs=2)
    [g] = groups
    assert g.source == "medquad" and len(g.negatives) == 2
    assert all(n not in g.positives for n in g.negatives)


def test_missing_public_data_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="squad-v1.1"):
        squad_groups(tmp_path, random.Random(1), 5, 5)
    with pytest.raises(DataError, match="medquad"):
        medquad_groups(tmp_path, random.Random(1), 5, 5)


def test_epochs_are_fixed_by_the_seed_and_vary_between_epochs() -> None:
    corpus = [Group(f"q{i}", ("p1", "p2"), tuple(f"n{i}-{k}" for k in range(20)), "corpus") for i in range(6)]
    public = [Group(f"pub{i}", ("p",), ("x", "y"), "squad") for i in range(6)]
    cfg = TrainConfig(epochs=3, max_negs=4)
    first = epoch_groups(corpus, public, cfg, 0)
    assert first == epoch_groups(corpus, public, cfg, 0)
    assert first != epoch_groups(corpus, public, cfg, 1)
    assert len(first) == 6 + 2  # every corpus group, a third of the public ones
    for q, cands in first:
        if q.startswith("q"):
            assert len(cands) == 5 and cands[0] in ("p1", "p2")
            assert cands[1:3] == [f"n{q[1:]}-0", f"n{q[1:]}-1"]  # the hardest negatives always come


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValueError):
        TrainConfig(kind="gpt")


def test_train_command_names_a_missing_training_file(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        cli,
        ["train", "reranker", "--out", str(tmp_path / "o"), "--train-file", str(tmp_path / "nope.jsonl")],
    )
    assert res.exit_code == 2, res.output
    assert "nope.jsonl" in res.output and "Traceback" not in res.output


def test_train_command_names_a_missing_benchmarks_folder(tmp_path: Path) -> None:
    train = tmp_path / "train.jsonl"
    train.write_text('{"id": "a", "question": "q?", "answerable": false, "gold_sources": []}\n')
    res = CliRunner().invoke(
        cli,
        ["train", "reranker", "--out", str(tmp_path / "o"), "--train-file", str(train), "--benchmarks", "nowhere"],
    )
    assert res.exit_code == 2, res.output
    assert "nowhere" in res.output


def test_damaged_adapter_is_named(tmp_path: Path) -> None:
    from naltrexone_qa.answer.rerank import load_scorer

    (tmp_path / "reranker.json").write_text(json.dumps({"sha256": {"adapter_model.safetensors": "0" * 64}}))
    (tmp_path / "adapter_config.json").write_text("{}")
    (tmp_path / "adapter_model.safetensors").write_bytes(b"not weights")
    with pytest.raises(ModelError, match="adapter_model.safetensors"):
        load_scorer(tmp_path)
    (tmp_path / "adapter_config.json").unlink()
    with pytest.raises(ModelError, match="missing adapter_config.json"):
        load_scorer(tmp_path)


@pytest.mark.slow
def test_resumed_training_ends_with_the_same_weights(tmp_path: Path) -> None:
    """Two steps, stop, resume for two more == four steps straight (the real model, tiny data)."""
    import torch

    from naltrexone_qa.embed.sentence_transformers import resolve_model_path
    from naltrexone_qa.training.loop import train

    corpus = [
        Group(
            f"what does drug {i} do?", (f"Drug {i} blocks receptors.",), ("The sky is blue.", "Rain falls."), "corpus"
        )
        for i in range(8)
    ]
    cfg = TrainConfig(kind="ce", epochs=1, batch=2, max_negs=2, lora_r=2, ckpt_every=2, threads=1, max_length=32)
    base = resolve_model_path("all-MiniLM-L6-v2")
    straight, _ = train(corpus, [], cfg, base, tmp_path / "a")
    stopped, _ = train(corpus, [], cfg, base, tmp_path / "b", stop_after=2)
    assert (tmp_path / "b" / "ckpt" / "counters.json").is_file()
    resumed, rec = train(corpus, [], cfg, base, tmp_path / "b")
    assert rec["resumed_from"] == 2
    a = {n: p for n, p in straight.named_parameters() if p.requires_grad}
    b = {n: p for n, p in resumed.named_parameters() if p.requires_grad}
    assert a.keys() == b.keys()
    assert all(torch.equal(a[n], b[n]) for n in a)


@pytest.mark.slow
def test_the_shipped_reranker_scores_a_question_longer_than_its_window() -> None:
    """A 2,000-character question (the default limit) must not break the scorer's truncation."""
    from naltrexone_qa.answer.rerank import load_scorer, shipped_adapter_dir

    scorer = load_scorer(shipped_adapter_dir())
    long_question = "Can I take naltrexone while I still drink a little every evening? " * 30
    scores = scorer.score(long_question[:2000], ["Naltrexone reduces cravings for alcohol.", "The sky is blue."])
    assert scores.shape == (2,) and np.isfinite(scores).all()


@pytest.mark.slow
def test_training_takes_a_question_longer_than_its_window(tmp_path: Path) -> None:
    """A long forum-style question is cut as at scoring time (it once stopped `train reranker` mid-run)."""
    from transformers import AutoTokenizer

    from naltrexone_qa.answer.rerank import cut_question
    from naltrexone_qa.embed.sentence_transformers import resolve_model_path
    from naltrexone_qa.training.loop import train

    base = resolve_model_path("all-MiniLM-L6-v2")
    long_question = "I have been sober for a while and my doctor mentioned a monthly shot, so " * 6 + "does it help?"
    tok = AutoTokenizer.from_pretrained(str(base))
    cut = cut_question(tok, long_question, 32)
    assert len(tok(cut, add_special_tokens=False)["input_ids"]) == 16 and long_question.lower().startswith(cut[:20])
    assert cut_question(tok, "does it help?", 32) == "does it help?"
    corpus = [Group(long_question, ("Naltrexone blocks opioid receptors.",), ("The sky is blue.",), "corpus")] * 2
    cfg = TrainConfig(kind="ce", epochs=1, batch=2, max_negs=1, lora_r=2, ckpt_every=10, threads=1, max_length=32)
    _model, record = train(corpus, [], cfg, base, tmp_path / "out")
    assert record["steps"] == 1


@pytest.mark.slow
def test_a_bi_encoder_adapter_scores_the_same_from_its_cache(tmp_path: Path) -> None:
    """One step of bi-encoder training, written and loaded like the shipped adapter; kept sentence vectors change
    no score, and a sentence's score does not depend on the others it is scored with."""
    from naltrexone_qa.answer.rerank import BiEncoderScorer, load_scorer
    from naltrexone_qa.embed.sentence_transformers import resolve_model_path
    from naltrexone_qa.training.loop import train
    from naltrexone_qa.training.relevance import write_adapter

    blocks = "Naltrexone blocks opioid receptors."
    corpus = [Group("what does it block?", (blocks,), ("The sky is blue.",), "corpus")] * 2
    cfg = TrainConfig(kind="bi", epochs=1, batch=2, max_negs=1, lora_r=2, ckpt_every=10, threads=1, max_length=32)
    model, record = train(corpus, [], cfg, resolve_model_path("all-MiniLM-L6-v2"), tmp_path)
    meta = write_adapter(model, cfg, record, tmp_path)
    assert meta["kind"] == "bi" and meta["quantize"] is False
    scorer = load_scorer(tmp_path)
    assert isinstance(scorer, BiEncoderScorer)
    texts = ["Naltrexone blocks opioid receptors.", "The sky is blue.", "Naltrexone blocks opioid receptors."]
    first = scorer.score("what does naltrexone block?", texts)
    again = scorer.score("what does naltrexone block?", texts)
    alone = BiEncoderScorer(tmp_path).score("what does naltrexone block?", texts[1:2])
    assert first.shape == (3,) and first[0] == first[2] > first[1]
    assert np.array_equal(first, again) and alone[0] == first[1]
