"""Slack's Events API on the ASGI server: Bolt's Starlette adapter at ``/slack/events``.

Bolt's ``App.dispatch`` is synchronous (signature check, de-duplication in
SQLite, acknowledgement); it runs on a worker thread so the event loop keeps
serving while it does, and the answering itself goes on in Bolt's lazy
listeners, on the app's own pool, after Slack has had its acknowledgement.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from .app import EVENTS_PATH


def mount(api: Any, app: App, path: str = EVENTS_PATH) -> None:
    """Add a POST route at ``path`` on the Starlette/FastAPI app ``api`` that hands requests to Bolt."""

    async def events(request: Request) -> Response:
        body = await request.body()
        response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    api.add_route(path, events, methods=["POST"], include_in_schema=False)
