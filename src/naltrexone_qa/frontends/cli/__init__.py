"""The ``naltrexone-qa`` command line: a click group whose commands register from their own modules.

Like simonw/llm, each command module defines its commands and this module adds
them to the group; command modules import only ``common``, never this module,
so there is no cycle. Heavy imports (torch, faiss) happen inside command
bodies, so ``--help`` and argument errors answer at once.
"""

from __future__ import annotations

import click

from . import (
    bench,
    bench_public,
    bench_scale,
    bench_stance,
    chat,
    core,
    corpus,
    evaluate,
    serve,
    slack,
    train,
    training,
)
from .common import configure_logging

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="naltrexone-qa")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
def cli(verbose: int) -> None:
    """Answers about naltrexone, quoted word for word from source articles, with citations.

    Not medical advice: it only quotes the articles in its corpus.
    """
    configure_logging(verbose)


for _module in (core, corpus, chat, serve, slack, evaluate, bench, train, training):
    for _command in _module.COMMANDS:
        cli.add_command(_command)
for _command in (*bench_public.BENCH_COMMANDS, *bench_scale.SUBCOMMANDS, *bench_stance.BENCH_COMMANDS):
    bench.bench.add_command(_command)
for _command in train.TRAIN_COMMANDS:
    training.train.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="naltrexone-qa")
