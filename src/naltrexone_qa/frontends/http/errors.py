"""Error responses: every 4xx and 5xx is one small JSON object, never a stack trace.

``{"error": code, "message": text, "request_id": id}`` (plus ``detail`` for
validation errors: which field, and what is wrong with it, without echoing the
input back). The request id is the one in the access log and the
``X-Request-ID`` header, so a user's report can be matched to the server log.
"""

from __future__ import annotations

from typing import Any, Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

CODES = {
    400: "malformed_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "invalid_request",
    429: "rate_limited",
    503: "not_ready",
    504: "timeout",
}


def request_id_of(scope: Any) -> str:
    state = scope.get("state") or {}
    return str(state.get("request_id", ""))


def error_response(
    status: int,
    message: str,
    request_id: str = "",
    headers: Optional[dict[str, str]] = None,
    **extra: Any,
) -> JSONResponse:
    """The JSON body of one error, with its status code."""
    body = {"error": CODES.get(status, "error"), "message": message, "request_id": request_id, **extra}
    return JSONResponse(body, status_code=status, headers=headers)


def _field(loc: Any) -> str:
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts) or "body"


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    rid = request_id_of(request.scope)
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "the request body is not valid JSON", rid)
    if "json" not in request.headers.get("content-type", "") and any(
        tuple(e.get("loc", ())) == ("body",) for e in errors
    ):
        # FastAPI reads JSON only when it is labelled so (a browser form cannot post to the API).
        return error_response(422, "send the body as JSON with the header Content-Type: application/json", rid)
    detail = [{"field": _field(e.get("loc", ())), "problem": str(e.get("msg", ""))} for e in errors]
    summary = "; ".join(f"{d['field']}: {d['problem']}" for d in detail) or "invalid request"
    return error_response(422, summary, rid, detail=detail)


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
    message = str(exc.detail) if isinstance(exc, StarletteHTTPException) else "error"
    return error_response(status, message, request_id_of(request.scope), headers=getattr(exc, "headers", None))


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the JSON above."""
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
