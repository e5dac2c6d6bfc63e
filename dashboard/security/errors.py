"""Request ids and error answers: JSON (or a small HTML page for browsers) with the request id, never a traceback."""

from __future__ import annotations

import logging
import re
import secrets
import time
from html import escape
from typing import Any, Callable

from flask import Response, request
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from ..answers import json_answer

DASH_PREFIX = "/_dash-"  # Dash's own endpoints (callbacks, layout, dependencies, component suites)
REQUEST_ID_ENV = "quartiersatlas.request_id"
REQUEST_ID_HEADER = "X-Request-ID"
ERROR_LOGGER = "quartiersatlas.error"
_UPSTREAM_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id() -> str:
    """The id of the current request (also in the access log and the X-Request-ID response header)."""
    rid = request.environ.get(REQUEST_ID_ENV)
    if rid is None:
        rid = request.environ[REQUEST_ID_ENV] = new_request_id(request.environ)
    return rid


def new_request_id(environ: dict) -> str:
    """A proxy's X-Request-ID when it looks like one (8 to 64 safe characters), else 16 random hex digits."""
    upstream = environ.get("HTTP_X_REQUEST_ID", "")
    return upstream if _UPSTREAM_ID.match(upstream) else secrets.token_hex(8)


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and not request.path.startswith(("/api/", DASH_PREFIX))


def error_response(status: int, message: str, **extra: Any) -> Response:
    """JSON `{"error": …, "request_id": …}` (an HTML page for browsers asking for one); never a traceback."""
    rid = request_id()
    if _wants_html():
        page = (f"<!doctype html><html lang=\"de\"><meta charset=\"utf-8\"><title>{status}</title>"
                f"<h1>{status}</h1><p>{escape(message)}</p><p>Request-ID: <code>{rid}</code></p></html>")
        return Response(page, status=status, mimetype="text/html")
    return json_answer({"error": message, "status": status, "request_id": rid, **extra}, status=status)


def server_error(exc: InternalServerError) -> Response:
    """The 500 answer: a generic message and the request id, which the error log line carries too."""
    original = getattr(exc, "original_exception", None) or exc
    # Flask has logged the traceback already ("Exception on <path>"); this line ties it to the id the client sees.
    logging.getLogger(ERROR_LOGGER).error("request_id=%s %s %s failed: %r", request_id(), request.method, request.path, original)
    return error_response(500, "internal error; the server log has the details under this request id")


def too_large(exc: RequestEntityTooLarge) -> Response:
    """The 413 answer, naming the limit (bytes)."""
    limit = request.max_content_length
    return error_response(413, f"request body too large (at most {limit} bytes)", max_bytes=limit)


def too_many(limiter) -> Callable[[HTTPException], Response]:
    """The 429 handler: the limit and a Retry-After (s) from `limiter`'s current window (60 s without a limiter)."""
    def handler(exc: HTTPException) -> Response:
        window = getattr(getattr(exc, "limit", None), "limit", None)
        current = limiter.current_limit if limiter is not None else None
        retry = max(1, int(current.reset_at - time.time())) if current is not None else 60
        text = f"at most {window} per client" if window is not None else "too many requests from this client"
        response = error_response(429, f"too many requests: {text}; retry after {retry} s", limit=str(window or ""), retry_after_s=retry)
        response.headers["Retry-After"] = str(retry)
        return response

    return handler
