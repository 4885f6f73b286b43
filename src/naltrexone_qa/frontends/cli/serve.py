"""``naltrexone-qa serve``: the HTTP API (and, with --slack, Slack's Events API) on uvicorn.

The index is checked (and built, with a progress bar) before the server
starts, so a bad corpus or setting is a message and an exit code here rather
than a worker that never gets ready. FastAPI, uvicorn and the pipeline are
imported inside the command so ``--help`` stays instant.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import Any, Callable, Optional

import click

from .common import common_options, fail, load_qa, make_settings, progress_bar, run_guarded, server_options


@click.command("serve")
@common_options
@server_options(default_port=8000)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes [env NALTREXONE_QA_WORKERS; default: 1].",
)
@click.option("--threads", type=click.IntRange(1, 256), default=None, help="Answering threads per worker [default: 8].")
@click.option(
    "--rate-limit",
    default=None,
    metavar="N/PERIOD",
    help='Per-client limit on /v1/, e.g. "60/minute" [env NALTREXONE_QA_RATE_LIMIT; default: none].',
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    help="Allow browser calls from this origin (repeatable); CORS is off otherwise.",
)
@click.option(
    "--request-timeout",
    type=click.FloatRange(0.1),
    default=None,
    help="Seconds before /v1/ask answers 504 [default: 30].",
)
@click.option(
    "--slack",
    is_flag=True,
    default=None,
    help="Also serve Slack's Events API at /slack/events (needs SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET).",
)
@click.pass_context
def serve(ctx: click.Context, **options: Any) -> None:
    """Serve POST /v1/ask, GET /v1/conflicts, /healthz, /readyz, /metrics and /docs over HTTP.

    Listens on 127.0.0.1:8000 unless told otherwise. With NALTREXONE_QA_API_KEY
    (or --api-key-file) set, every endpoint but /healthz and /readyz needs
    "Authorization: Bearer <key>". SIGTERM lets requests in flight finish, then exits 0.
    """
    server_keys = ("host", "port", "workers", "threads", "api_key_file", "rate_limit", "request_timeout", "slack")
    server_opts = {k: options.pop(k) for k in server_keys}
    origins = options.pop("cors_origins")
    server_opts["cors_origins"] = tuple(origins) if origins else None
    settings, server = run_guarded(lambda: _settings(options, server_opts))
    verbose = (ctx.find_root().params or {}).get("verbose", 0)

    def go() -> None:
        from ..http.run import WORKER_FACTORY, exposed_without_key, serve

        if exposed_without_key(server):
            click.echo(
                f"Warning: listening on {server.host} without an API key: anyone who can reach this port can use it "
                "(set NALTREXONE_QA_API_KEY or --api-key-file)",
                err=True,
            )
        slack_settings = _slack_settings() if server.slack else None
        if server.workers == 1:
            serve(_single_app(settings, server, slack_settings), server, verbose)
            return
        _prepare_index(settings)
        from ...config import export_env

        metrics_dir = tempfile.mkdtemp(prefix="naltrexone-qa-metrics-")
        try:
            server_env = {**server.to_env(), "PROMETHEUS_MULTIPROC_DIR": metrics_dir}
            export_env({**settings.to_env(), **server_env})
            click.echo(f"Serving on http://{server.host}:{server.port} with {server.workers} workers", err=True)
            serve(WORKER_FACTORY, server, verbose)
        finally:
            shutil.rmtree(metrics_dir, ignore_errors=True)

    run_guarded(go)


def _settings(options: dict[str, Any], server_opts: dict[str, Any]) -> Any:
    from ...errors import UsageError
    from ...retrieve.milvus_store import is_lite
    from ...server_settings import ServerSettings

    settings = make_settings(**options)
    server = ServerSettings.from_env(**server_opts)
    server.key()  # an unreadable key file is an error now, not in a worker
    uri = settings.retrieval.milvus_uri
    if settings.store == "milvus" and uri and is_lite(uri) and server.workers > 1:
        raise UsageError("Milvus Lite (a file URI) serves one process: use --workers 1, or a Milvus server URI")
    return settings, server


def _slack_settings() -> Any:
    from ...slack_settings import SlackSettings

    return SlackSettings.from_env(http=True)


def _prepare_index(settings: Any) -> None:
    """Build the index once, here, so the workers only load it."""
    from ...disagree.registry import get_detector
    from ...embed.base import get_embedder
    from ...index.build import ensure_index

    embedder = get_embedder(settings)
    ensure_index(settings, embedder, get_detector(settings.detector, embedder=embedder), progress=progress_bar())


def _single_app(settings: Any, server: Any, slack_settings: Optional[Any]) -> Any:
    from ..http.app import create_app
    from ..http.service import Service

    qa = load_qa(settings, progress=True)
    service = Service(lambda: qa, server.threads)
    slack = None
    if slack_settings is not None:
        slack = build_slack(service, slack_settings, settings)
    click.echo(f"Serving on http://{server.host}:{server.port} (docs at /docs)", err=True)
    return create_app(service, server, max_question_chars=settings.max_question_chars, slack=slack)


def build_slack(answerer: Any, slack_settings: Any, settings: Any, workers: int = 8) -> Any:
    """The Bolt app over ``answerer``; a rejected token or an unreachable Slack is a message and exit 1."""
    from ..slack.wiring import slack_app

    return slack_or_fail(lambda: slack_app(answerer, slack_settings, settings, workers=workers), slack_settings)


def slack_or_fail(build: Callable[[], Any], slack_settings: Any) -> Any:
    """``build()`` (a Bolt app, which checks the token with auth.test), or a message and exit 1."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from ...slack_settings import SLACK_ENV

    try:
        return build()
    except (BoltError, SlackApiError) as exc:
        fail(f"Slack rejected SLACK_BOT_TOKEN ({exc})", 1)
    except OSError as exc:
        where = slack_settings.api_url or "https://slack.com/api/"
        fail(f"cannot reach the Slack Web API at {where} (set {SLACK_ENV['api_url']} to change it): {exc}", 1)


COMMANDS = [serve]
