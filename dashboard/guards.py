"""What the app answers to requests it does not know: unknown paths and component files 404, malformed Dash callback
bodies 400 (never 500), a rate limit on Dash callbacks in the portal, and the public base URL of links the app prints
(briefing, QR code)."""

from __future__ import annotations

from typing import Any

from dash import Dash
from dash.exceptions import DependencyException
from flask import Response, redirect, request
from werkzeug.datastructures import ImmutableMultiDict

from layers import Settings

from .compression import COMPONENT_SUITES
from .security import DASH_PREFIX, error_response

CALLBACK_PATH = "/_dash-update-component"
LAYOUT_PATH = "/_dash-layout"  # the page's layout, built in the state of the page asking (dashboard/first_view.py)
PAGE_SHELL_RULE = "/<path:path>"  # Dash's catch-all: every unknown path would answer 200 with the app page
MALFORMED = (KeyError, TypeError, ValueError, IndexError, AttributeError)


def callback_problem(body: Any, known_outputs: set[str]) -> str | None:
    """Why a Dash callback body is malformed (None when it has the shape Dash's renderer sends)."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or not output:
        return "'output' must be a non-empty string"
    if output not in known_outputs:
        return f"no callback has the output {output[:120]!r}"
    for key in ("inputs", "state"):
        items = body.get(key, [])
        if not isinstance(items, list):
            return f"{key!r} must be a list"
        for item in items:
            entries = item if isinstance(item, list) else [item]  # pattern-matching inputs come as lists
            for entry in entries:
                if not isinstance(entry, dict) or "id" not in entry or not isinstance(entry.get("property"), str):
                    return f"every entry of {key!r} needs an 'id' and a 'property'"
    if not isinstance(body.get("changedPropIds", []), list):
        return "'changedPropIds' must be a list"
    return None


def public_link(settings: Settings, path_and_query: str) -> str:
    """An absolute link to this app for print and QR codes: `public_base_url` when set, else the configured host and
    port — never the request's Host header, which any client can forge."""
    base = (settings.values.get("public_base_url") or "").rstrip("/")
    if not base:
        base = f"http://{settings.host}:{settings.port}"
    return base + "/" + path_and_query.lstrip("/")


def lowercase_parameter_names() -> None:
    """Parameter names are case-insensitive (`?Level=` is `?level=`): every route and guard reads them lowercased.
    Values keep their case (ids, dates)."""
    if any(name != name.lower() for name in request.args):
        request.args = ImmutableMultiDict([(name.lower(), value) for name, value in request.args.items(multi=True)])


def init_guards(app: Dash, settings: Settings) -> None:
    """Attach the guards (call once in create_app, after every route and callback is registered)."""
    server = app.server

    @server.before_request
    def _unknown_path() -> Response | None:
        rule = request.url_rule
        if rule is not None and rule.rule == PAGE_SHELL_RULE:
            return error_response(404, f"no page at {request.path[:200]}")
        if request.method == "POST" and request.path == CALLBACK_PATH:
            problem = callback_problem(request.get_json(silent=True), set(app.callback_map))
            if problem:
                return error_response(400, f"malformed callback request: {problem}")
        return None

    @server.errorhandler(DependencyException)
    @server.errorhandler(FileNotFoundError)
    def _unknown_component_file(exc: Exception) -> Response:
        """A file of `/_dash-component-suites/` that Dash does not serve (DependencyException) or lists but lacks (Dash
        4.4.1 lists two `.js.map` files it does not ship: FileNotFoundError): 404. Unhandled, either answered 500 and
        logged a traceback (with the list of every file Dash serves, ~3 KB) on each such request. Anywhere else they
        are real errors."""
        if not request.path.startswith(COMPONENT_SUITES):
            raise exc
        return error_response(404, f"no file at {request.path[:200]}")

    @server.get("/favicon.ico")
    def _favicon() -> Response:
        """Browsers ask for /favicon.ico on every page (the briefing too); Dash serves its icon at /_favicon.ico."""
        return redirect(request.script_root + "/_favicon.ico", code=301)

    original = server.error_handler_spec.get(None, {}).get(500, {})
    fallback = next(iter(original.values()), None)

    def _server_error(exc) -> Response:
        cause = getattr(exc, "original_exception", None)
        if request.path.startswith(DASH_PREFIX) and isinstance(cause, MALFORMED):
            return error_response(400, "malformed callback request: a value has the wrong type or shape")
        return fallback(exc) if fallback else error_response(500, "internal error")

    server.register_error_handler(500, _server_error)
