"""The Bolt app as a server runs it: over the HTTP service, with seen event ids in SQLite.

Shared by ``serve --slack`` and ``slack --http`` (and each worker process of
either), so both de-duplicate the same way and answer on the same pipeline.
"""

from __future__ import annotations

from typing import Any

from ...config import Settings
from ...pipeline import Answerer
from ...slack_settings import SlackSettings
from .app import WORKERS, build_app
from .seen import SeenEvents


def events_db(slack: SlackSettings, settings: Settings) -> Any:
    """Where seen event ids are kept: the configured file, else one in the cache folder."""
    return slack.events_db or settings.cache_dir / "slack-events.sqlite3"


def slack_app(answerer: Answerer, slack: SlackSettings, settings: Settings, workers: int = WORKERS) -> Any:
    """A Bolt ``App`` for the HTTP server (checks the token with ``auth.test``)."""
    seen = SeenEvents(events_db(slack, settings), ttl=slack.events_ttl)
    return build_app(answerer, slack, workers=workers, seen=seen)
