"""Portal hardening through real HTTP requests: read-only portal, security headers and CSP, size and rate limits,
no tracebacks for clients, JSON access logs; gunicorn serving the same; the map under the CSP in headless Chromium."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson
import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.security import anonymise_ip, content_security_policy, is_download_request
from layers.bundle import write_bundle
from layers.settings import SettingsError, known_settings, load_settings
from tests.dashboard.test_modes import callback_body, map_callback
from tests.tiny import tiny_build

ROOT = Path(__file__).resolve().parents[2]
ACCESS_FIELDS = {"time", "method", "path", "status", "bytes", "request_bytes", "duration_ms", "client", "request_id"}


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny-hardening") / "tiny", log=lambda *_: None)


def make_app(bundle_root, folder, mode: str = "portal", **extra):
    extra.setdefault("access_log", False)
    return create_app(load_settings(bundle_dir=str(bundle_root), mode=mode, **extra), folder)


@pytest.fixture(scope="module")
def portal(bundle_root, tiny_folder):
    return make_app(bundle_root, tiny_folder, rate_limit_api="", rate_limit_downloads="")


@pytest.fixture(scope="module")
def planner(bundle_root, tiny_folder):
    return make_app(bundle_root, tiny_folder, mode="planner")


def map_body(app, layer: str = "migration_share", selection: list[str] | None = None) -> dict:
    """The map callback's request body as the browser sends it (built from the app's callback map)."""
    values = {(ids.LAYER, "value"): layer, (ids.SELECTION, "data"): {"basis": "block", "ids": selection or [], "focus": None}}
    return callback_body(app, map_callback(app), values, f"{ids.BASIS}.value")


# --- headers ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["portal", "planner"])
@pytest.mark.parametrize("path", ["/", "/api/v1/layers", "/api/v1/layers/migration_share?level=block&format=csv", "/geo/block.json", "/nowhere"])
def test_security_headers_on_every_response(portal, planner, mode, path):
    app = portal if mode == "portal" else planner
    resp = app.server.test_client().get(path)
    h = resp.headers
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert h["X-Frame-Options"] == "DENY"
    assert "camera=()" in h["Permissions-Policy"] and "geolocation=()" in h["Permissions-Policy"]
    assert len(h["X-Request-ID"]) == 16
    csp = dict(part.strip().split(" ", 1) for part in h["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    scripts = csp["script-src"].split()
    assert scripts[0] == "'self'" and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert set(app.csp_hashes()) <= set(scripts)  # Dash's renderer and every clientside callback, by hash
    assert len(scripts) - 1 == len(app.csp_hashes())
    assert "blob:" in csp["worker-src"] and csp["connect-src"] == "'self'"


def test_dash_callback_responses_carry_the_headers(portal):
    resp = portal.server.test_client().post("/_dash-update-component", json=map_body(portal))
    assert resp.status_code == 200 and "Content-Security-Policy" in resp.headers and resp.headers["X-Content-Type-Options"] == "nosniff"


def test_tile_host_and_embedding_origins_enter_the_csp(bundle_root, tiny_folder):
    app = make_app(bundle_root, tiny_folder, tile_url="https://tiles.example.org/{z}/{x}/{y}.png", embed_origins="https://www.berlin.de")
    resp = app.server.test_client().get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://tiles.example.org;" in csp and "connect-src 'self' https://tiles.example.org;" in csp
    assert "frame-ancestors https://www.berlin.de" in csp and "X-Frame-Options" not in resp.headers
    assert content_security_policy(app, load_settings(tile_url="https://{s}.tile.example.org/{z}/{x}/{y}.png")).count("https://*.tile.example.org") == 2


def test_hsts_only_over_https(portal):
    client = portal.server.test_client()
    assert "Strict-Transport-Security" not in client.get("/api/v1/layers").headers
    assert client.get("/api/v1/layers", base_url="https://portal.example").headers["Strict-Transport-Security"].startswith("max-age=")


# --- read-only --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/layers", "/api/v1/layers/migration_share", "/api/v1/education/summary", "/", "/geo/block.json"])
def test_portal_has_no_write_routes(portal, method, path):
    resp = getattr(portal.server.test_client(), method)(path, json={"x": 1})
    assert resp.status_code == 405
    assert resp.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert orjson.loads(resp.data)["error"] == "the public portal is read-only"


def test_portal_still_answers_dash_callbacks_and_reads(portal):
    client = portal.server.test_client()
    assert client.post("/_dash-update-component", json=map_body(portal)).status_code == 200
    assert client.head("/api/v1/layers").status_code == 200 and client.options("/api/v1/layers").status_code == 200


# --- request size -------------------------------------------------------------------------------------------------

def test_oversized_request_is_413_and_a_normal_callback_fits(bundle_root, tiny_folder):
    app = make_app(bundle_root, tiny_folder, max_request_bytes=4000)
    client = app.server.test_client()
    assert client.post("/_dash-update-component", json=map_body(app)).status_code == 200
    big = map_body(app, selection=[f"A{i}" for i in range(2000)])
    resp = client.post("/_dash-update-component", json=big)
    assert resp.status_code == 413
    body = orjson.loads(resp.data)
    assert body["max_bytes"] == 4000 and "too large" in body["error"]


def test_default_size_limit_fits_a_whole_city_selection_at_res_10(berlin_bundle):
    """The biggest legitimate request: a box selection of every H3 res-10 cell of Berlin. The browser sends the map's
    selectedData (about 170 bytes per cell, measured in Chromium at res 9: 1.67 MB for 9,825 cells) to the selection
    callback; the selection store (the cell ids) goes to the views callbacks. Both must fit under the default."""
    cells = [str(c) for c in berlin_bundle.cells(10)]
    point = {"curveNumber": 1, "pointNumber": 0, "pointIndex": 0, "location": "", "z": 41.234567, "ct": [13.123456, 52.123456],
             "customdata": [1234.5, 0], "text": "8a1f1d48a56ffff<br>Sozialer Kontext: 12,3 % arbeitslos"}
    selected = {"points": [{**point, "pointNumber": i, "pointIndex": i, "location": c} for i, c in enumerate(cells)],
                "range": {"map": [[13.0, 52.7], [13.8, 52.3]]}}
    body = orjson.dumps({"output": "x", "inputs": [{"id": ids.MAP, "property": "selectedData", "value": selected}],
                         "state": [{"id": ids.SELECTION, "property": "data", "value": {"basis": "h3_10", "ids": cells, "focus": None}}]})
    default = known_settings()["max_request_bytes"].default
    assert len(cells) > 50_000
    assert len(body) < default, (len(body), default)


# --- rate limits ------------------------------------------------------------------------------------------------

def test_api_rate_limit_per_client_429_with_retry_after(bundle_root, tiny_folder):
    app = make_app(bundle_root, tiny_folder, rate_limit_api="3 per minute", rate_limit_downloads="")
    client = app.server.test_client()
    me, other = {"REMOTE_ADDR": "198.51.100.7"}, {"REMOTE_ADDR": "198.51.100.8"}
    codes = [client.get("/api/v1/layers", environ_base=me).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    resp = client.get("/api/v1/layers/migration_share?level=block", environ_base=me)  # one budget for the whole API
    assert resp.status_code == 429
    body = orjson.loads(resp.data)
    assert "too many requests" in body["error"] and "3 per 1 minute" in body["error"] and body["request_id"]
    assert 1 <= int(resp.headers["Retry-After"]) <= 60 and body["retry_after_s"] == int(resp.headers["Retry-After"])
    assert client.get("/api/v1/layers", environ_base=other).status_code == 200  # another client has its own budget
    assert client.get("/", environ_base=me).status_code == 200  # pages and callbacks are not rate-limited
    assert client.post("/_dash-update-component", json=map_body(app), environ_base=me).status_code == 200


def test_download_rate_limit_counts_exports_and_geometry(bundle_root, tiny_folder):
    app = make_app(bundle_root, tiny_folder, rate_limit_api="", rate_limit_downloads="2 per minute")
    client = app.server.test_client()
    assert client.get("/api/v1/layers/migration_share?level=block&format=csv").status_code == 200
    assert client.get("/geo/block.json").status_code == 200
    assert client.get("/api/v1/layers/migration_share?level=block&format=geojson").status_code == 429
    assert client.get("/api/v1/layers/migration_share?level=block").status_code == 200  # JSON is not a download


def test_planner_is_not_rate_limited(bundle_root, tiny_folder):
    app = make_app(bundle_root, tiny_folder, mode="planner", rate_limit_api="2 per minute")
    client = app.server.test_client()
    assert {client.get("/api/v1/layers").status_code for _ in range(5)} == {200}


def test_bad_rate_limit_setting_is_named(bundle_root, tiny_folder):
    with pytest.raises(SettingsError, match="rate_limit_api"):
        make_app(bundle_root, tiny_folder, rate_limit_api="lots")


def test_download_classification(portal):
    with portal.server.test_request_context("/api/v1/layers/x?format=csv"):
        assert is_download_request()
    with portal.server.test_request_context("/api/v1/layers/x?format=json"):
        assert not is_download_request()
    with portal.server.test_request_context("/geo/h3_9.json"):
        assert is_download_request()


# --- errors -----------------------------------------------------------------------------------------------------

def _failing_app(bundle_root, tiny_folder, mode: str):
    app = make_app(bundle_root, tiny_folder, mode=mode)

    @app.server.get("/boom")
    def boom():
        raise RuntimeError("secret detail in /srv/quartiersatlas/layers/x.py")

    return app


@pytest.mark.parametrize("mode", ["portal", "planner"])
def test_forced_exception_is_a_generic_500_with_request_id(bundle_root, tiny_folder, mode, caplog):
    app = _failing_app(bundle_root, tiny_folder, mode)
    with caplog.at_level(logging.ERROR):
        resp = app.server.test_client().get("/boom")
    assert resp.status_code == 500
    text = resp.data.decode()
    assert "Traceback" not in text and "secret detail" not in text and ".py" not in text and "RuntimeError" not in text
    body = orjson.loads(resp.data)
    assert body["request_id"] == resp.headers["X-Request-ID"] and body["error"].startswith("internal error")
    logged = caplog.text
    assert body["request_id"] in logged and "secret detail" in logged and "Traceback" in logged  # the server log has it all


def test_html_500_page_for_browsers(bundle_root, tiny_folder):
    app = _failing_app(bundle_root, tiny_folder, "portal")
    resp = app.server.test_client().get("/boom", headers={"Accept": "text/html"})
    assert resp.status_code == 500 and resp.mimetype == "text/html"
    assert b"Traceback" not in resp.data and resp.headers["X-Request-ID"].encode() in resp.data


def test_broken_dash_request_gives_400_without_traceback(portal):
    resp = portal.server.test_client().post("/_dash-update-component", json={"output": "no-such.thing", "inputs": [], "state": []})
    assert resp.status_code == 400 and orjson.loads(resp.data)["request_id"] == resp.headers["X-Request-ID"]
    assert b"Traceback" not in resp.data and b'File "' not in resp.data and b"KeyError" not in resp.data


def test_dash_debug_cannot_be_switched_on_in_portal(portal, planner):
    assert portal.enable_dev_tools(True) is False
    assert portal.server.debug is False


# --- access log -------------------------------------------------------------------------------------------------

def test_access_log_is_one_json_line_per_request(bundle_root, tiny_folder, capsys):
    app = make_app(bundle_root, tiny_folder, access_log=True, rate_limit_api="", rate_limit_downloads="")
    client = app.server.test_client()
    capsys.readouterr()
    with client.get("/api/v1/layers?x=1", environ_base={"REMOTE_ADDR": "203.0.113.77"}) as first:
        rid, size = first.headers["X-Request-ID"], len(first.data)
    with client.post("/api/v1/layers", environ_base={"REMOTE_ADDR": "2001:db8:abcd:12::1"}):
        pass
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert len(lines) == 2
    get, post = lines
    assert set(get) == ACCESS_FIELDS
    assert (get["method"], get["path"], get["status"], get["client"], get["request_id"]) == ("GET", "/api/v1/layers", 200, "203.0.113.0", rid)
    assert get["bytes"] == size and get["duration_ms"] >= 0 and get["time"].endswith("+00:00")
    assert (post["method"], post["status"], post["client"]) == ("POST", 405, "2001:db8:abcd::")


def test_no_access_log_when_switched_off(bundle_root, tiny_folder, capsys):
    app = make_app(bundle_root, tiny_folder, access_log=False)
    capsys.readouterr()
    with app.server.test_client().get("/api/v1/layers"):
        pass
    assert not [line for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_upstream_request_id_is_kept(portal):
    resp = portal.server.test_client().get("/api/v1/layers", headers={"X-Request-ID": "lb-0123456789abcdef"})
    assert resp.headers["X-Request-ID"] == "lb-0123456789abcdef"
    resp = portal.server.test_client().get("/api/v1/layers", headers={"X-Request-ID": "<script>"})
    assert resp.headers["X-Request-ID"] != "<script>"


def test_anonymise_ip():
    assert anonymise_ip("203.0.113.77") == "203.0.113.0"
    assert anonymise_ip("::ffff:198.51.100.9") == "198.51.100.0"
    assert anonymise_ip("2001:db8:abcd:12::1") == "2001:db8:abcd::"
    assert anonymise_ip("not an ip") == "" and anonymise_ip(None) == ""


def test_proxy_count_uses_the_forwarded_client(bundle_root, tiny_folder, capsys):
    app = make_app(bundle_root, tiny_folder, access_log=True, proxy_count=1)
    capsys.readouterr()
    with app.server.test_client().get("/api/v1/layers", headers={"X-Forwarded-For": "192.0.2.55"}, environ_base={"REMOTE_ADDR": "10.0.0.2"}):
        pass
    line = json.loads(next(x for x in capsys.readouterr().out.splitlines() if x.startswith("{")))
    assert line["client"] == "192.0.2.0"


# --- gunicorn ---------------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_portal_serves_headers_read_only_and_json_logs(bundle_root, tiny_folder, tmp_path):
    port = _free_port()
    script = (f"from pathlib import Path; from layers.settings import load_settings; from dashboard.server import serve; "
              f"serve(load_settings(bundle_dir={str(bundle_root)!r}, mode='portal', port={port}, rate_limit_api='5 per minute'), "
              f"Path({str(tiny_folder)!r}), workers=1)")
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ})
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                page = urllib.request.urlopen(base + "/", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.time() < deadline and proc.poll() is None, log.read_text()
                time.sleep(0.5)
        assert page.headers["Server"].startswith("gunicorn")
        assert "script-src 'self' 'sha256-" in page.headers["Content-Security-Policy"] and page.headers["X-Frame-Options"] == "DENY"
        request = urllib.request.Request(base + "/api/v1/layers", data=b"{}", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 405
        codes = []
        for _ in range(6):
            try:
                codes.append(urllib.request.urlopen(base + "/api/v1/layers", timeout=10).status)
            except urllib.error.HTTPError as exc:
                codes.append(exc.code)
                assert exc.headers["Retry-After"]
        assert codes == [200] * 5 + [429]
        time.sleep(0.5)
        lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
        assert {(x["method"], x["path"], x["status"]) for x in lines} >= {("GET", "/", 200), ("POST", "/api/v1/layers", 405),
                                                                           ("GET", "/api/v1/layers", 429)}
        assert all(set(x) == ACCESS_FIELDS and x["client"] == "127.0.0.0" for x in lines)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# --- the browser ------------------------------------------------------------------------------------------------

@pytest.mark.browser
def test_portal_map_renders_under_the_csp(dash_duo, bundle_root, tiny_folder):
    """The portal page draws its map with the CSP on, the period player (clientside callbacks = hashed inline scripts)
    runs, and the browser reports no CSP violation; an injected inline script is blocked, so the CSP is really enforced."""
    from tests.dashboard.test_browser import map_state

    app = make_app(bundle_root, tiny_folder, rate_limit_api="", rate_limit_downloads="")
    dash_duo.start_server(app)
    state = map_state(dash_duo, lambda s: s["drawn"] >= 3)
    assert state["locations"] == 4
    # the inline scripts (Dash's clientside callbacks) ran: every function is defined
    funcs = dash_duo.driver.execute_script("return Object.keys(window.dash_clientside._dashprivate_clientside_funcs || {}).length;")
    assert funcs == len(set(app.csp_hashes())) - 1  # all hashes but the renderer's (callbacks sharing a function share one)
    # and they work: the player's label turns to pause (recorded by an observer, the tiny city has two periods only)
    dash_duo.driver.execute_script("""
        window.__labels = []; const b = document.getElementById(arguments[0]);
        new MutationObserver(() => window.__labels.push(b.textContent)).observe(b, {childList: true, subtree: true, characterData: true});""", ids.PLAY)
    dash_duo.find_element(f"#{ids.PLAY}").click()
    deadline = time.time() + 10
    while "⏸" not in dash_duo.driver.execute_script("return window.__labels;") and time.time() < deadline:
        time.sleep(0.2)
    assert "⏸" in dash_duo.driver.execute_script("return window.__labels;")
    logs = dash_duo.driver.get_log("browser")
    csp = [e for e in logs if "Content Security Policy" in e["message"] or "Content-Security-Policy" in e["message"]]
    assert csp == [], csp
    assert [e for e in logs if e["level"] == "SEVERE"] == []
    dash_duo.driver.execute_script("const s = document.createElement('script'); s.textContent = 'window.__cspProbe = 1;'; document.head.appendChild(s);")
    time.sleep(0.5)
    assert dash_duo.driver.execute_script("return window.__cspProbe === undefined;")
    assert any("Content Security Policy" in e["message"] for e in dash_duo.driver.get_log("browser"))


def test_extra_inline_script_hashes_enter_the_csp(bundle_root, tiny_folder):
    from dashboard.security import EXTRA_SCRIPT_HASHES, script_hash

    app = make_app(bundle_root, tiny_folder)
    app.server.config[EXTRA_SCRIPT_HASHES].append(script_hash("window.x = 1;"))
    assert script_hash("window.x = 1;") in app.server.test_client().get("/").headers["Content-Security-Policy"]


def test_security_doctests():
    import doctest
    import importlib
    import pkgutil

    import dashboard.security

    # the examples live in the package's modules (dashboard.security re-exports their names)
    results = [doctest.testmod(importlib.import_module(m.name)) for m in pkgutil.iter_modules(dashboard.security.__path__, "dashboard.security.")]
    result = doctest.TestResults(sum(r.failed for r in results), sum(r.attempted for r in results))
    assert result.attempted >= 4 and result.failed == 0


@pytest.mark.parametrize("mode", ["portal", "planner"])
def test_unknown_api_address_is_a_json_404_not_the_page(portal, planner, mode):
    resp = (portal if mode == "portal" else planner).server.test_client().get("/api/v1/nowhere", headers={"Accept": "text/html"})
    assert resp.status_code == 404 and resp.mimetype == "application/json" and b"_dash-config" not in resp.data
