"""``naltrexone-qa bench perf``: speed and memory beside their floors, with the issue 7 targets.

Only click is imported at module level; the measuring code (and with it numpy,
torch and faiss, in worker processes) loads when the command runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import click


def _sizes(_ctx: click.Context, _param: click.Parameter, value: str) -> list[int]:
    try:
        sizes = [int(x) for x in value.split(",") if x.strip()]
    except ValueError:
        raise click.BadParameter("give chunk counts separated by commas, e.g. 1000,10000,100000") from None
    if not sizes or min(sizes) < 10:
        raise click.BadParameter("give at least one size, each of 10 chunks or more")
    return sorted(sizes)


@click.command("perf")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option("--qa", "qa_file", default="evals/qa.jsonl", show_default=True, type=click.Path(dir_okay=False),
              help="Questions to time (built-in questions when the file is missing).")
@click.option("--sizes", default="1000,10000,100000", show_default=True, callback=_sizes,
              help="Synthetic corpus sizes, in chunks, for the scaling table.")
@click.option("--repeats", type=click.IntRange(1), default=3, show_default=True,
              help="Rounds of the cold one-shot comparison (the median is reported).")
@click.option("--random-recall", is_flag=True,
              help="Also check HNSW recall on random unit vectors (the hard case; slow to build at 100k).")
@click.option("--markdown", "markdown_file", type=click.Path(dir_okay=False), default=None,
              help="Also write the tables as Markdown to this file.")
@click.option("--check", is_flag=True, help="Exit 1 when any target is missed.")
@click.option("--index", "index_dir", default="index", envvar="NALTREXONE_QA_INDEX", show_envvar=True,
              type=click.Path(file_okay=False), help="Index folder [default: ./index].")
@click.option("--corpus", "corpus_dir", default="corpus", envvar="NALTREXONE_QA_CORPUS", show_envvar=True,
              type=click.Path(file_okay=False), help="Folder of .txt/.md articles [default: ./corpus].")
def perf(as_json: bool, qa_file: str, sizes: list[int], repeats: int, random_recall: bool,
         markdown_file: Optional[str], check: bool, index_dir: str, corpus_dir: str) -> None:
    """Time answers, start-up and index builds against the model work they cannot avoid.

    Takes several minutes: every measurement runs in its own process, and the
    largest synthetic corpus (100k chunks) is indexed with BM25 and HNSW.
    """
    from .perf import run_perf
    from .perf_report import render_markdown

    if not Path(corpus_dir).is_dir():
        click.echo(f"Error: corpus folder {corpus_dir} not found", err=True)
        sys.exit(2)
    try:
        result = run_perf(corpus_dir, index_dir, Path(qa_file), sizes=sizes, repeats=repeats,
                          random_recall=random_recall, progress=lambda m: click.echo(m, err=True))
    except RuntimeError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Error: interrupted", err=True)
        sys.exit(130)
    table = render_markdown(result)
    if markdown_file:
        Path(markdown_file).write_text(table + "\n", encoding="utf-8")
    click.echo(json.dumps(result, indent=2) if as_json else table)
    missed = [c["check"] for c in result["checks"] if not c["ok"]]
    if check and missed:
        click.echo("Targets missed: " + "; ".join(missed), err=True)
        sys.exit(1)
