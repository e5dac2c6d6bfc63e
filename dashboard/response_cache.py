"""Whole answers of the read-only portal kept in a cache of their own: the same Dash callback body or API address gives the
same bytes, so the second visitor with that view is served without building the figure again. A page's layout carries
the views of the page's own link (dashboard/first_view.py): it is kept per `Referer`.

Why a second cache beside the memoized layer results: with every layer result cached, a map callback still spends
~12 ms building and serialising the Plotly figure (Berlin, Planungsraum), an H3 res 9 API answer ~37 ms; a cached
answer costs about 1 ms. This is what lets two cores serve 200 concurrent users (`quartiersatlas bench --only load`).

Only the portal: it has no per-user state and nothing a visitor does changes what the server computes (no scenarios,
no imports), so an answer depends only on the request body or address, the bundle and the settings — all part of the
key. Only complete answers pass: status 200, not streamed, no cookie, at most `MAX_BYTES`; they are kept gzip-compressed
and go out as kept to every client that accepts gzip. The hook runs after every
guard (path, shape, rate limit, portal refusals) and before compression; a cached answer carries the publication
receipts of the request that built it (`layers.publication.replay`), so the one-exit header stays true.
"""

from __future__ import annotations

import gzip
import hashlib

from dash import Dash
from flask import Response, g, request
from flask_caching import Cache

from layers import Settings, receipts, replay

from .context import bundle_key, cache_config, current_bundle, current_settings, settings_key
from .guards import CALLBACK_PATH, LAYOUT_PATH

MAX_BYTES = 2_000_000  # H3 res 9 answers (≤ 1.6 MB) are kept; res 10 ones (5–29 MB) are built each time
GZIP_LEVEL = 6  # kept compressed (JSON ~1:8)
ENTRIES = 400  # per worker (SimpleCache/FileSystemCache): ≤ 400 × ~250 kB ≈ 100 MB; Redis is bounded by its maxmemory
# Answers live in a cache of their own: a client that sends many distinct requests (a junk parameter, a junk key in a
# callback body) can only push answers out of it, never the memoized layer results every answer is built from.
answers = Cache()
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control")  # what routes set; the rest is added per request
HIT_HEADER = "X-Quartiersatlas-Cache"


def _cacheable_request() -> bool:
    if request.method == "POST":
        return request.path == CALLBACK_PATH
    return request.method == "GET" and (request.path.startswith(("/api/v1/", "/ogc/")) or request.path == LAYOUT_PATH)


def _key() -> str:
    """The request's identity: method, address with query string (parameter order kept: it may matter), the body
    for callbacks, and the bundle and settings every answer depends on."""
    digest = hashlib.sha256()
    for part in (request.method, request.script_root, request.full_path, bundle_key(current_bundle()),
                 settings_key(current_settings())):
        digest.update(part.encode())
        digest.update(b"\0")
    if request.method == "POST":
        digest.update(request.get_data(cache=True))
    if request.path == LAYOUT_PATH:  # the page is built in the state of the page asking (dashboard/first_view.py)
        digest.update((request.referrer or "").encode())
    return "answer:" + digest.hexdigest()


def _serve_cached() -> Response | None:
    if not _cacheable_request():
        return None
    g.answer_key = _key()
    hit = answers.get(g.answer_key)
    if not hit:
        return None
    packed, headers, names = hit
    replay(names)
    g.answer_key = None  # nothing to store
    if request.accept_encodings.quality("gzip") > 0:  # every browser: the kept bytes as they are
        response = Response(packed, status=200, headers=headers)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(gzip.decompress(packed), status=200, headers=headers)
    response.headers[HIT_HEADER] = "hit"
    return response


def _store(response: Response) -> Response:
    key = g.pop("answer_key", None)
    if not key or response.status_code != 200 or response.is_streamed or "Set-Cookie" in response.headers \
            or response.headers.get("Content-Encoding"):
        return response
    body = response.get_data()
    if len(body) > MAX_BYTES:
        return response
    headers = [(name, value) for name, value in response.headers.items() if name in KEPT_HEADERS]
    answers.set(key, (gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0), headers, receipts()))
    response.headers[HIT_HEADER] = "miss"
    return response


def init_response_cache(app: Dash, settings: Settings) -> None:
    """Attach the answer cache to a portal app; call last in create_app so that every guard runs before it and its
    store hook sees the answer before compression."""
    if settings.mode != "portal" or not settings.answer_cache:
        return
    config = cache_config(settings)
    config.update(CACHE_THRESHOLD=ENTRIES, CACHE_KEY_PREFIX=config.get("CACHE_KEY_PREFIX", "") + "answer:")
    if config["CACHE_TYPE"] == "FileSystemCache":
        config["CACHE_DIR"] = str(settings.path("cache_dir") / "answers")
    answers.init_app(app.server, config=config)
    app.server.before_request(_serve_cached)
    app.server.after_request(_store)
