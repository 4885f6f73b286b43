"""What every request passes through: request id, access log, metrics, body limit, API key, rate limit.

One pure ASGI middleware rather than a stack of them, so the order is plain to
read: an id first (taken from a sane ``X-Request-ID`` or made up), then the
API key (constant-time compare; ``/healthz`` and ``/readyz`` stay open for
probes, ``/slack/events`` is checked by Slack's signature instead), then the
per-client rate limit on ``/v1/``, then the body limit while the app reads the
body. Whatever happens, one access-log line with the id and one metrics sample
are written when the response is done.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
import time
import uuid
from typing import Optional

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...server_settings import ServerSettings
from .errors import error_response
from .metrics import observe_request

access_log = logging.getLogger("naltrexone_qa.access")
log = logging.getLogger(__name__)


OPEN_PATHS = frozenset({"/healthz", "/readyz"})
SIGNED_PREFIX = "/slack/"
LIMITED_PREFIX = "/v1/"
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class BodyTooLarge(Exception):
    """The client sent more than ``max_body_bytes``."""


class RateLimiter:
    """Requests per client per window, counted by the `limits` library (memory or Redis)."""

    def __init__(self, spec: str, storage_uri: str = "memory://") -> None:
        from limits import parse
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        self.item = parse(spec)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def retry_after(self, client: str) -> Optional[int]:
        """None when the request may go ahead, else the seconds to wait."""
        if self.limiter.hit(self.item, "naltrexone-qa", client):
            return None
        reset, _ = self.limiter.get_window_stats(self.item, "naltrexone-qa", client)
        return max(1, math.ceil(reset - time.time()))


def authorized(headers: Headers, key: str) -> bool:
    """Whether ``Authorization: Bearer <key>`` matches, compared in constant time."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), key.encode())


class Gate:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, server: ServerSettings, key: Optional[str]) -> None:
        self.app = app
        self.key = key
        self.max_body = server.max_body_bytes
        self.limiter = RateLimiter(server.rate_limit, server.rate_limit_storage) if server.rate_limit else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        given = headers.get("x-request-id", "")
        rid = given if _GOOD_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = [0]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", rid)
            await send(message)

        try:
            refusal = self.refuse(scope, headers, rid)
            if refusal is not None:
                await refusal(scope, receive, send_with_id)
            else:
                await self.app(scope, self.limited(receive, headers), send_with_id)
        except BodyTooLarge:
            if not status[0]:
                message = f"the request body is over the limit of {self.max_body:,} bytes"
                await error_response(413, message, rid)(scope, receive, send_with_id)
        except Exception:
            # Logged here with its id, answered with the id only: no trace ever reaches a client.
            log.exception("request %s failed", rid)
            if status[0]:
                raise
            message = f"internal error; quote request id {rid} when reporting it"
            await error_response(500, message, rid)(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            path, method = scope.get("path", ""), scope.get("method", "")
            observe_request(path, method, status[0] or 500, seconds)
            client = (scope.get("client") or ("-", 0))[0]
            access_log.info(
                '%s "%s %s" %d %.1fms request_id=%s', client, method, path, status[0] or 500, seconds * 1000, rid
            )

    def refuse(self, scope: Scope, headers: Headers, rid: str) -> Optional[ASGIApp]:
        """An error response for a request that may not go ahead, else None."""
        path = scope.get("path", "")
        if self.key and path not in OPEN_PATHS and not path.startswith(SIGNED_PREFIX):
            if not authorized(headers, self.key):
                return error_response(
                    401,
                    "missing or wrong API key: send Authorization: Bearer <key>",
                    rid,
                    {"WWW-Authenticate": "Bearer"},
                )
        if self.limiter is not None and path.startswith(LIMITED_PREFIX):
            client = (scope.get("client") or ("unknown", 0))[0]
            wait = self.limiter.retry_after(client)
            if wait is not None:
                message = f"too many requests; try again in {wait} s"
                return error_response(429, message, rid, {"Retry-After": str(wait)})
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            return error_response(413, f"the request body is over the limit of {self.max_body:,} bytes", rid)
        return None

    def limited(self, receive: Receive, headers: Headers) -> Receive:
        """``receive`` that stops a chunked body once it passes the limit."""
        seen = [0]

        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                seen[0] += len(message.get("body", b""))
                if seen[0] > self.max_body:
                    raise BodyTooLarge()
            return message

        return wrapped
