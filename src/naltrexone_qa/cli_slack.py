"""``naltrexone-qa slack``: run the Slack bot (Socket Mode, or HTTP with --http).

Settings are checked before the model loads, so a missing token is reported
at once (exit 2) instead of after a long start-up. Bolt and the pipeline are
imported inside the command so ``--help`` stays instant.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Optional

import click

from .cli_options import common_options

if TYPE_CHECKING:
    from slack_bolt import App

    from .slack_app import SlackSettings

log = logging.getLogger(__name__)

DEFAULT_PORT = 3000


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.command("slack")
@common_options
@click.option("--http", "http", is_flag=True,
              help="Serve Slack's Events API over HTTP at /slack/events (needs SLACK_SIGNING_SECRET) "
                   "instead of Socket Mode (needs SLACK_APP_TOKEN).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help=f"Port for --http [default: {DEFAULT_PORT}].")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Threads that answer events after they are acknowledged.")
def slack(corpus_dir: Optional[str], index_dir: Optional[str], model: Optional[str], http: bool,
          port: Optional[int], workers: int) -> None:
    """Answer @mentions and direct messages in Slack, in threads, with citations.

    Needs SLACK_BOT_TOKEN, plus SLACK_APP_TOKEN (Socket Mode, the default) or
    SLACK_SIGNING_SECRET (--http). SLACK_API_URL overrides the Web API base URL.
    """
    from .errors import QAError
    from .slack_app import EVENTS_PATH, SlackConfigError, SlackSettings

    if port is not None and not http:
        _fail("--port only applies with --http (Socket Mode needs no port)", 2)
    try:
        settings = SlackSettings.from_env(http=http)
    except SlackConfigError as exc:
        _fail(str(exc), exc.exit_code)

    try:
        app = _build(settings, corpus_dir, index_dir, model, http, workers)
        if http:
            port = port or DEFAULT_PORT
            click.echo(f"Slack bot listening on http://0.0.0.0:{port}{EVENTS_PATH}", err=True)
            app.start(port=port, path=EVENTS_PATH,
                      http_server_logger_enabled=logging.getLogger().isEnabledFor(logging.INFO))
        else:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            click.echo("Slack bot connecting in Socket Mode", err=True)
            SocketModeHandler(app, settings.app_token).start()
    except QAError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except OSError as exc:
        _fail(f"cannot start the server: {exc.strerror or exc}", 1)


def _build(settings: "SlackSettings", corpus_dir: Optional[str], index_dir: Optional[str],
           model: Optional[str], http: bool, workers: int) -> "App":
    """Load the pipeline, then the Bolt app (which checks the token with auth.test)."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from .pipeline import QA
    from .slack_app import API_URL_ENV, build_app

    qa = QA.load(corpus_dir, index_dir, model)
    qa.ask("naltrexone")  # warm the model so the first Slack question is answered quickly
    try:
        return build_app(qa, settings, socket_mode=not http, workers=workers)
    except (BoltError, SlackApiError) as exc:
        _fail(f"Slack rejected SLACK_BOT_TOKEN ({exc})", 1)
    except OSError as exc:
        where = settings.api_url or "https://slack.com/api/"
        _fail(f"cannot reach the Slack Web API at {where} (set {API_URL_ENV} to change it): {exc}", 1)
