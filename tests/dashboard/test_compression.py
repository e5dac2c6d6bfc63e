"""The page's scripts go out compressed, each compressed once per worker; answers that depend on more than their address
are compressed anew every time."""

import gzip
import re
import zlib

import brotli
import pytest
from flask_compress import flask_compress

from dashboard.app import create_app
from dashboard.compression import MAX_BYTES, NOT_KEPT, StaticCompressed
from layers.bundle import write_bundle
from tests.tiny import tiny_build


@pytest.fixture(scope="module")
def client(settings, tmp_path_factory):
    folder = write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None)
    return create_app(settings, folder).server.test_client()


def page_scripts(client) -> list[str]:
    page = client.get("/").get_data(as_text=True)
    return [src for src in re.findall(r'<script src="([^"]+)"', page) if src.startswith("/")]


@pytest.mark.parametrize("encoding, decode", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_the_pages_scripts_go_out_compressed_and_whole(client, encoding, decode):
    scripts = page_scripts(client)
    assert len(scripts) >= 10, scripts  # React, Dash's renderer, dcc, html, bootstrap, the assets' scripts
    plain_total = packed_total = 0
    for src in scripts:
        plain, packed = client.get(src), client.get(src, headers={"Accept-Encoding": encoding})
        assert plain.status_code == packed.status_code == 200, src
        assert packed.mimetype == "text/javascript", src
        # below Flask-Compress's floor, or a file of assets/ (streamed, and Flask-Compress streams no gzip): as it is
        if len(plain.data) < 500 or (encoding == "gzip" and src.startswith("/assets/")):
            assert "Content-Encoding" not in packed.headers and packed.data == plain.data, src
            continue
        assert packed.headers["Content-Encoding"] == encoding, src
        assert decode(packed.data) == plain.data, src
        plain_total, packed_total = plain_total + len(plain.data), packed_total + len(packed.data)
    assert plain_total > 500_000 and packed_total < 0.4 * plain_total, (plain_total, packed_total)


def test_a_script_is_compressed_once_and_a_callback_answer_every_time(client, monkeypatch):
    calls = []
    real = flask_compress._compress_data
    monkeypatch.setattr(flask_compress, "_compress_data", lambda app, data, algorithm: calls.append(len(data)) or real(app, data, algorithm))
    script = max(page_scripts(client), key=lambda src: len(client.get(src).data))
    for encoding in ("gzip", "br"):  # compressed here, or kept already by another test
        client.get(script, headers={"Accept-Encoding": encoding})
    calls.clear()
    again = client.get(script, headers={"Accept-Encoding": "gzip"})
    other = client.get(script, headers={"Accept-Encoding": "br"})  # kept per algorithm
    assert gzip.decompress(again.data) == brotli.decompress(other.data) == client.get(script).data
    assert calls == []

    url = "/api/v1/layers/migration_count?res=9&period=2024-12-31&format=csv"
    one = client.get(url, headers={"Accept-Encoding": "gzip"})
    two = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(one.data) == gzip.decompress(two.data)
    assert len(calls) == 2  # the API answer, each time


def test_the_kept_scripts_are_bounded_in_bytes_and_never_hold_what_is_not_kept():
    kept = StaticCompressed()
    kept.set(f"gzip;{NOT_KEPT}", b"a callback's answer")
    assert kept.get(f"gzip;{NOT_KEPT}") is None and not kept.kept
    chunk = MAX_BYTES // 4
    for i in range(6):
        kept.set(f"gzip;/_dash-component-suites/{i}.js", bytes(chunk))
        if i == 2:
            assert kept.get("gzip;/_dash-component-suites/0.js") is not None  # used again: kept longer than 1
    assert kept.size == sum(map(len, kept.kept.values())) <= MAX_BYTES
    assert kept.get("gzip;/_dash-component-suites/0.js") is not None and kept.get("gzip;/_dash-component-suites/1.js") is None


def test_neither_a_query_string_nor_a_made_up_fingerprint_makes_a_script_compressed_again(client, monkeypatch):
    """A client cannot make the worker compress a 1–5 MB script on each request (nor fill its memory) by varying the
    parts of the address Dash ignores."""
    calls = []
    real = flask_compress._compress_data
    monkeypatch.setattr(flask_compress, "_compress_data", lambda app, data, algorithm: calls.append(len(data)) or real(app, data, algorithm))
    script = max((s for s in page_scripts(client) if s.startswith("/_dash-component-suites/")), key=lambda src: len(client.get(src).data))
    plain = client.get(script).data
    stem, ext = script.rsplit(".", 1)
    base = re.sub(r"\.v[\w-]+m[0-9a-fA-F]+$", "", stem)
    for url in (f"{script}?m=1", f"{script}?m=2", f"{base}.v9m1.{ext}", f"{base}.{ext}?x"):
        answer = client.get(url, headers={"Accept-Encoding": "deflate"})
        assert answer.headers["Content-Encoding"] == "deflate" and zlib.decompress(answer.data) == plain, url
    client.head(f"{script}?m=3", headers={"Accept-Encoding": "deflate"})
    assert len(calls) <= 1


def test_the_layout_is_compressed_per_page_never_kept(client):
    pages = [client.get("/_dash-layout", headers={"Accept-Encoding": "br", "Referer": f"http://localhost/?district={d}"}) for d in "AB"]
    assert all(page.headers.get("Content-Encoding") == "br" for page in pages)
    assert brotli.decompress(pages[0].data) != brotli.decompress(pages[1].data)
