"""Options every pipeline-loading command shares, defined once.

Kept apart from cli.py so that front-end modules (chat, Slack, eval) can use
them without importing the command group that registers them.
"""

from __future__ import annotations

from typing import Any, Callable

import click

MODEL_HELP = "Sentence-transformers model name or path [default: all-MiniLM-L6-v2, bundled]."


def model_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--model", default=None, envvar="NALTREXONE_QA_MODEL", show_envvar=True,
                        help=MODEL_HELP)(f)


def common_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--corpus, --index and --model (with their environment variables)."""
    f = model_option(f)
    f = click.option("--index", "index_dir", default=None, envvar="NALTREXONE_QA_INDEX", show_envvar=True,
                     type=click.Path(file_okay=False), help="Index folder [default: ./index].")(f)
    f = click.option("--corpus", "corpus_dir", default=None, envvar="NALTREXONE_QA_CORPUS", show_envvar=True,
                     type=click.Path(file_okay=False), help="Folder of .txt/.md articles [default: ./corpus].")(f)
    return f
