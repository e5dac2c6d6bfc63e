"""Portal hardening: internal ids answer 404 on every route, a read-only portal, security headers, size and rate
limits, no tracebacks for clients, and one JSON access-log line per request.

`init_security(app, settings)` is called once by `create_app`. What applies when:

- internal layers, scenarios → 404 (portal): pages, /geo, /api/v1, downloads and Dash callbacks, one `before_request` hook;
- read-only, 405 for writes (portal; Dash's own POSTs excepted);
- rate limits on /api/v1 and downloads (portal): `rate_limit_api`, `rate_limit_downloads`;
- security headers and CSP (both modes);
- request-size limit, 413 (both modes): `max_request_bytes`;
- generic 500 with a request id (both modes; in the portal Dash debug and dev tools are forced off);
- JSON access log (both modes): `access_log`.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import secrets
import sys
import time
from datetime import datetime, timezone
from html import escape
from typing import Any, Iterable, Iterator
from urllib.parse import parse_qsl, urlsplit

import orjson
from dash import Dash
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, RequestEntityTooLarge

from layers.query import visible_layers
from layers.registry import REGISTRY
from layers.settings import Settings, SettingsError

from . import ids

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DASH_PREFIX = "/_dash-"  # Dash's own endpoints (callbacks, layout, dependencies, component suites)
# scenario tools, saved scenarios, accommodation and housing exist in planner mode only (BRIEF §6)
PORTAL_HIDDEN_PATHS = ("/api/v1/scenarios", "/api/v1/accommodation", "/api/v1/housing")
PORTAL_HIDDEN_COMPONENTS = ("scenario", "accommodation")  # id prefixes of planner-only sections: their callbacks never run in the portal
DOWNLOAD_FORMATS = frozenset({"csv", "csv-de", "geojson", "pdf", "zip", "xlsx", "parquet", "gpkg", "fgb"})
DOWNLOAD_SUFFIXES = (".csv", ".geojson", ".pdf", ".zip", ".xlsx", ".parquet", ".gpkg", ".fgb")
REQUEST_ID_ENV = "quartiersatlas.request_id"
REQUEST_ID_HEADER = "X-Request-ID"
_UPSTREAM_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
REFERRER_POLICY = "strict-origin-when-cross-origin"

ACCESS_LOGGER = "quartiersatlas.access"
ERROR_LOGGER = "quartiersatlas.error"


# --- what the portal never shows ---------------------------------------------------------------------------

def hidden_layers(settings: Settings) -> set[str]:
    """Layer ids of the registry the deployment may not show (internal layers in the portal; empty in planner mode)."""
    return set(REGISTRY) - set(visible_layers(settings))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def names_hidden(value: Any, hidden: set[str]) -> bool:
    """True when any string in `value` (nested dicts and lists too) is a hidden layer id or a link/query string naming one.

    >>> names_hidden({"ids": ["a", "refugee_sites"]}, {"refugee_sites"}), names_hidden("?layer=refugee_sites&res=9", {"refugee_sites"})
    (True, True)
    >>> names_hidden(["migration_share", "?layer=migration_share"], {"refugee_sites"})
    False
    """
    if not hidden:
        return False
    for text in _strings(value):
        if text in hidden:
            return True
        if "=" in text:
            query = text.split("?", 1)[1] if "?" in text else text
            if any(v in hidden for _, v in parse_qsl(query.split("#", 1)[0], keep_blank_values=True)):
                return True
    return False


def _entries(items: Any) -> Iterator[dict]:
    """The {id, property, value} entries of a Dash callback payload's inputs, state or outputs (ALL patterns are lists)."""
    if isinstance(items, dict):
        yield items
    elif isinstance(items, list):
        for item in items:
            yield from _entries(item)


def _component_name(component_id: Any) -> str:
    if isinstance(component_id, dict):
        return str(component_id.get("type", ""))
    return str(component_id or "")


def _holds_scenario(component_id: Any, value: Any) -> bool:
    if component_id == ids.SCENARIO:
        return bool(value.get("interventions")) if isinstance(value, dict) else bool(value)
    if component_id == ids.SCENARIO_PLACING:
        return bool(value)
    return False


_PERCENT_ESCAPE = re.compile(rb"%[0-9A-Fa-f]{2}")  # with JSON \u escapes, what could spell an id in other bytes


def may_name(raw: bytes | None, hidden: set[str]) -> bool:
    """False only when the raw request body cannot name a hidden id (no id in its bytes, no escape that could spell one):
    then the string walk, about 1 s for a whole-city selection of 67,000 cells, is skipped.

    >>> may_name(b'{"value": "migration_share"}', {"refugee_sites"}), may_name(b'"refugee_sites"', {"refugee_sites"})
    (False, True)
    >>> may_name(b'"refugee\\u005fsites"', {"refugee_sites"}), may_name(b'"?layer=refugee%5Fsites"', {"refugee_sites"})
    (True, True)
    """
    if not hidden:
        return False
    if raw is None:
        return True
    if b"\\u" in raw or (b"%" in raw and _PERCENT_ESCAPE.search(raw)):
        return True
    return any(h.encode() in raw for h in hidden)


def dash_request_refused(body: Any, hidden: set[str], raw: bytes | None = None) -> str | None:
    """Why a Dash callback request must not run in the portal (None: it may).

    Refused: any input or state naming an internal layer (a value, or a link's query string), a scenario in the
    scenario stores, and callbacks of the scenario section (component ids starting with "scenario"). `raw`, the
    request body, lets the value check be skipped when the body cannot name a hidden layer.
    """
    if not isinstance(body, dict):
        return None
    given = list(_entries(body.get("inputs"))) + list(_entries(body.get("state")))
    for entry in given + list(_entries(body.get("outputs"))):
        if _component_name(entry.get("id")).startswith(PORTAL_HIDDEN_COMPONENTS):
            return "scenario tools are not part of the public portal"
    check_values = may_name(raw, hidden)
    for entry in given:
        if _holds_scenario(entry.get("id"), entry.get("value")):
            return "scenarios are not part of the public portal"
        if check_values and names_hidden(entry.get("value"), hidden):
            return "no such layer"
    return None


# --- request ids, errors ---------------------------------------------------------------------------------------

def request_id() -> str:
    """The id of the current request (also in the access log and the X-Request-ID response header)."""
    rid = request.environ.get(REQUEST_ID_ENV)
    if rid is None:
        rid = request.environ[REQUEST_ID_ENV] = _new_request_id(request.environ)
    return rid


def _new_request_id(environ: dict) -> str:
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
    return Response(orjson.dumps({"error": message, "status": status, "request_id": rid, **extra}), status=status,
                    mimetype="application/json")


def _server_error(exc: InternalServerError) -> Response:
    original = getattr(exc, "original_exception", None) or exc
    # Flask has logged the traceback already ("Exception on <path>"); this line ties it to the id the client sees.
    logging.getLogger(ERROR_LOGGER).error("request_id=%s %s %s failed: %r", request_id(), request.method, request.path, original)
    return error_response(500, "internal error; the server log has the details under this request id")


def _too_large(exc: RequestEntityTooLarge) -> Response:
    limit = request.max_content_length
    return error_response(413, f"request body too large (at most {limit} bytes)", max_bytes=limit)


def _too_many(limiter):
    def handler(exc: HTTPException) -> Response:
        window = getattr(getattr(exc, "limit", None), "limit", None)
        current = limiter.current_limit if limiter is not None else None
        retry = max(1, int(current.reset_at - time.time())) if current is not None else 60
        text = f"at most {window} per client" if window is not None else "too many requests from this client"
        response = error_response(429, f"too many requests: {text}; retry after {retry} s", limit=str(window or ""), retry_after_s=retry)
        response.headers["Retry-After"] = str(retry)
        return response

    return handler


# --- security headers --------------------------------------------------------------------------------------

def _origin(url: str) -> str | None:
    """scheme://host[:port] of a URL template ({s}-style subdomains become a wildcard), or None."""
    if not url:
        return None
    parts = urlsplit(re.sub(r"\{[a-z]\}", "*", url))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def embed_origins(settings: Settings) -> list[str]:
    return [o for o in str(settings.embed_origins or "").split() if o]


EXTRA_SCRIPT_HASHES = "QUARTIERSATLAS_CSP_SCRIPT_HASHES"  # server.config list: hashes of inline scripts of non-Dash pages


def script_hash(script: str) -> str:
    """The CSP source of one inline script (`'sha256-…'`). A page with an inline script appends this to
    ``server.config[EXTRA_SCRIPT_HASHES]`` inside create_app; better still, it loads its script from a file.

    >>> script_hash("window.x = 1;")
    "'sha256-U1BU0BfAhaBREBgsEDDctSYokOF3U7hQUIj6mrtukfw='"
    """
    import base64
    import hashlib

    return f"'sha256-{base64.b64encode(hashlib.sha256(script.encode('utf-8')).digest()).decode()}'"


def content_security_policy(app: Dash, settings: Settings) -> str:
    """The CSP: only the app's own scripts (inline ones by hash: Dash's renderer and clientside callbacks), styles
    inline (Plotly and Dash set style attributes), MapLibre's blob workers, the tile server if one is configured."""
    tiles = [o for o in [_origin(settings.tile_url)] if o]
    extra = list(app.server.config.get(EXTRA_SCRIPT_HASHES, []))
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *app.csp_hashes(), *extra],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *tiles],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", *tiles],
        "worker-src": ["'self'", "blob:"],
        "child-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": embed_origins(settings) or ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def security_headers(app: Dash, settings: Settings) -> dict[str, str]:
    """The headers every response gets (computed once, after every callback is registered)."""
    headers = {
        "Content-Security-Policy": content_security_policy(app, settings),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": REFERRER_POLICY,
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if not embed_origins(settings):
        headers["X-Frame-Options"] = "DENY"
    return headers


# --- access log ------------------------------------------------------------------------------------------------

class _StdoutHandler(logging.Handler):
    """Writes to the current sys.stdout (not the one at creation: gunicorn and pytest swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except Exception:  # noqa: BLE001 - logging must never break a response
            self.handleError(record)


def access_logger() -> logging.Logger:
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(h, _StdoutHandler) for h in logger.handlers):
        logger.addHandler(_StdoutHandler())
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def anonymise_ip(address: str | None) -> str:
    """The client address truncated (GDPR): IPv4 to /24, IPv6 to /48.

    >>> anonymise_ip("203.0.113.77"), anonymise_ip("2001:db8:abcd:12::1"), anonymise_ip(None)
    ('203.0.113.0', '2001:db8:abcd::', '')
    """
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


class AccessLog:
    """WSGI middleware: one JSON line per request after its body is sent (bytes as sent, i.e. after compression)."""

    def __init__(self, app, logger: logging.Logger):
        self.app, self.logger = app, logger

    def __call__(self, environ: dict, start_response):
        t0 = time.perf_counter()
        environ.setdefault(REQUEST_ID_ENV, _new_request_id(environ))
        seen: dict[str, Any] = {}

        def _start(status: str, headers, exc_info=None):
            seen["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        body = self.app(environ, _start)
        return _LoggedBody(body, lambda sent: self._log(environ, seen.get("status", 0), sent, t0))

    def _log(self, environ: dict, status: int, sent: int, t0: float) -> None:
        line = {
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "method": environ.get("REQUEST_METHOD", ""),
            "path": environ.get("PATH_INFO", ""),
            "status": status,
            "bytes": sent,
            "request_bytes": int(environ.get("CONTENT_LENGTH") or 0),
            "duration_ms": round((time.perf_counter() - t0) * 1000, 1),
            "client": anonymise_ip(environ.get("REMOTE_ADDR")),
            "request_id": environ.get(REQUEST_ID_ENV, ""),
        }
        self.logger.info(orjson.dumps(line).decode())


class _LoggedBody:
    def __init__(self, body: Iterable[bytes], done):
        self.body, self.done, self.sent = body, done, 0

    def __iter__(self):
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.done(self.sent)


# --- rate limits -------------------------------------------------------------------------------------------

def is_api_request() -> bool:
    """The data API and OGC API – Features (one budget)."""
    return request.path.startswith(("/api/", "/ogc/"))


def is_download_request() -> bool:
    """CSV/GeoJSON/PDF exports (format parameter or file suffix) and the geometry files of /geo/*."""
    path = request.path
    return (request.args.get("format", "").lower() in DOWNLOAD_FORMATS or path.endswith(DOWNLOAD_SUFFIXES)
            or path.startswith("/geo/") or "/download" in path or path.endswith("/pdf"))


def _check_limit(name: str, value: str) -> str:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a rate limit like '120 per minute' or '10/second; 1000/day', got {value!r}") from exc
    return value


def init_rate_limits(server: Flask, settings: Settings):
    """Flask-Limiter with one budget per client for /api/v1/* and one for downloads; Redis when cache_redis_url is set."""
    from flask_limiter import ApplicationLimit, Limiter
    from flask_limiter.util import get_remote_address

    limits = []
    if settings.rate_limit_api:
        limits.append(ApplicationLimit(_check_limit("rate_limit_api", settings.rate_limit_api), scope="api",
                                       exempt_when=lambda: not is_api_request()))
    if settings.values.get("rate_limit_callbacks"):
        limits.append(ApplicationLimit(_check_limit("rate_limit_callbacks", settings.values["rate_limit_callbacks"]), scope="callbacks",
                                       # the layout too: it carries the page's views, built in the state the Referer names
                                       exempt_when=lambda: request.path not in ("/_dash-update-component", "/_dash-layout")))
    if settings.rate_limit_downloads:
        limits.append(ApplicationLimit(_check_limit("rate_limit_downloads", settings.rate_limit_downloads), scope="downloads",
                                       exempt_when=lambda: not is_download_request()))
    if not limits:
        return None
    limiter = Limiter(get_remote_address, app=server, application_limits=limits, storage_uri=settings.cache_redis_url or "memory://",
                      headers_enabled=False, strategy="fixed-window", key_prefix="quartiersatlas",
                      swallow_errors=True)  # a limiter storage (Redis) that is down must not take requests down
    server.register_error_handler(429, _too_many(limiter))
    return limiter


# --- the hook ----------------------------------------------------------------------------------------------

def _portal_guard(settings: Settings) -> Response | None:
    """Before every request in the portal: hidden paths and internal ids → 404, writes → 405."""
    path = request.path
    if path.startswith(PORTAL_HIDDEN_PATHS):
        return error_response(404, "not found")
    hidden = hidden_layers(settings)
    given = [v for values in request.args.listvalues() for v in values] + list((request.view_args or {}).values()) + path.split("/")
    if names_hidden(given, hidden):
        return error_response(404, "not found")
    if request.method in SAFE_METHODS:
        return None
    if request.method == "POST" and path.startswith(DASH_PREFIX):
        if dash_request_refused(request.get_json(silent=True), hidden, request.get_data(cache=True)):
            return error_response(404, "not found")
        return None
    response = error_response(405, "the public portal is read-only")
    response.headers["Allow"] = ", ".join(sorted(SAFE_METHODS))
    return response


def _no_dev_tools(app: Dash) -> None:
    """In the portal Dash's debug mode (tracebacks in responses, dev-tools routes) cannot be switched on, not even by
    `app.run(debug=True)` or `serve --debug`."""
    enable = app.enable_dev_tools

    def _off(debug: bool | None = None, *args, **kwargs) -> bool:
        if debug:
            logging.getLogger(ERROR_LOGGER).warning("portal mode: Dash debug mode and dev tools stay off")
        enable(False)
        return False

    app.enable_dev_tools = _off  # type: ignore[method-assign]


def init_security(app: Dash, settings: Settings) -> None:
    """Attach every measure of the table in the module docstring to the app (call once, in create_app)."""
    server = app.server
    portal = settings.mode == "portal"
    server.config["MAX_CONTENT_LENGTH"] = int(settings.max_request_bytes)
    server.config.setdefault(EXTRA_SCRIPT_HASHES, [])
    if portal:  # never the debugger's traceback, even if someone sets FLASK_DEBUG
        server.config["PROPAGATE_EXCEPTIONS"] = False
    wsgi = server.wsgi_app
    if settings.access_log:
        wsgi = AccessLog(wsgi, access_logger())
    if int(settings.proxy_count) > 0:  # outermost, so that the access log sees the real client address
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(settings.proxy_count)
        wsgi = ProxyFix(wsgi, x_for=n, x_proto=n, x_host=n)
    server.wsgi_app = wsgi

    server.register_error_handler(InternalServerError, _server_error)
    server.register_error_handler(RequestEntityTooLarge, _too_large)
    server.register_error_handler(429, _too_many(None))

    if portal:
        server.before_request(lambda: _portal_guard(settings))
        init_rate_limits(server, settings)
        _no_dev_tools(app)

    @server.before_request
    def _api_not_found() -> Response | None:
        """An unknown /api/ address is a JSON 404, not Dash's catch-all page (every API route lives in a blueprint)."""
        if request.path.startswith("/api/") and request.blueprint is None and not isinstance(request.routing_exception, MethodNotAllowed):
            return error_response(404, "not found")
        return None

    cached: dict[str, dict[str, str]] = {}

    @server.after_request
    def _headers(response: Response) -> Response:
        if "headers" not in cached:  # after create_app: every clientside callback (inline script) is registered by now
            cached["headers"] = security_headers(app, settings)
        for name, value in cached["headers"].items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        response.headers[REQUEST_ID_HEADER] = request_id()
        return response
