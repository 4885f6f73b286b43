"""``naltrexone-qa slack``: run the Slack bot (Socket Mode, or HTTP with --http).

With --http the bot is Bolt's ASGI adapter on uvicorn (the same server as
``serve``, with /healthz, /readyz and /metrics), on 127.0.0.1 unless --host
says otherwise; seen event ids are kept in SQLite so a retry after a restart is
not answered twice. Slack settings are checked before the model loads, so a
missing token is reported at once (exit 2) instead of after a long start-up.
Bolt and the pipeline are imported inside the command so ``--help`` stays instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import click

from .common import common_options, fail, load_qa, make_settings, run_guarded, server_options

if TYPE_CHECKING:
    from slack_bolt import App

    from ...config import Settings
    from ...slack_settings import SlackSettings

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
@server_options(default_port=DEFAULT_PORT)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Threads that answer events after they are acknowledged.",
)
@click.pass_context
def slack(
    ctx: click.Context,
    http: bool,
    host: Optional[str],
    port: Optional[int],
    api_key_file: Optional[str],
    workers: int,
    **options: Any,
) -> None:
    """Answer @mentions and direct messages in Slack, in threads, with citations.

    Needs SLACK_BOT_TOKEN, plus SLACK_APP_TOKEN (Socket Mode, the default) or
    SLACK_SIGNING_SECRET (--http). SLACK_API_URL overrides the Web API base URL.
    """
    from ...slack_settings import SlackSettings

    if (port is not None or host is not None or api_key_file is not None) and not http:
        fail("--host, --port and --api-key-file only apply with --http (Socket Mode needs no port)", 2)
    slack_settings = run_guarded(lambda: SlackSettings.from_env(http=http))
    settings = run_guarded(lambda: make_settings(**options))

    def go() -> None:
        from ..slack.app import EVENTS_PATH

        if http:
            from ...server_settings import ServerSettings
            from ..http.app import create_app
            from ..http.run import serve
            from ..http.service import Service
            from .serve import build_slack

            server = ServerSettings.from_env(host=host, port=port or DEFAULT_PORT, api_key_file=api_key_file)
            qa = load_qa(settings)
            service = Service(lambda: qa, threads=workers)
            service.load()  # warm the model so the first Slack question is answered quickly
            api = create_app(service, server, api=False, slack=build_slack(service, slack_settings, settings, workers))
            click.echo(f"Slack bot listening on http://{server.host}:{server.port}{EVENTS_PATH}", err=True)
            serve(api, server, (ctx.find_root().params or {}).get("verbose", 0))
            return
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        app = _build(slack_settings, settings, http, workers)
        click.echo("Slack bot connecting in Socket Mode", err=True)
        SocketModeHandler(app, slack_settings.app_token).start()

    run_guarded(go)


def _build(slack_settings: SlackSettings, settings: Settings, http: bool, workers: int) -> App:
    """Load the pipeline, then the Bolt app (which checks the token with auth.test)."""
    from ..slack.app import build_app
    from .serve import slack_or_fail

    qa = load_qa(settings)
    qa.ask("naltrexone")  # warm the model so the first Slack question is answered quickly
    return slack_or_fail(lambda: build_app(qa, slack_settings, socket_mode=not http, workers=workers), slack_settings)


COMMANDS = [slack]
