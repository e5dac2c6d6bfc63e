"""Security headers of every response and the Content Security Policy."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from dash import Dash

from layers import Settings

EXTRA_SCRIPT_HASHES = "QUARTIERSATLAS_CSP_SCRIPT_HASHES"  # server.config list: hashes of inline scripts of non-Dash pages
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
REFERRER_POLICY = "strict-origin-when-cross-origin"


def _origin(url: str) -> str | None:
    """scheme://host[:port] of a URL template ({s}-style subdomains become a wildcard), or None."""
    if not url:
        return None
    parts = urlsplit(re.sub(r"\{[a-z]\}", "*", url))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def embed_origins(settings: Settings) -> list[str]:
    """The origins that may embed the app in a frame (`embed_origins` setting, space-separated); none by default."""
    return [o for o in str(settings.embed_origins or "").split() if o]


def script_hash(script: str) -> str:
    """The CSP source of one inline script (`'sha256-…'`). A page with an inline script appends this to
    ``server.config[EXTRA_SCRIPT_HASHES]`` inside create_app; better still, it loads its script from a file.

    >>> script_hash("window.x = 1;")
    "'sha256-U1BU0BfAhaBREBgsEDDctSYokOF3U7hQUIj6mrtukfw='"
    """
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
