"""Settings of the Slack bot: tokens, the Web API address, the seen-events store.

Kept beside ``config`` (which reads the environment for them, see :func:`config.read_env`)
so that module stays small; a missing token is a usage error that names the variable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

from .config import read_env
from .errors import UsageError

SLACK_ENV = {
    "bot_token": "SLACK_BOT_TOKEN",
    "app_token": "SLACK_APP_TOKEN",
    "signing_secret": "SLACK_SIGNING_SECRET",
    "api_url": "SLACK_API_URL",
    "events_db": "NALTREXONE_QA_SLACK_EVENTS_DB",
}
SLACK_DOCS = "the README's Slack section (README.md#slack)"


class SlackConfigError(UsageError):
    """A required Slack setting is missing or malformed (exit code 2)."""


@dataclass(frozen=True)
class SlackSettings:
    """Tokens and endpoints; ``from_env`` checks what the chosen mode needs."""

    bot_token: str
    signing_secret: Optional[str] = None
    app_token: Optional[str] = None
    api_url: Optional[str] = None
    # Seen event ids (SQLite), kept this long so a retry after a restart is not answered twice;
    # None: slack-events.sqlite3 in the cache folder.
    events_db: Optional[Path] = None
    events_ttl: float = 24 * 3600.0

    @classmethod
    def from_env(cls, http: bool, env: Optional[Mapping[str, str]] = None) -> SlackSettings:
        got: dict[str, Any] = dict(read_env(SLACK_ENV, env))
        missing = [SLACK_ENV[k] for k in ("bot_token", "signing_secret" if http else "app_token") if k not in got]
        if missing:
            how = "HTTP mode (--http)" if http else "Socket Mode"
            raise SlackConfigError(f"{' and '.join(missing)} must be set for {how}; see {SLACK_DOCS}")
        if not http and not got.get("app_token", "xapp-").startswith("xapp-"):
            raise SlackConfigError(f"{SLACK_ENV['app_token']} must be an app-level token (it starts with xapp-)")
        db = got.pop("events_db", None)
        return cls(**got, events_db=Path(db) if db else None)
