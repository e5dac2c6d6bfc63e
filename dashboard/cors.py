"""CORS for reading: other sites' scripts (an open-data portal, a newsroom chart, a city's Masterportal) may GET the read
API, the geometry and the OGC API of this app; never POST or DELETE, never Dash callbacks or pages. Setting
`cors_origins`: `auto` (the default: every origin in the portal, none for planners), `*`, a space-separated list of
origins, or empty (none)."""

from __future__ import annotations

from flask import Flask, Response, request

from layers import Settings

READ_PATHS = ("/api/v1/", "/geo/", "/ogc/")
READ_METHODS = ("GET", "HEAD")


def allowed_origins(settings: Settings) -> list[str]:
    """`["*"]`, a list of origins, or [] (no CORS)."""
    raw = str(settings.values.get("cors_origins", "auto")).strip()
    if raw == "auto":
        return ["*"] if settings.mode == "portal" else []
    return raw.split()


def _cors(origins: list[str]):
    def add_headers(response: Response) -> Response:
        if not request.path.startswith(READ_PATHS):
            return response
        if "*" not in origins:  # the answer depends on the Origin: a shared cache must keep one per origin
            response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if not origin:
            return response
        method = request.headers.get("Access-Control-Request-Method") if request.method == "OPTIONS" else request.method
        if method not in READ_METHODS or ("*" not in origins and origin not in origins):
            return response  # no header: the browser refuses the cross-origin read
        response.headers["Access-Control-Allow-Origin"] = "*" if "*" in origins else origin
        response.headers["Access-Control-Expose-Headers"] = "Content-Disposition"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = ", ".join(READ_METHODS)
            response.headers["Access-Control-Max-Age"] = "600"
        return response
    return add_headers


def init_cors(server: Flask, settings: Settings) -> None:
    """Attach CORS for reads when the settings allow any origin."""
    origins = allowed_origins(settings)
    if origins:
        server.after_request(_cors(origins))
