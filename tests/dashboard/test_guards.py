"""Requests the app does not know: unknown paths 404, malformed callbacks 400 (never 500), links from the configured
base URL (not the Host header), callback rate limits and fixed permutations in the portal."""

from __future__ import annotations

import orjson
import pytest

from bench.run import _payload
from dashboard import ids
from dashboard.app import create_app
from dashboard.guards import callback_problem
from layers.settings import load_settings


@pytest.fixture(scope="module")
def portal(demo_bundle, settings, tmp_path_factory):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", access_log=False, cache_type="NullCache",
                      rate_limit_api="", rate_limit_downloads="", rate_limit_callbacks="", public_base_url="https://atlas.example.de",
                      cell_key_secret_file=str(tmp_path_factory.mktemp("s") / "s"))
    return create_app(s, demo_bundle.folder).server.test_client()


@pytest.mark.parametrize("path", ["/does-not-exist", "/admin", "/wp-login.php", "/briefing/x/y", "/.env", "/api/v2/layers"])
def test_unknown_paths_answer_404(portal, path):
    resp = portal.get(path)
    assert resp.status_code == 404, (path, resp.status_code)
    assert b"<div id=\"react-entry-point\"" not in resp.data  # not the app page


@pytest.mark.parametrize("path", ["/_dash-component-suites/dash/nope.js", "/_dash-component-suites/notapackage/x.js",
                                  "/_dash-component-suites/dash/dcc/../../../etc/passwd",
                                  "/_dash-component-suites/dash/dcc/async-mathjax.js.map",  # listed by Dash 4.4.1, not shipped
                                  "/_dash-component-suites/dash/dcc/async-mathjax.v1m2.js.map"])
def test_a_component_file_dash_does_not_serve_is_404_and_logs_no_error(portal, path, caplog):
    """Dash raises for it (unknown, or listed but not shipped): unhandled, that was a 500 with a traceback (and the list
    of every file it serves) in the log."""
    served = portal.get("/_dash-component-suites/dash/dcc/async-dropdown.js")
    assert served.status_code == 200 and served.mimetype == "text/javascript"
    caplog.clear()
    resp = portal.get(path)
    assert resp.status_code == 404 and resp.get_json()["error"].startswith("no file at"), (path, resp.status_code)
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")], [r.getMessage()[:200] for r in caplog.records]


def test_known_pages_still_answer(portal):
    for path in ("/", "/briefing", "/area", "/api/v1/layers", "/_dash-layout", "/_dash-dependencies"):
        assert portal.get(path).status_code == 200, path


BAD_BODIES = [
    b"not json",
    b"[]",
    b'{"output": 5}',
    b'{"output": "..nope.children.."}',
    orjson.dumps({**_payload("migration_share", "mig_bg", "h3_9", 0, "2021-06-30", f"{ids.BASIS}.value"), "inputs": "x"}),
    orjson.dumps({**_payload("migration_share", "mig_bg", "h3_9", 0, "2021-06-30", f"{ids.BASIS}.value"), "inputs": [{"value": 1}]}),
    orjson.dumps({**_payload("migration_share", "mig_bg", "h3_9", 0, "2021-06-30", f"{ids.BASIS}.value"), "changedPropIds": 3}),
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=range(len(BAD_BODIES)))
def test_malformed_callback_bodies_answer_400(portal, body):
    resp = portal.post("/_dash-update-component", data=body, content_type="application/json")
    assert resp.status_code == 400, resp.data[:200]
    assert b"Traceback" not in resp.data


def test_wrong_value_types_in_a_callback_answer_400_not_500(portal):
    body = _payload("migration_share", "mig_bg", "h3_9", 0, "2021-06-30", f"{ids.BASIS}.value")
    body["inputs"] = [{**i, "value": {"weird": [1, 2]}} if i["id"] == ids.PERIOD else i for i in body["inputs"]]
    resp = portal.post("/_dash-update-component", json=body)
    assert resp.status_code in (200, 204, 400), resp.status_code  # handled or refused, never a server error


def test_callback_problem_names_what_is_wrong():
    assert "JSON object" in callback_problem([], {"a"})
    assert "no callback" in callback_problem({"output": "b"}, {"a"})
    assert callback_problem({"output": "a", "inputs": [{"id": "x", "property": "value"}], "changedPropIds": []}, {"a"}) is None


def test_briefing_link_and_qr_use_the_configured_base_url_not_the_host_header(portal):
    html = portal.get("/briefing?layer=migration_share", headers={"Host": "evil.example.com"}).get_data(as_text=True)
    assert "https://atlas.example.de/" in html and "evil.example.com" not in html


def test_portal_permutations_are_fixed_and_h3_p_values_refused(portal):
    assert portal.get("/api/v1/segregation/indices?iterations=999&pvalues=1").status_code == 400
    assert portal.get("/api/v1/segregation/indices?res=9&pvalues=1").status_code == 400
    ok = portal.get("/api/v1/segregation/indices?pvalues=1")
    assert ok.status_code == 200 and ok.get_json()["iterations"] == 99


def test_portal_rate_limits_dash_callbacks(demo_bundle, settings, tmp_path):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", access_log=False, cache_type="NullCache",
                      rate_limit_callbacks="3 per minute", cell_key_secret_file=str(tmp_path / "s"))
    client = create_app(s, demo_bundle.folder).server.test_client()
    body = _payload("migration_share", "mig_bg", demo_bundle.finest_level.id, 0, demo_bundle.periods[0], f"{ids.BASIS}.value")
    codes = [client.post("/_dash-update-component", json=body).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_portal_rate_limits_page_layouts_with_the_callbacks(demo_bundle, settings, tmp_path):
    """A layout carries the views of the page it is built for (dashboard/first_view.py, any state a Referer names), so it
    counts against the same budget as the callbacks."""
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", access_log=False, cache_type="NullCache",
                      rate_limit_callbacks="3 per minute", answer_cache=False, cell_key_secret_file=str(tmp_path / "s"))
    client = create_app(s, demo_bundle.folder).server.test_client()
    codes = [client.get("/_dash-layout", headers={"Referer": f"http://localhost/?period={p}"}).status_code
             for p in (demo_bundle.periods * 3)[:5]]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
