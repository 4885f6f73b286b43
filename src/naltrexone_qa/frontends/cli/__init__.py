"""The ``naltrexone-qa`` command line: a click group whose commands register from their own modules.

Like simonw/llm, each command module defines its commands and this module adds
them to the group; command modules import only ``common``, never this module,
so there is no cycle. Heavy imports (torch, faiss) happen inside command
bodies, so ``--help`` and argument errors answer at once.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn, Optional

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


# One-shot commands that have nothing left to do once their output is written. After one of them
# has loaded the model, the interpreter's own teardown (freeing torch's and transformers' objects and
# modules) took 0.6 s on an idle and up to 3.6 s on a busy two-core machine: a silent wait after the
# answer. These commands end at once instead (issue 13); files are closed and locks released by then.
QUICK_EXIT = frozenset({"ask", "conflicts", "source", "index", "add", "remove", "chat"})


def _command_name(argv: list[str]) -> Optional[str]:
    return next((a for a in argv if not a.startswith("-")), None)


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(prog_name="naltrexone-qa")
    except SystemExit as done:
        code = done.code
        heavy = "sentence_transformers" in sys.modules or "torch" in sys.modules
        if heavy and (code is None or isinstance(code, int)) and _command_name(sys.argv[1:]) in QUICK_EXIT:
            quick_exit(code or 0)
        raise


def quick_exit(code: int) -> NoReturn:
    """Flush what was written and end the process without the interpreter's teardown."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
