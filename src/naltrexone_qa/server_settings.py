"""Settings of the HTTP server (``serve``, ``slack --http``): address, workers, access, limits.

Kept beside ``config`` (which reads the environment for them, see :func:`config.read_env`)
so that module stays small; like ``Settings``, options win over the environment, which
wins over the defaults, and ``to_env`` hands them to worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

from .config import read_env
from .errors import UsageError

SERVER_ENV = {
    "host": "NALTREXONE_QA_HOST",
    "port": "NALTREXONE_QA_PORT",
    "workers": "NALTREXONE_QA_WORKERS",
    "threads": "NALTREXONE_QA_THREADS",
    "api_key": "NALTREXONE_QA_API_KEY",
    "api_key_file": "NALTREXONE_QA_API_KEY_FILE",
    "rate_limit": "NALTREXONE_QA_RATE_LIMIT",
    "rate_limit_storage": "NALTREXONE_QA_RATE_LIMIT_STORAGE",
    "cors_origins": "NALTREXONE_QA_CORS_ORIGINS",
    "request_timeout": "NALTREXONE_QA_REQUEST_TIMEOUT",
    "max_history_turns": "NALTREXONE_QA_MAX_HISTORY_TURNS",
    "max_body_bytes": "NALTREXONE_QA_MAX_BODY_BYTES",
    "slack": "NALTREXONE_QA_SERVE_SLACK",
    "metrics_dir": "PROMETHEUS_MULTIPROC_DIR",  # prometheus-client's own name: set when workers share /metrics
}
_INTS, _FLOATS = {"port", "workers", "threads", "max_history_turns", "max_body_bytes"}, {"request_timeout"}


@dataclass(frozen=True)
class ServerSettings:
    """``serve`` and ``slack --http``: where to listen, who may call, and how much they may send."""

    host: str = "127.0.0.1"  # loopback unless asked: a health bot should not appear on a network by accident
    port: int = 8000
    workers: int = 1  # processes, each with its own pipeline (memory per worker: README "Deploying")
    threads: int = 8  # answering threads per worker; the pipeline is thread-safe, so no lock serialises them
    api_key: Optional[str] = field(default=None, repr=False)
    api_key_file: Optional[Path] = None
    rate_limit: Optional[str] = None  # per client, in the `limits` notation ("60/minute"); None: no limit
    rate_limit_storage: str = "memory://"  # per worker; "redis://host:6379" shares the count between workers
    cors_origins: tuple[str, ...] = ()  # CORS stays off unless origins are listed
    request_timeout: float = 30.0  # seconds before /v1/ask answers 504
    max_history_turns: int = 20
    max_body_bytes: int = 64 * 1024
    slack: bool = False  # also answer Slack's Events API at /slack/events
    metrics_dir: Optional[Path] = None

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None, **overrides: Any) -> ServerSettings:
        """Defaults, then the environment, then ``overrides`` (None means "not given")."""
        values: dict[str, Any] = dict(read_env(SERVER_ENV, env))
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            for name in _INTS & set(values):
                values[name] = int(values[name])
            for name in _FLOATS & set(values):
                values[name] = float(values[name])
        except ValueError as exc:
            raise UsageError(f"server setting is not a number: {exc}") from None
        if isinstance(values.get("slack"), str):
            values["slack"] = values["slack"].lower() in ("1", "true", "yes", "on")
        if isinstance(values.get("cors_origins"), str):
            values["cors_origins"] = tuple(o.strip() for o in values["cors_origins"].split(",") if o.strip())
        for name in ("api_key_file", "metrics_dir"):
            if values.get(name):
                values[name] = Path(values[name])
        settings = cls(**values)
        if settings.workers < 1 or settings.threads < 1 or settings.request_timeout <= 0:
            raise UsageError("workers, threads and the request timeout must be positive")
        return settings

    def key(self) -> Optional[str]:
        """The API key (from the setting, else the key file), or None when access is open."""
        if self.api_key:
            return self.api_key
        if self.api_key_file is None:
            return None
        try:
            key = self.api_key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"cannot read the API key file {self.api_key_file}: {exc.strerror}") from None
        if not key:
            raise UsageError(f"the API key file {self.api_key_file} is empty")
        return key

    def to_env(self) -> dict[str, str]:
        """The environment that makes ``from_env`` rebuild these settings in a worker process."""
        out = {}
        for name, var in SERVER_ENV.items():
            value = getattr(self, name)
            if value is None or (name == "api_key" and self.api_key_file):
                continue
            out[var] = ",".join(value) if isinstance(value, tuple) else str(value)
        return out
