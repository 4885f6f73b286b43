"""``train reranker``: build the training groups, train the LoRA adapter, write it with its model card.

Why the order matters: the corpus groups' negatives come from the pipeline's
candidate pool ranked *without* a reranker (the shipped no-rerank records), so
the data never depends on an earlier reranker, and a rerun on the same
checkout reproduces the same groups and, with the seed, the same weights.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Optional

from ..config import BENCHMARKS_ENV, Settings
from ..errors import DataError
from ..evaluation.items import load_items
from ..jsonl import read_jsonl
from .data import Group, corpus_groups, medquad_groups, squad_groups
from .loop import TrainConfig, train

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
LICENSES = {
    "corpus": "evals/train.jsonl: questions written for this project from the five articles (train split)",
    "squad": "SQuAD v1.1 dev (CC BY-SA 4.0)",
    "medquad": "MedQuAD (CC BY 4.0)",
}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def build_groups(
    settings: Settings, train_file: Path, benchmarks: Optional[Path], config: TrainConfig
) -> tuple[list[Group], list[Group]]:
    """(corpus groups, public groups for all epochs), both fixed by the checkout and the seed."""
    from ..pipeline import QA

    if not train_file.is_file():
        raise DataError(f"training questions {train_file} not found (the train split, evals/train.jsonl)")
    if benchmarks is None:
        raise DataError(f"no benchmarks folder: give --benchmarks DIR or set {BENCHMARKS_ENV} (squad-v1.1/, medquad/)")
    if not benchmarks.is_dir():
        raise DataError(f"benchmarks folder {benchmarks} not found (give --benchmarks DIR or set {BENCHMARKS_ENV})")
    items = load_items(train_file)
    resolved = {obj["id"]: obj["resolved"] for _, obj in read_jsonl(train_file) if isinstance(obj.get("resolved"), str)}
    plain = replace(settings, answer=replace(settings.answer, rerank=False))
    qa = QA.load(plain)
    corpus = corpus_groups(qa, items, config.max_negs, resolved)
    rng = random.Random(config.seed)
    public = squad_groups(benchmarks, rng, config.squad_per_epoch * config.epochs, config.max_negs)
    public += medquad_groups(benchmarks, rng, config.medquad_per_epoch * config.epochs, config.max_negs)
    rng.shuffle(public)
    return corpus, public


def write_adapter(model: Any, config: TrainConfig, record: dict[str, Any], out: Path) -> dict[str, Any]:
    """The adapter files, ``reranker.json`` (with sha256 of each) and a model card, in ``out``."""
    tmp = out / "adapter.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    model.save_pretrained(str(tmp), safe_serialization=True)
    cfg = json.loads((tmp / "adapter_config.json").read_text(encoding="utf-8"))
    cfg["base_model_name_or_path"] = "all-MiniLM-L6-v2"  # no machine path in a shipped file
    (out / "adapter_config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True), encoding="utf-8")
    (tmp / "adapter_model.safetensors").replace(out / "adapter_model.safetensors")
    shutil.rmtree(tmp)
    meta = {
        "version": f"{config.kind}-lora{config.lora_r}-seed{config.seed}",
        "format": FORMAT_VERSION,
        "kind": config.kind,
        "base": "all-MiniLM-L6-v2",
        "max_length": config.max_length,
        "quantize": config.kind == "ce",
        "training": record,
        "data": {k: v for k, v in LICENSES.items()},
        "sha256": {name: _sha256(out / name) for name in ADAPTER_FILES},
    }
    (out / "reranker.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return meta


def train_reranker(
    settings: Settings,
    out: Path,
    train_file: Path,
    benchmarks: Optional[Path],
    config: TrainConfig,
    progress: Optional[Callable[[int, int, float], None]] = None,
    notify: Callable[[str], None] = log.info,
) -> dict[str, Any]:
    """Train and write an adapter folder that ``--reranker DIR`` (or the package) loads."""
    from ..embed.sentence_transformers import resolve_model_path

    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    notify("building training groups (the pipeline's candidates for each training question)...")
    corpus, public = build_groups(settings, train_file, benchmarks, config)
    notify(f"{len(corpus)} corpus groups, {len(public)} public groups ({time.perf_counter() - t:.0f}s)")
    model, record = train(corpus, public, config, resolve_model_path(settings.model), out, progress)
    record["train_file"] = train_file.name
    meta = write_adapter(model, config, record, out)
    shutil.rmtree(out / "ckpt", ignore_errors=True)  # finished: a rerun starts afresh instead of resuming
    from .model_card import write_model_card

    write_model_card(out, meta)
    return meta
