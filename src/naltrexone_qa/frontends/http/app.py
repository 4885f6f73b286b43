"""The FastAPI app: ``/v1/ask``, ``/v1/conflicts``, health, readiness, metrics and, optionally, Slack.

A thin front end like the CLI: it checks the request's shape, hands the
question to the one pipeline (``QA.ask``, on the service's thread pool, with a
timeout), and sends the same JSON as ``ask --json``. Every error is a JSON
body (see ``errors``); the gate (see ``gate``) has already checked the key,
the rate limit and the body size.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Optional

from fastapi import FastAPI, Request
from starlette.responses import JSONResponse, Response

from ...errors import TooLongError, UsageError
from ...render.json_out import answer_json
from ...server_settings import ServerSettings
from . import errors
from .errors import error_response, request_id_of
from .gate import Gate
from .metrics import exposition, observe_answer
from .schemas import AnswerOut, AskRequest, ConflictsOut, ErrorOut
from .service import NotReady, Service

log = logging.getLogger(__name__)

ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (400, 401, 413, 422, 429, 503, 504)}


def create_app(
    service: Service,
    server: Optional[ServerSettings] = None,
    *,
    max_question_chars: int = 2000,
    slack: Any = None,
    api: bool = True,
) -> FastAPI:
    """The ASGI app around ``service``; ``slack`` is a Bolt ``App`` to mount at /slack/events."""
    server = server or ServerSettings()
    key = server.key()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        service.start()
        yield
        await asyncio.get_running_loop().run_in_executor(None, service.close)

    app = FastAPI(
        title="naltrexone-qa",
        summary="Answers about naltrexone, quoted word for word from source articles, with citations.",
        version="1",
        lifespan=lifespan,
        docs_url="/docs" if api else None,
        redoc_url=None,
        openapi_url="/openapi.json" if api else None,
    )
    errors.install(app)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """Alive (the process answers); says nothing about the index."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], responses={503: {"model": ErrorOut}})
    async def readyz(request: Request) -> Response:
        """Ready: the index is loaded and the model warm."""
        if service.ready:
            return JSONResponse({"status": "ready"})
        message = f"not ready: {service.error}" if service.error else "not ready: the index is still loading"
        return error_response(503, message, request_id_of(request.scope))

    @app.get("/metrics", tags=["operations"], response_class=Response)
    async def metrics() -> Response:
        """Prometheus text format."""
        body, ctype = exposition(server.metrics_dir)
        return Response(body, media_type=ctype)

    if api:
        _api_routes(app, service, server, max_question_chars)
    if slack is not None:
        from ..slack.asgi import mount

        mount(app, slack)
    if server.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(server.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(Gate, server=server, key=key)
    return app


def _api_routes(app: FastAPI, service: Service, server: ServerSettings, max_chars: int) -> None:
    @app.post("/v1/ask", tags=["answers"], response_model=AnswerOut, responses=ERRORS)
    async def ask(body: AskRequest, request: Request) -> Response:
        """Answer with quoted, cited sentences, or abstain: exactly the ``ask --json`` object."""
        rid = request_id_of(request.scope)
        if len(body.history) > server.max_history_turns:
            message = f"history has {len(body.history)} turns; the limit is {server.max_history_turns}"
            return error_response(422, message, rid)
        if any(len(turn) > max_chars for turn in body.history):
            return error_response(422, f"a history turn is over the limit of {max_chars:,} characters", rid)
        try:
            future = service.submit(body.question, body.history, body.mode)
            answer = await asyncio.wait_for(asyncio.wrap_future(future), server.request_timeout)
        except NotReady as exc:
            return error_response(503, str(exc), rid, {"Retry-After": "5"})
        except asyncio.TimeoutError:
            log.warning("request %s: no answer within %.0f s", rid, server.request_timeout)
            return error_response(504, f"no answer within {server.request_timeout:g} s", rid)
        except TooLongError as exc:
            return error_response(413, str(exc), rid)
        except UsageError as exc:
            return error_response(422, str(exc), rid)
        observe_answer(answer)
        return Response(answer_json(answer), media_type="application/json")

    @app.get("/v1/conflicts", tags=["answers"], response_model=ConflictsOut, responses=ERRORS)
    async def conflicts(request: Request) -> Response:
        """Where the sources disagree, both sides quoted and cited: as ``conflicts --json``."""
        if not service.ready:
            return error_response(503, "the index is still loading", request_id_of(request.scope))
        body = json.dumps({"conflicts": service.conflicts}, ensure_ascii=False)
        return Response(body, media_type="application/json")
