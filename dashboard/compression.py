"""Compressed answers: Flask-Compress for every text answer, the page's scripts included, each script compressed once.

Dash serves its scripts and the map's bundle (about 2.6 MB before the first map, plotly.js' 4.8 MB after it) as
`text/javascript`, which Flask-Compress's list of types did not have: they went out uncompressed. Compressed (Brotli or
gzip, as the browser accepts) they are about a quarter of that. Their addresses carry their version
(`/_dash-component-suites/…/deckmap.v0_1_0m1796589789.js`, `/assets/…?m=…`) and never change content, so each is
compressed once per worker and algorithm and kept (`StaticCompressed`); every other answer (callbacks, the API, whose
content depends on more than the address) is compressed on each request as before.
"""

from __future__ import annotations

from collections import OrderedDict

from flask import Flask, Request
from flask_compress import Compress

MIMETYPES = ["text/html", "text/css", "text/csv", "text/javascript", "application/javascript", "application/json",
             "application/geo+json"]
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")
NOT_KEPT = "-"  # the key of an answer that is not kept (anything but a versioned script or style)
MAX_KEPT = 64  # the page loads ~25 scripts and styles (plotly.js and dcc's chunks included)


def static_key(request: Request) -> str:
    """The key under which a compressed answer is kept: a GET of a versioned script or style, by its full address;
    `NOT_KEPT` for anything else."""
    if request.method == "GET" and request.path.startswith(STATIC_PREFIXES):
        return request.full_path
    return NOT_KEPT


class StaticCompressed:
    """Flask-Compress's cache backend: keeps the compressed bytes of at most `MAX_KEPT` versioned scripts and styles,
    least recently used out first, and nothing under the `NOT_KEPT` key."""

    def __init__(self) -> None:
        self.kept: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        if key.endswith(f";{NOT_KEPT}") or key not in self.kept:
            return None
        self.kept.move_to_end(key)
        return self.kept[key]

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(f";{NOT_KEPT}"):
            return
        self.kept[key] = value
        self.kept.move_to_end(key)
        while len(self.kept) > MAX_KEPT:
            self.kept.popitem(last=False)


def init_compression(server: Flask) -> None:
    """Compress the server's text answers. The settings go in before `Compress` starts: it copies them then (Dash's
    `compress=True` starts it too early for that)."""
    server.config["COMPRESS_MIMETYPES"] = MIMETYPES
    server.config["COMPRESS_CACHE_KEY"] = static_key
    server.config["COMPRESS_CACHE_BACKEND"] = StaticCompressed
    Compress(server)
