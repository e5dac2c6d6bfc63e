"""Portal hardening: internal ids answer 404 on every route, a read-only portal, security headers, size and rate
limits, no tracebacks for clients, and one JSON access-log line per request.

`init_security(app, settings)` is called once by `create_app`. What applies when (settings in quotes), and the module:

- internal layers, scenarios → 404 (portal): pages, /geo, /api/v1, downloads and Dash callbacks, one `before_request`
  hook: `portal` (what counts as internal: `hidden`);
- read-only, 405 for writes (portal; Dash's own POSTs excepted): `portal`;
- rate limits on /api/v1 and downloads (portal), "rate_limit_api", "rate_limit_downloads": `rate_limits`;
- security headers and CSP (both modes): `headers`;
- request-size limit, 413 (both modes), "max_request_bytes": `errors`;
- generic 500 with a request id (both modes; in the portal Dash debug and dev tools are forced off): `errors`, `portal`;
- JSON access log (both modes), "access_log": `access_log`.
"""

from __future__ import annotations

from dash import Dash
from flask import Flask, Response, request
from werkzeug.exceptions import InternalServerError, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from layers import Settings

from .access_log import AccessLog, access_logger, anonymise_ip
from .errors import DASH_PREFIX, REQUEST_ID_HEADER, error_response, request_id, server_error, too_large, too_many
from .headers import EXTRA_SCRIPT_HASHES, content_security_policy, script_hash, security_headers
from .hidden import PORTAL_HIDDEN_COMPONENTS, PORTAL_HIDDEN_PATHS, dash_request_refused, hidden_layers, names_hidden
from .portal import no_dev_tools, portal_guard
from .rate_limits import init_rate_limits, is_download_request

__all__ = ["DASH_PREFIX", "EXTRA_SCRIPT_HASHES", "PORTAL_HIDDEN_COMPONENTS", "PORTAL_HIDDEN_PATHS", "anonymise_ip",
           "content_security_policy", "dash_request_refused", "error_response", "hidden_layers", "init_security",
           "is_download_request", "names_hidden", "request_id", "script_hash"]


def _wsgi_middleware(server: Flask, settings: Settings) -> None:
    """The access log around the app and, behind proxies, ProxyFix outermost (so the log sees the real client address)."""
    wsgi = server.wsgi_app
    if settings.access_log:
        wsgi = AccessLog(wsgi, access_logger())
    if int(settings.proxy_count) > 0:
        n = int(settings.proxy_count)
        wsgi = ProxyFix(wsgi, x_for=n, x_proto=n, x_host=n)
    server.wsgi_app = wsgi


def _api_not_found() -> Response | None:
    """An unknown /api/ address is a JSON 404, not Dash's catch-all page (every API route lives in a blueprint)."""
    if request.path.startswith("/api/") and request.blueprint is None and not isinstance(request.routing_exception, MethodNotAllowed):
        return error_response(404, "not found")
    return None


def _add_headers(app: Dash, settings: Settings) -> None:
    """The security headers and the request id on every response (the headers computed at the first response)."""
    cached: dict[str, dict[str, str]] = {}

    @app.server.after_request
    def _headers(response: Response) -> Response:
        if "headers" not in cached:  # after create_app: every clientside callback (inline script) is registered by now
            cached["headers"] = security_headers(app, settings)
        for name, value in cached["headers"].items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        response.headers[REQUEST_ID_HEADER] = request_id()
        return response


def init_security(app: Dash, settings: Settings) -> None:
    """Attach every measure of the table in the module docstring to the app (call once, in create_app)."""
    server = app.server
    portal = settings.mode == "portal"
    server.config["MAX_CONTENT_LENGTH"] = int(settings.max_request_bytes)
    server.config.setdefault(EXTRA_SCRIPT_HASHES, [])
    if portal:  # never the debugger's traceback, even if someone sets FLASK_DEBUG
        server.config["PROPAGATE_EXCEPTIONS"] = False
    _wsgi_middleware(server, settings)

    server.register_error_handler(InternalServerError, server_error)
    server.register_error_handler(RequestEntityTooLarge, too_large)
    server.register_error_handler(429, too_many(None))

    if portal:
        server.before_request(lambda: portal_guard(settings))
        init_rate_limits(server, settings)
        no_dev_tools(app)
    server.before_request(_api_not_found)
    _add_headers(app, settings)
