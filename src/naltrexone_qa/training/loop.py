"""A seeded, resumable LoRA training loop for the relevance scorer (cross-encoder or bi-encoder).

Why LoRA: the shipped weights are then a few MB on top of the bundled
all-MiniLM-L6-v2, and training fits a 2-core CPU. Why this loop and not a
trainer library: the whole schedule (which question, which positive, which
negatives, every dropout mask) is fixed by the seed and the step number, so a
run stopped at any checkpoint and resumed ends with exactly the weights of an
uninterrupted one. Checkpoints hold the trainable tensors and the AdamW moments
in safetensors and the counters in JSON; nothing is pickled.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np

from ..answer.rerank import cut_question
from .data import Group

log = logging.getLogger(__name__)

# LoRA on every attention and feed-forward projection of the six layers.
LORA_TARGET = r".*encoder\.layer\.\d+\..*(query|key|value|dense)$"
KINDS = ("ce", "bi")
# Sequences per forward pass inside a step (length-sorted); the step's loss is unchanged by it.
_CHUNK = 32


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides the trained weights (written into the model card)."""

    # bi (stop 32): WikiQA MAP 0.795 alone, where the cross-encoder reached 0.636, and 351 of the 391
    # tuning items right with the ranker refitted on it (the cross-encoder: 349).
    kind: str = "bi"
    seed: int = 13
    epochs: int = 2
    lora_r: int = 16
    lr: float = 4e-4
    batch: int = 16
    max_negs: int = 7
    max_length: int = 128
    # bi-encoder only: the temperature of the in-batch softmax (sentence-transformers' default).
    scale: float = 20.0
    # More than SQuAD v1.1 dev's usable paragraphs (one question each): every one is read, 1,722 in all.
    squad_per_epoch: int = 2500
    medquad_per_epoch: int = 500
    threads: int = 2
    ckpt_every: int = 50

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")


def epoch_groups(
    corpus: Sequence[Group], public: Sequence[Group], config: TrainConfig, epoch: int
) -> list[tuple[str, list[str]]]:
    """One epoch as (question, [positive, negative, ...]) lists, decided by the seed and the epoch.

    Every corpus group is seen each epoch with a different positive and a fresh
    mix of its hardest and random pool negatives; each epoch reads its own slice
    of the public groups.
    """
    rng = random.Random(config.seed * 1000 + epoch)
    n_pub = len(public) // max(1, config.epochs)
    rows: list[tuple[str, list[str]]] = []
    for g in [*corpus, *public[epoch * n_pub : (epoch + 1) * n_pub]]:
        pos = rng.choice(g.positives)
        negs = list(g.negatives)
        if g.source == "corpus":
            hard, rest = negs[: config.max_negs // 2], negs[config.max_negs // 2 :]
            negs = hard + rng.sample(rest, min(len(rest), config.max_negs - len(hard)))
        rows.append((g.question, [pos, *negs[: config.max_negs]]))
    rng.shuffle(rows)
    return rows


def make_model(config: TrainConfig, base_path: str) -> Any:
    """The base model wrapped with fresh LoRA weights (and a trainable one-logit head for ``ce``)."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel, AutoModelForSequenceClassification

    if config.kind == "ce":
        model = AutoModelForSequenceClassification.from_pretrained(base_path, num_labels=1, local_files_only=True)
        head: Optional[list[str]] = ["pooler", "classifier"]
    else:
        model = AutoModel.from_pretrained(base_path, local_files_only=True)
        head = None
    cfg = LoraConfig(
        r=config.lora_r,
        lora_alpha=2 * config.lora_r,
        lora_dropout=0.0,
        target_modules=LORA_TARGET,
        modules_to_save=head,
        bias="none",
    )
    return get_peft_model(model, cfg)


def mean_pool(hidden: Any, mask: Any) -> Any:
    """Sentence-transformers' mean pooling, so trained vectors match what the embedder computes."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def _ce_loss(model: Any, tok: Any, batch: list[tuple[str, list[str]]], config: TrainConfig) -> Any:
    import torch

    cut = {q: cut_question(tok, q, config.max_length) for q, _ in batch}
    qs = [cut[q] for q, cands in batch for _ in cands]
    ts = [c for _, cands in batch for c in cands]
    # Pairs of similar length share a forward pass, so padding (half the tokens otherwise) stays small.
    order = np.argsort([len(q) + len(t) for q, t in zip(qs, ts, strict=True)], kind="stable")
    parts: list[Any] = [None] * len(qs)
    for start in range(0, len(order), _CHUNK):
        ids = order[start : start + _CHUNK]
        enc = tok(
            [qs[i] for i in ids],
            [ts[i] for i in ids],
            padding=True,
            truncation="only_second",
            max_length=config.max_length,
            return_tensors="pt",
        )
        out = model(**enc).logits[:, 0]
        for k, i in enumerate(ids):
            parts[i] = out[k]
    logits = torch.stack(parts)
    loss, k = logits.new_zeros(()), 0
    for _, cands in batch:  # listwise: the positive (first) against its own negatives
        n = len(cands)
        target = torch.zeros(1, dtype=torch.long)
        loss = loss + torch.nn.functional.cross_entropy(logits[k : k + n].unsqueeze(0), target)
        k += n
    return loss / len(batch)


def _embed(model: Any, tok: Any, texts: list[str], max_length: int) -> Any:
    import torch

    enc = tok(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    out = model(**enc).last_hidden_state
    return torch.nn.functional.normalize(mean_pool(out, enc["attention_mask"]), dim=-1)


def _bi_loss(model: Any, tok: Any, batch: list[tuple[str, list[str]]], config: TrainConfig) -> Any:
    """Multiple-negatives ranking: each question against every candidate in the batch."""
    import torch

    qv = _embed(model, tok, [q for q, _ in batch], config.max_length)
    texts = [c for _, cands in batch for c in cands]
    cv = _embed(model, tok, texts, config.max_length)
    sim = qv @ cv.T * config.scale
    targets, k = [], 0
    for i, (_, cands) in enumerate(batch):
        targets.append(k)
        for j, t in enumerate(texts):  # the same positive elsewhere in the batch is not a negative
            if t == cands[0] and j != k:
                sim[i, j] = -1e4
        k += len(cands)
    return torch.nn.functional.cross_entropy(sim, torch.tensor(targets))


def _save_ckpt(model: Any, opt: Any, sched: Any, step: int, folder: Path) -> None:
    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    tensors = {f"param::{n}": p.detach().contiguous() for n, p in named}
    for n, p in named:
        state = opt.state.get(p, {})
        for key in ("exp_avg", "exp_avg_sq"):
            if key in state:
                tensors[f"{key}::{n}"] = state[key].contiguous()
        if "step" in state:
            tensors[f"step::{n}"] = torch.as_tensor(state["step"], dtype=torch.float32).reshape(1)
    save_file(tensors, str(folder / "state.safetensors.tmp"))
    (folder / "state.safetensors.tmp").replace(folder / "state.safetensors")
    (folder / "counters.json").write_text(json.dumps({"step": step, "sched": sched.state_dict()}), encoding="utf-8")


def _load_ckpt(model: Any, opt: Any, sched: Any, folder: Path) -> int:
    import torch
    from safetensors.torch import load_file

    tensors = load_file(str(folder / "state.safetensors"))
    params = dict(model.named_parameters())
    with torch.no_grad():
        for key, value in tensors.items():
            if key.startswith("param::"):
                params[key[len("param::") :]].copy_(value)
    for n, p in params.items():
        if p.requires_grad and f"exp_avg::{n}" in tensors:
            opt.state[p] = {
                "step": tensors[f"step::{n}"].reshape(()),
                "exp_avg": tensors[f"exp_avg::{n}"],
                "exp_avg_sq": tensors[f"exp_avg_sq::{n}"],
            }
    counters = json.loads((folder / "counters.json").read_text(encoding="utf-8"))
    sched.load_state_dict(counters["sched"])
    for group, lr in zip(opt.param_groups, sched.get_last_lr()):  # the schedule's state does not set the rate
        group["lr"] = lr
    return int(counters["step"])


def train(
    corpus: Sequence[Group],
    public: Sequence[Group],
    config: TrainConfig,
    base_path: str,
    out: Path,
    progress: Optional[Callable[[int, int, float], None]] = None,
    stop_after: Optional[int] = None,
) -> tuple[Any, dict[str, Any]]:
    """Train (resuming from ``out/ckpt`` when it is there); the trained peft model and a record of the run.

    Ctrl-C saves a checkpoint after the step in progress, so the same call resumes
    there; ``stop_after`` does the same after that many steps (for tests).
    """
    import torch
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    rows = [r for e in range(config.epochs) for r in epoch_groups(corpus, public, config, e)]
    steps = math.ceil(len(rows) / config.batch)
    tok = AutoTokenizer.from_pretrained(base_path, local_files_only=True)
    model = make_model(config, base_path)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, max(1, int(0.1 * steps)), steps)
    ckpt = out / "ckpt"
    start = _load_ckpt(model, opt, sched, ckpt) if (ckpt / "counters.json").is_file() else 0
    if start:
        log.info("resuming at step %d of %d from %s", start, steps, ckpt)
    loss_fn = _ce_loss if config.kind == "ce" else _bi_loss
    losses: list[float] = []
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    done = start
    with (out / "train_log.jsonl").open("a", encoding="utf-8") as logf:
        try:
            for step in range(start, steps):
                if stop_after is not None and step >= stop_after:
                    _save_ckpt(model, opt, sched, step, ckpt)
                    break
                torch.manual_seed(config.seed * 100_003 + step)  # identical with or without a resume
                loss = loss_fn(model, tok, rows[step * config.batch : (step + 1) * config.batch], config)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                opt.step()
                sched.step()
                opt.zero_grad(set_to_none=True)
                done = step + 1
                losses.append(float(loss.item()))
                if done % 10 == 0 or done == steps:
                    logf.write(json.dumps({"step": done, "loss": float(np.mean(losses[-10:]))}) + "\n")
                    logf.flush()
                if progress is not None:
                    progress(done, steps, losses[-1])
                if done % config.ckpt_every == 0 and done < steps:
                    _save_ckpt(model, opt, sched, done, ckpt)
        except KeyboardInterrupt:
            _save_ckpt(model, opt, sched, done, ckpt)
            log.warning("interrupted: checkpoint at step %d in %s; run the same command to resume", done, ckpt)
            raise
    record = {
        "config": asdict(config),
        "steps": steps,
        "resumed_from": start,
        "groups_per_epoch": {"corpus": len(corpus), "public": len(public) // max(1, config.epochs)},
        "trainable_parameters": int(sum(p.numel() for p in params)),
        "seconds_this_session": round(time.perf_counter() - t0, 1),
        "final_loss": float(np.mean(losses[-20:])) if losses else None,
    }
    return model, record
