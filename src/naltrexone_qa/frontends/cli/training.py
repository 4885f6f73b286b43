"""``train``: the group of commands that reproduce the shipped learned weights.

``train reranker --out DIR`` trains the relevance adapter the answerer ships
with; ``train heads --out DIR`` the answerability and pair relevance heads
(10-40 minutes: the pair head runs the pipeline for every training question);
``train bank --out DIR`` the question bank (seconds).
Reranker training is interruptible: Ctrl-C leaves the last checkpoint in
``DIR/ckpt`` and the same command resumes from it. Nothing here runs in CI.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import click

from ...config import BENCHMARKS_ENV, benchmarks_dir
from .common import common_options, evals_file_option, fail, load_qa, make_settings, run_guarded


@click.group("train")
def train() -> None:
    """Reproduce the shipped learned weights (CPU; resumable; offline)."""


@train.command("reranker")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the adapter.")
@evals_file_option(
    "--train-file", "train_file", "evals/train.jsonl", "The project's training questions (never dev or test)."
)
@click.option(
    "--benchmarks",
    default=None,
    type=click.Path(file_okay=False),
    help=f"Folder of squad-v1.1/ and medquad/ (and wikiqa/ for the model card's figures) [env {BENCHMARKS_ENV}].",
)
@click.option(
    "--kind", type=click.Choice(["ce", "bi"]), default="bi", show_default=True, help="Bi- (shipped) or cross-encoder."
)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--epochs", type=click.IntRange(1, 20), default=2, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=2, show_default=True)
@evals_file_option("--dev", "dev_file", "evals/dev.jsonl", "Tuning split whose figures go into the model card.")
@common_options
def train_reranker(
    out_dir: str,
    train_file: str,
    benchmarks: Optional[str],
    kind: str,
    seed: int,
    epochs: int,
    threads: int,
    dev_file: str,
    **options: Any,
) -> None:
    """Train the relevance adapter (LoRA on MiniLM) and write it with its model card.

    The shipped adapter is `src/naltrexone_qa/answer/reranker/`; this command reproduces it
    (same checkout, same seed) in under an hour on 2 cores.
    """

    def go() -> dict[str, Any]:
        from ...training.loop import TrainConfig
        from ...training.measure import measure
        from ...training.relevance import train_reranker as run

        config = TrainConfig(kind=kind, seed=seed, epochs=epochs, threads=threads)
        bench = benchmarks_dir(benchmarks)
        out = Path(out_dir)
        settings = make_settings(**options)
        bar: Optional[Any] = None

        def progress(step: int, steps: int, loss: float) -> None:
            nonlocal bar
            if bar is None:
                bar = click.progressbar(length=steps, label="training", file=sys.stderr, show_eta=True)
                bar.__enter__()
                bar.update(step - 1)
            bar.label = f"training (loss {loss:.3f})"
            bar.update(1)

        try:
            run(settings, out, Path(train_file), bench, config, progress, _note)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        _note("measuring the adapter (dev split, WikiQA test)...")
        assert bench is not None  # run() refuses a missing folder
        return measure(settings, out, Path(dev_file), bench)

    meta = run_guarded(go)
    click.echo(json.dumps(meta.get("metrics", {}), indent=2))
    click.echo(f"adapter written to {out_dir} (model card: {Path(out_dir) / 'README.md'})", err=True)


@train.command("heads")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the two heads.")
@evals_file_option(
    "--train-file",
    "train_file",
    "evals/train.jsonl",
    "Questions to learn from, marked answerable or not (never dev or test).",
)
@evals_file_option("--dev", "dev_file", "evals/dev.jsonl", "Tuning split that chooses each head's regularisation.")
@common_options
def train_heads(out_dir: str, train_file: str, dev_file: str, **options: Any) -> None:
    """Train the answerability and pair relevance heads (10-40 minutes on 2 cores; same data and C each run).

    Writes answerability.json and relevance_head.json. The shipped ones are in
    `src/naltrexone_qa/answer/`. The pair head learns from the candidates the question bank's votes
    add, so run `train bank --out DIR` first (a bank in DIR is used; else the shipped one); afterwards
    refit the ranker and the abstain decision with `naltrexone-qa calibrate --out DIR` into the same
    folder (it fits with the heads and bank it finds there).
    """

    def go() -> dict[str, Any]:
        from ...evaluation.calibrate import adopt_bank
        from ...training.heads import train_heads as run

        for path in (train_file, dev_file):
            if not Path(path).is_file():
                fail(f"{path} not found", 2)
        qa = load_qa(make_settings(**options))
        if adopt_bank(qa, Path(out_dir)):
            _note(f"the question bank in {out_dir} adds its votes to the candidates")
        return run(qa, Path(train_file), Path(dev_file), Path(out_dir), notify=_note)

    records = run_guarded(go)
    click.echo(json.dumps({name: rec["metrics"] for name, rec in records.items()}, indent=2))
    click.echo(f"heads written to {out_dir}: " + ", ".join(records), err=True)


@train.command("bank")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the bank.")
@evals_file_option(
    "--train-file",
    "train_file",
    "evals/train.jsonl",
    "Questions whose key phrases name the sentences that answer them (never dev or test).",
)
@common_options
def train_bank(out_dir: str, train_file: str, **options: Any) -> None:
    """Build the question bank: training questions and the sentences that answer them (seconds).

    Writes question_bank.json and question_bank.npy. The shipped ones are in
    `src/naltrexone_qa/answer/`; afterwards refit the ranker and the abstain decision with
    `naltrexone-qa calibrate --out DIR` into the same folder (it fits with the bank it finds there).
    """

    def go() -> dict[str, Any]:
        from ...training.bank import build_bank

        if not Path(train_file).is_file():
            fail(f"{train_file} not found", 2)
        return build_bank(load_qa(make_settings(**options)), Path(train_file), Path(out_dir))

    record = run_guarded(go)
    click.echo(json.dumps(record["trained_on"], indent=2))
    click.echo(f"question bank written to {out_dir}", err=True)


def _note(message: str) -> None:
    click.echo(message, err=True)


COMMANDS = [train]
