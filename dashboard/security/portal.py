"""The public portal's guard: hidden paths and internal ids answer 404, writes 405, and Dash's dev tools stay off."""

from __future__ import annotations

import logging

from dash import Dash
from flask import Response, request

from layers import Settings

from .errors import DASH_PREFIX, ERROR_LOGGER, error_response
from .hidden import PORTAL_HIDDEN_PATHS, dash_request_refused, hidden_layers, names_hidden

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def portal_guard(settings: Settings) -> Response | None:
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


def no_dev_tools(app: Dash) -> None:
    """In the portal Dash's debug mode (tracebacks in responses, dev-tools routes) cannot be switched on, not even by
    `app.run(debug=True)` or `serve --debug`."""
    enable = app.enable_dev_tools

    def _off(debug: bool | None = None, *args, **kwargs) -> bool:
        if debug:
            logging.getLogger(ERROR_LOGGER).warning("portal mode: Dash debug mode and dev tools stay off")
        enable(False)
        return False

    app.enable_dev_tools = _off  # type: ignore[method-assign]
