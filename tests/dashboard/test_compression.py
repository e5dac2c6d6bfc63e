"""The page's scripts go out compressed, each compressed once per worker; answers that depend on more than their address
are compressed anew every time."""

import gzip
import re

import brotli
import pytest
from flask_compress import flask_compress

from dashboard.app import create_app
from dashboard.compression import MAX_KEPT, NOT_KEPT, StaticCompressed
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
    first = client.get(script, headers={"Accept-Encoding": "gzip"})
    again = client.get(script, headers={"Accept-Encoding": "gzip"})
    assert first.data == again.data and gzip.decompress(again.data) == client.get(script).data
    other = client.get(script, headers={"Accept-Encoding": "br"})  # kept per algorithm
    assert brotli.decompress(other.data) == client.get(script).data
    scripts_compressed = len(calls)

    url = "/api/v1/layers/migration_count?res=9&period=2024-12-31&format=csv"
    one = client.get(url, headers={"Accept-Encoding": "gzip"})
    two = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(one.data) == gzip.decompress(two.data)
    # at most once for the script per algorithm (a script another test compressed is kept already); the API answer twice
    assert scripts_compressed <= 2 and len(calls) == scripts_compressed + 2


def test_the_kept_scripts_are_bounded_and_never_hold_what_is_not_kept():
    kept = StaticCompressed()
    kept.set(f"gzip;{NOT_KEPT}", b"a callback's answer")
    assert kept.get(f"gzip;{NOT_KEPT}") is None and not kept.kept
    for i in range(MAX_KEPT + 5):
        kept.set(f"gzip;/assets/{i}.js?m=1", bytes([i]))
        if i == MAX_KEPT - 1:  # all kept so far; the first one used again
            assert kept.get("gzip;/assets/0.js?m=1") == b"\x00"  # now kept longer than the second
    assert len(kept.kept) == MAX_KEPT
    assert kept.get("gzip;/assets/0.js?m=1") == b"\x00" and kept.get("gzip;/assets/1.js?m=1") is None
