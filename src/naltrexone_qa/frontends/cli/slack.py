"""``naltrexone-qa slack``: run the Slack bot (Socket Mode, or HTTP with --http).

Slack settings are checked before the model loads, so a missing token is
reported at once (exit 2) instead of after a long start-up. Bolt and the
pipeline are imported inside the command so ``--help`` stays instant.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Optional

import click

from .common import common_options, fail, load_qa, make_settings, run_guarded

if TYPE_CHECKING:
    from slack_bolt import App

    from ...config import Settings, SlackSettings

DEFAULT_PORT = 3000


@click.command("slack")
@common_options
@click.option(
    "--http",
    "http",
    is_flag=True,
    help="Serve Slack's Events API over HTTP at /slack/events (needs SLACK_SIGNING_SECRET) "
    "instead of Socket Mode (needs SLACK_APP_TOKEN).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=None, help=f"Port for --http [default: {DEFAULT_PORT}].")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Threads that answer events after they are acknowledged.",
)
def slack(http: bool, port: Optional[int], workers: int, **options: Any) -> None:
    """Answer @mentions and direct messages in Slack, in threads, with citations.

    Needs SLACK_BOT_TOKEN, plus SLACK_APP_TOKEN (Socket Mode, the default) or
    SLACK_SIGNING_SECRET (--http). SLACK_API_URL overrides the Web API base URL.
    """
    from ...config import SlackSettings

    if port is not None and not http:
        fail("--port only applies with --http (Socket Mode needs no port)", 2)
    slack_settings = run_guarded(lambda: SlackSettings.from_env(http=http))
    settings = run_guarded(lambda: make_settings(**options))

    def go() -> None:
        from ..slack.app import EVENTS_PATH

        app = _build(slack_settings, settings, http, workers)
        if http:
            bound = port or DEFAULT_PORT
            click.echo(f"Slack bot listening on http://0.0.0.0:{bound}{EVENTS_PATH}", err=True)
            app.start(
                port=bound, path=EVENTS_PATH, http_server_logger_enabled=logging.getLogger().isEnabledFor(logging.INFO)
            )
        else:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            click.echo("Slack bot connecting in Socket Mode", err=True)
            SocketModeHandler(app, slack_settings.app_token).start()

    run_guarded(go)


def _build(slack_settings: SlackSettings, settings: Settings, http: bool, workers: int) -> App:
    """Load the pipeline, then the Bolt app (which checks the token with auth.test)."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from ...config import SLACK_ENV
    from ..slack.app import build_app

    qa = load_qa(settings)
    qa.ask("naltrexone")  # warm the model so the first Slack question is answered quickly
    try:
        return build_app(qa, slack_settings, socket_mode=not http, workers=workers)
    except (BoltError, SlackApiError) as exc:
        fail(f"Slack rejected SLACK_BOT_TOKEN ({exc})", 1)
    except OSError as exc:
        where = slack_settings.api_url or "https://slack.com/api/"
        fail(f"cannot reach the Slack Web API at {where} (set {SLACK_ENV['api_url']} to change it): {exc}", 1)


COMMANDS = [slack]
