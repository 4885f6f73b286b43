"""``naltrexone-qa chat``: the interactive front end.

The chat's own imports (prompt_toolkit, rich, the pipeline) load only when
someone starts a chat.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from .common import common_options, load_qa, make_settings, mode_option, run_guarded

LOADING = "Loading the model and the index (the first run also builds the index)..."


@click.command("chat")
@common_options
@mode_option
def chat(**options: Any) -> None:
    """Talk with the bot: follow-up questions, /sources, /conflicts, /help."""
    from ...render.text import use_color
    from ..chat import ChatSession, run_loop

    def load() -> Any:
        qa = load_qa(make_settings(**options), spinner=False)
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


COMMANDS = [chat]
