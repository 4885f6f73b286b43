"""``naltrexone-qa bench scale``: MedQuAD through each vector store, and each store alone at N vectors.

Kept apart from ``bench`` (the group and its other commands) to keep modules
small; the group adds this command in ``cli/__init__``. The measuring code
loads only when the benchmark runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import click

from ...config import BENCHMARKS_ENV, benchmarks_dir
from .common import fail, make_settings, model_option, run_guarded


def _fractions(_ctx: click.Context, _param: click.Parameter, value: str) -> list[float]:
    try:
        out = sorted(float(x) for x in value.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter("give shares between 0 and 1 separated by commas, e.g. 0.1,0.5,1") from None
    if not out or out[0] <= 0 or out[-1] > 1:
        raise click.BadParameter("give shares between 0 and 1 separated by commas, e.g. 0.1,0.5,1")
    return out


@click.command("scale")
@click.option(
    "--medquad",
    default=None,
    type=click.Path(file_okay=False),
    help=f"MedQuAD folder [default: ${BENCHMARKS_ENV}/medquad].",
)
@click.option(
    "--liveqa",
    default=None,
    type=click.Path(file_okay=False),
    help=f"LiveQA-Med folder [default: ${BENCHMARKS_ENV}/liveqa-med].",
)
@click.option(
    "--work", default=None, type=click.Path(file_okay=False), help="Scratch folder [default: a temporary one]."
)
@click.option("--stores", default="faiss,milvus", show_default=True, help="Stores to compare, comma-separated.")
@click.option("--fractions", default="0.1,0.5,1", show_default=True, callback=_fractions, help="Shares of the corpus.")
@click.option(
    "--vectors",
    type=click.IntRange(0),
    default=1_000_000,
    show_default=True,
    help="Synthetic vectors per store alone (0: skip).",
)
@click.option(
    "--markdown", "markdown_file", type=click.Path(dir_okay=False), default=None, help="Also write the tables here."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@model_option
def scale(
    medquad: Optional[str],
    liveqa: Optional[str],
    work: Optional[str],
    stores: str,
    fractions: list[float],
    vectors: int,
    markdown_file: Optional[str],
    as_json: bool,
    model: Optional[str],
) -> None:
    """MedQuAD answers and LiveQA-Med questions through each store; each store alone at 1M vectors.

    Build time, peak memory, index size on disk, p50/p95 answer latency, and their growth from the
    smallest to the largest share. Takes long with the real model (it embeds every answer); `--model
    hash:384` measures the stores and the pipeline without the model.
    """
    import tempfile

    if medquad is None or liveqa is None:
        bench = benchmarks_dir()
        if bench is None:
            folders = "the folder of medquad/ and liveqa-med/"
            fail(f"give --medquad DIR and --liveqa DIR, or set {BENCHMARKS_ENV} ({folders})", 2)
        medquad = medquad or str(bench / "medquad")
        liveqa = liveqa or str(bench / "liveqa-med")
    if not Path(medquad).is_dir():
        click.echo(f"Skipped: no MedQuAD folder at {medquad}.", err=True)
        return
    settings = run_guarded(lambda: make_settings(model=model))

    def go() -> dict[str, Any]:
        from ...bench.scale import run_scale

        folder = Path(work) if work else Path(tempfile.mkdtemp(prefix="naltrexone-qa-scale-"))
        return run_scale(
            Path(medquad),
            Path(liveqa),
            folder,
            stores=[s.strip() for s in stores.split(",") if s.strip()],
            fractions=fractions,
            model=settings.model,
            vectors=vectors,
            progress=lambda m: click.echo(m, err=True),
        )

    result = run_guarded(go)
    from ...bench.scale import markdown

    table = markdown(result)
    if markdown_file:
        Path(markdown_file).write_text(table + "\n", encoding="utf-8")
    click.echo(json.dumps(result, indent=2) if as_json else table)


SUBCOMMANDS = [scale]
