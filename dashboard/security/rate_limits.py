"""Rate limits of the portal: one budget per client for the data APIs, one for downloads, one (optional) for callbacks."""

from __future__ import annotations

from flask import Flask, request

from layers import Settings, SettingsError

from .errors import too_many

DOWNLOAD_FORMATS = frozenset({"csv", "csv-de", "geojson", "pdf", "zip", "xlsx", "parquet", "gpkg", "fgb"})
DOWNLOAD_SUFFIXES = (".csv", ".geojson", ".pdf", ".zip", ".xlsx", ".parquet", ".gpkg", ".fgb")


def is_api_request() -> bool:
    """The data API and OGC API – Features (one budget)."""
    return request.path.startswith(("/api/", "/ogc/"))


def is_download_request() -> bool:
    """CSV/GeoJSON/PDF exports (format parameter or file suffix) and the geometry files of /geo/*."""
    path = request.path
    return (request.args.get("format", "").lower() in DOWNLOAD_FORMATS or path.endswith(DOWNLOAD_SUFFIXES)
            or path.startswith("/geo/") or "/download" in path or path.endswith("/pdf"))


def _check_limit(name: str, value: str) -> str:
    from limits import parse_many  # imported where a portal sets limits: the planner never pays its import time

    try:
        parse_many(value)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a rate limit like '120 per minute' or '10/second; 1000/day', got {value!r}") from exc
    return value


def init_rate_limits(server: Flask, settings: Settings):
    """Flask-Limiter with one budget per client for /api/v1/* and one for downloads; Redis when cache_redis_url is set."""
    # imported here: Flask-Limiter costs about 50 ms of import that planner mode never needs
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
    server.register_error_handler(429, too_many(limiter))
    return limiter
