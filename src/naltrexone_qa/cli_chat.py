"""``naltrexone-qa chat``: the interactive front end, registered on the main CLI group.

Kept apart from cli.py so the chat's imports (prompt_toolkit, rich, the
pipeline) load only when someone starts a chat.
"""

from __future__ import annotations

import sys
from typing import Any, Optional

import click

from .cli import load_qa, run_guarded
from .cli_options import common_options

LOADING = "Loading the model and the index (the first run also builds the index)..."


@click.command("chat")
@common_options
@click.option("--mode", type=click.Choice(["hybrid", "bm25", "dense"]), default="hybrid", show_default=True,
              help="Retrieval: both ranked lists fused, or one alone.")
def chat(corpus_dir: Optional[str], index_dir: Optional[str], model: Optional[str], mode: str) -> None:
    """Talk with the bot: follow-up questions, /sources, /conflicts, /help."""
    from .chat import ChatSession, run_loop
    from .rendering import use_color

    def load() -> Any:
        qa = load_qa(corpus_dir, index_dir, model, mode=mode)
        qa.embed_query("naltrexone")  # load the model now, not on the first question
        return qa

    def go() -> None:
        if use_color(sys.stdout):
            from rich.console import Console

            with Console(highlight=False).status(LOADING):
                qa = load()
        else:
            click.echo(LOADING)
            qa = load()
        session = ChatSession(qa)
        session.greet()
        run_loop(session, interactive=sys.stdin.isatty() and sys.stdout.isatty())

    run_guarded(go)
