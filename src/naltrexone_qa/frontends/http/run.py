"""Start uvicorn: one process, or several workers that each load their own pipeline.

With one worker the app object is served directly. With several, uvicorn
spawns fresh processes that import :func:`worker_app` (a factory), so the
settings travel through the environment (``Settings.to_env`` and
``ServerSettings.to_env``), and the workers share one socket and one
Prometheus folder. Either way uvicorn handles SIGTERM: it stops accepting,
lets requests in flight finish (up to the request timeout), runs the app's
shutdown and exits 0.
"""

from __future__ import annotations

import copy
import logging
from typing import Any, Union

from ...server_settings import ServerSettings

log = logging.getLogger(__name__)

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
WORKER_FACTORY = "naltrexone_qa.frontends.http.run:worker_app"


def log_config(verbose: int = 0) -> dict[str, Any]:
    """uvicorn's logging plus ours: the access log (with request ids) on stderr."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["plain"] = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    config["handlers"]["plain"] = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    level = "WARNING" if verbose == 0 else "INFO" if verbose == 1 else "DEBUG"
    config["loggers"]["naltrexone_qa"] = {"handlers": ["plain"], "level": level, "propagate": False}
    config["loggers"]["naltrexone_qa.access"] = {"handlers": ["plain"], "level": "INFO", "propagate": False}
    return config


def exposed_without_key(server: ServerSettings) -> bool:
    """Whether the server listens beyond this machine with no API key."""
    return server.host not in LOOPBACK and not server.key()


def serve(target: Union[str, Any], server: ServerSettings, verbose: int = 0) -> None:
    """Run uvicorn until SIGTERM/SIGINT; ``target`` is an app, or the worker factory's import string."""
    import signal

    import uvicorn

    several = isinstance(target, str)
    # uvicorn finishes the requests in flight on SIGTERM, then raises the signal again for the
    # handler it found; finding this one, the process returns normally and exits 0.
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.run(
        target,
        host=server.host,
        port=server.port,
        workers=server.workers if several else None,
        factory=several,
        log_config=log_config(verbose),
        access_log=False,  # ours has the request id
        server_header=False,
        timeout_graceful_shutdown=int(server.request_timeout) + 5,
    )


def _stopped(signum: int, frame: Any) -> None:
    log.info("stopped by signal %d", signum)


def exit_with_parent() -> None:
    """Have Linux send this worker SIGTERM when its parent dies.

    Why: a supervisor killed outright (SIGKILL, the OOM killer) cannot stop its workers,
    which would go on holding the port and their memory with nobody to restart them. With
    the parent-death signal they drain and exit like on a normal shutdown. Elsewhere a no-op.
    """
    import ctypes
    import os
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, int(signal.SIGTERM), 0, 0, 0) != 0:  # 1 = PR_SET_PDEATHSIG
            log.debug("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
            return
    except (OSError, AttributeError) as exc:
        log.debug("no parent-death signal: %s", exc)
        return
    if os.getppid() == 1:  # the parent died before the signal was armed
        os.kill(os.getpid(), signal.SIGTERM)


def worker_app() -> Any:
    """The app of one worker process, from the settings its parent put in the environment."""
    exit_with_parent()
    from ...config import Settings
    from ...pipeline import QA
    from ...slack_settings import SlackSettings
    from .app import create_app
    from .service import Service

    settings = Settings.from_env()
    server = ServerSettings.from_env()
    service = Service(lambda: QA.load(settings), server.threads)
    slack = None
    if server.slack:
        from ..slack.wiring import slack_app

        slack = slack_app(service, SlackSettings.from_env(http=True), settings)
    return create_app(service, server, max_question_chars=settings.max_question_chars, slack=slack)
