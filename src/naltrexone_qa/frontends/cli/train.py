"""``conflicts-eval`` and ``conflicts-train``: measure and re-train the disagreement detector.

Data paths come from options (there is no machine path in the package); the
public claim-evidence pairs live in ``../shared/benchmarks`` beside a checkout.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Optional

import click

from ...config import BENCHMARKS_ENV, benchmarks_dir
from .common import fail, make_settings, run_guarded

DEFAULT_PAIRS = "evals/conflict_pairs.jsonl"


@click.command("conflicts-eval")
@click.option(
    "--pairs",
    "pairs_file",
    default=DEFAULT_PAIRS,
    show_default=True,
    help="Labelled pairs: our JSONL, the claim-evidence JSONL or a HealthVer CSV.",
)
@click.option(
    "--public-file",
    default=None,
    type=click.Path(dir_okay=False),
    help="Also score a public pairs file, e.g. ../shared/benchmarks/claim-evidence/pairs.jsonl.",
)
@click.option(
    "--detector",
    "detector_name",
    default="rules",
    show_default=True,
    help="rules, learned, rules+learned, nli, or stance:DIR (a model from `train stance`).",
)
@click.option("--nli-model", default=None, help="CrossEncoder NLI model name or local path.")
@click.option("--json", "as_json", is_flag=True, help="Print metrics as JSON.")
def conflicts_eval(
    pairs_file: str, public_file: Optional[str], detector_name: str, nli_model: Optional[str], as_json: bool
) -> None:
    """Precision/recall/F1 of the disagreement detector on labelled sentence pairs."""

    def go() -> dict[str, Any]:
        from ...disagree.registry import get_detector
        from ...evaluation.pairs import evaluate, load_pairs

        detector = get_detector(detector_name, nli_model)
        report: dict[str, Any] = {"pairs": {"file": pairs_file, **evaluate(detector, load_pairs(pairs_file, "corpus"))}}
        if public_file:
            path = Path(public_file)
            if not path.is_file():
                fail(f"public pairs file {path} not found", 2)
            report["public"] = {"file": str(path), **evaluate(detector, load_pairs(path))}
            if "learned" in detector_name:  # the head trained on 70% of these claims
                report["public"]["note"] = (
                    "includes the learned head's training split; held-out figures are in detector_head.json"
                )
        return report

    report = run_guarded(go)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    from ...evaluation.pairs import format_report

    click.echo(format_report(f"labelled pairs: {pairs_file}", report["pairs"]))
    pub = report.get("public")
    if pub:
        click.echo(format_report(f"public pairs: {pub['file']}", pub))
        if "note" in pub:
            click.echo(f"  note: {pub['note']}")


@click.command("conflicts-train")
@click.option(
    "--public-file",
    required=True,
    type=click.Path(dir_okay=False),
    help="Public claim-evidence pairs (jsonl), e.g. ../shared/benchmarks/claim-evidence/pairs.jsonl.",
)
@click.option(
    "--pairs",
    "pairs_file",
    default=DEFAULT_PAIRS,
    show_default=True,
    help="Our labelled pairs, scored (never trained on).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for detector_head.npy/.json (copy them into src/naltrexone_qa/disagree/ to ship them).",
)
@click.option("--cache-dir", default=None, help="Pair-embedding cache [default: the settings' cache folder].")
@click.option("--seed", default=20240603, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the training record as JSON.")
def conflicts_train(
    public_file: str, pairs_file: str, out_dir: str, cache_dir: Optional[str], seed: int, as_json: bool
) -> None:
    """Re-train the learned contradiction head and report held-out metrics."""
    logging.getLogger("naltrexone_qa").setLevel(logging.INFO)

    def go() -> dict[str, Any]:
        from ...training.detector_head import train

        cache = Path(cache_dir) if cache_dir else make_settings().cache_dir / "pair-embeddings"
        if not Path(public_file).is_file():
            fail(f"public pairs file {public_file} not found", 2)
        return train(public_file, pairs_file, cache, Path(out_dir), seed)

    rec = run_guarded(go)
    if as_json:
        click.echo(json.dumps(rec, indent=2))
        return
    click.echo(
        f"split seed={seed}: {rec['split']['train_pairs']} train / {rec['split']['held_out_pairs']} "
        f"held-out pairs; C={rec['C']}, threshold={rec['threshold']}, high={rec['high_threshold']}"
    )
    for det, per in rec["held_out"].items():
        for s, m in per.items():
            click.echo(
                f"  held-out {s:<14} {det:<14} P={m['precision']:.3f} R={m['recall']:.3f} "
                f"F1={m['f1']:.3f}  always F1={m['always_f1']:.3f}  never F1=0.000"
            )
    for det, m in rec.get("own_pairs", {}).items():
        if isinstance(m, dict):
            click.echo(
                f"  own pairs {det:<14} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} "
                f"(fp={m['fp']}, fn={m['fn']})"
            )


@click.command("stance")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the model.")
@click.option(
    "--pairs-file",
    default=None,
    type=click.Path(dir_okay=False),
    help="Claim-evidence pairs (JSONL) to split into fit / hold / report "
    f"[default: claim-evidence/pairs.jsonl under ${BENCHMARKS_ENV}].",
)
@click.option("--seed", default=13, show_default=True, type=int)
@click.option("--epochs", default=2.0, show_default=True, type=click.FloatRange(0.01))
@click.option(
    "--max-steps", default=0, show_default=True, type=click.IntRange(0), help="Stop after N steps (0: epochs)."
)
@click.option("--checkpoint-every", default=50, show_default=True, type=click.IntRange(1))
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1), help="1 keeps reruns bit-identical.")
@click.option("--json", "as_json", is_flag=True, help="Print the model card as JSON.")
def train_stance_cmd(
    out_dir: str,
    pairs_file: Optional[str],
    seed: int,
    epochs: float,
    max_steps: int,
    checkpoint_every: int,
    threads: int,
    as_json: bool,
) -> None:
    """Train the stance cross-encoder (LoRA on MiniLM) and its combiner with the rules; resumes from DIR/checkpoint.

    Use the result with --detector stance:DIR (index, ask, bench stance, conflicts-eval).
    A full run (438 steps, one thread) takes about 14 minutes on a 2-core machine.
    """
    logging.getLogger("naltrexone_qa").setLevel(logging.INFO)
    bench = benchmarks_dir()
    if pairs_file is None and bench is None:
        fail(f"give --pairs-file FILE or set {BENCHMARKS_ENV} to the public benchmarks folder", 2)
    pairs = Path(pairs_file) if pairs_file else Path(str(bench)) / "claim-evidence" / "pairs.jsonl"

    def go() -> dict[str, Any]:
        from ...training.stance import Recipe, train_stance

        recipe = Recipe(
            seed=seed, epochs=epochs, max_steps=max_steps, checkpoint_every=checkpoint_every, threads=threads
        )
        return train_stance(pairs, Path(out_dir), recipe, progress=lambda m: click.echo(m, err=True))

    card = run_guarded(go)
    if as_json:
        click.echo(json.dumps(card, indent=2))
        return
    m = card["report_split"]
    click.echo(
        f"saved {out_dir}: {card['steps']} steps; report split macro-F1 {m['macro_f1']:.3f}, refutes F1 "
        f"{m['per_label']['refutes']['f1']:.3f}, contradiction F1 on gold pairs "
        f"{card['report_contradiction_f1_gold_pairs']:.3f}"
    )


COMMANDS = [conflicts_eval, conflicts_train]
TRAIN_COMMANDS = [train_stance_cmd]  # joined to the ``train`` group in ``training``
