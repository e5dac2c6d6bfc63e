"""Compressed answers: Flask-Compress for every text answer, the page's scripts included, each script compressed once.

Dash serves its scripts and the map's bundle (about 2.6 MB before the first map, plotly.js after it: its basic
bundle's 1.2 MB under the WebGL engine, 4.8 MB in full) as `text/javascript`, which Flask-Compress's list of types
did not have: they went out uncompressed. Compressed (zstd, Brotli, gzip or deflate, as the browser accepts) they are
about a quarter of that. Dash serves a component suite's file
by its path alone: the fingerprint in its name (`deckmap.v0_1_0m1796589789.js`) is not checked and a query string is
ignored, so each file (scripts, and their source maps) is compressed once per worker and algorithm and kept under that
path (`StaticCompressed`), whatever fingerprint or query string a client sends. Files of `assets/` are streamed, and
Flask-Compress compresses streams on the fly without its cache. Every other answer (callbacks, the layout, the API:
their content depends on more than the address) is compressed on each request as before.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import OrderedDict

from dash.fingerprint import check_fingerprint
from flask import Flask, Request
from flask_compress import Compress

MIMETYPES = ["text/html", "text/css", "text/csv", "text/javascript", "application/javascript", "application/json",
             "application/geo+json"]
COMPONENT_SUITES = "/_dash-component-suites/"
NOT_KEPT = "-"  # the key of an answer that is not kept (anything but a file of a component suite)
MAX_BYTES = 32_000_000  # all registered files (scripts, source maps) in all four algorithms: ~23 MB; a page needs ~2 MB


def static_key(request: Request) -> str:
    """The key under which a compressed answer is kept: a GET (or HEAD) of a component suite's file, by what Dash reads
    it by (its path without fingerprint and query string) and the file's modification time and size (a file rebuilt in
    place, e.g. the map's bundle under a running planner, is compressed anew); `NOT_KEPT` for anything else."""
    if request.method not in ("GET", "HEAD") or not request.path.startswith(COMPONENT_SUITES):
        return NOT_KEPT
    path = check_fingerprint(request.path)[0]
    package, _, in_package = path[len(COMPONENT_SUITES):].partition("/")
    try:
        stat = os.stat(os.path.join(sys.modules[package].__path__[0], *in_package.split("/")))
    except (KeyError, AttributeError, IndexError, OSError):  # not a package Dash serves: its answer is an error anyway
        return NOT_KEPT
    return f"{path}@{stat.st_mtime_ns}:{stat.st_size}"


class StaticCompressed:
    """Flask-Compress's cache backend: keeps the compressed bytes of component suites' files, at most `MAX_BYTES`,
    least recently used out first, and nothing under the `NOT_KEPT` key. Safe for gunicorn's threads."""

    def __init__(self) -> None:
        self.kept: OrderedDict[str, bytes] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        if key.endswith(f";{NOT_KEPT}"):
            return None
        with self.lock:
            value = self.kept.get(key)
            if value is not None:
                self.kept.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(f";{NOT_KEPT}") or len(value) > MAX_BYTES:
            return
        with self.lock:
            old = self.kept.pop(key, None)
            self.size += len(value) - (len(old) if old is not None else 0)
            self.kept[key] = value
            while self.size > MAX_BYTES:
                _, evicted = self.kept.popitem(last=False)
                self.size -= len(evicted)


def init_compression(server: Flask) -> None:
    """Compress the server's text answers. The settings go in before `Compress` starts: it copies them then (Dash's
    `compress=True` starts it too early for that)."""
    server.config["COMPRESS_MIMETYPES"] = MIMETYPES
    server.config["COMPRESS_CACHE_KEY"] = static_key
    server.config["COMPRESS_CACHE_BACKEND"] = StaticCompressed
    Compress(server)
