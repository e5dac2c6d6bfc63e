"""The OpenAPI description (/api/v1/openapi.json) against the app's routes, valid OpenAPI 3.1 (and the OGC API's 3.0
definition), its allowed values accepted by the API; and CORS for reading: GET only, per setting."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from dashboard.app import create_app
from layers.settings import load_settings


def _app(settings, bundle, tmp_path, mode, **extra):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode=mode, access_log=False, rate_limit_api="",
                      rate_limit_downloads="", rate_limit_callbacks="", cell_key_secret_file=str(tmp_path / "secret"), **extra)
    return create_app(s, bundle.folder)


@pytest.fixture(scope="module", params=["portal", "planner"])
def app_mode(request, demo_bundle, settings, tmp_path_factory):
    return _app(settings, demo_bundle, tmp_path_factory.mktemp("oa"), request.param), request.param, demo_bundle


def _routes(app, portal: bool) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every read-API route the mode answers, from the URL map (not from the document's code)."""
    out = set()
    for rule in app.server.url_map.iter_rules():
        refused = ("/api/v1/scenarios", "/api/v1/education/facilities")  # 404 in the portal (default settings)
        if rule.rule.startswith(("/api/v1/", "/geo/")) and not (portal and rule.rule.startswith(refused)):
            out |= {(rule.rule.replace("<", "{").replace(">", "}"), m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return out


def test_every_route_is_described_once_and_nothing_else(app_mode):
    app, mode, _ = app_mode
    doc = app.server.test_client().get("/api/v1/openapi.json").get_json()
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert documented == _routes(app, mode == "portal")
    validate(doc)  # OpenAPI 3.1 schema
    if mode == "portal":
        assert not [p for p in doc["paths"] if p.startswith("/api/v1/scenarios")]
        names = {p["name"] for p in doc["paths"]["/api/v1/layers/{layer_id}"]["get"]["parameters"]}
        assert "scenario" not in names and "view" not in names


def test_every_documented_value_of_the_layer_route_is_accepted(app_mode):
    app, _, bundle = app_mode
    client = app.server.test_client()
    params = {p["name"]: p for p in app.server.test_client().get("/api/v1/openapi.json").get_json()
              ["paths"]["/api/v1/layers/{layer_id}"]["get"]["parameters"]}
    for name in ("level", "res", "period", "format"):
        for value in params[name]["schema"]["enum"]:
            answer = client.get(f"/api/v1/layers/migration_share?{name}={value}")
            assert answer.status_code == 200, (name, value, answer.get_data(as_text=True)[:200])
    for layer in params["layer_id"]["schema"]["enum"][:5]:
        assert client.get(f"/api/v1/layers/{layer}").status_code == 200
    refused = client.get("/api/v1/layers/migration_share?format=shp")
    assert refused.status_code == 400 and refused.get_json()["parameter"] == "format"


def test_the_ogc_api_definition_is_valid_openapi(app_mode):
    app, _, _ = app_mode
    validate(app.server.test_client().get("/ogc/api").get_json())


@pytest.mark.parametrize("mode, setting, origin, allowed", [
    ("planner", "auto", "https://portal.example.org", None), ("portal", "auto", "https://portal.example.org", "*"),
    ("planner", "https://a.example.org https://b.example.org", "https://b.example.org", "https://b.example.org"),
    ("planner", "https://a.example.org", "https://evil.example.org", None), ("portal", "", "https://x.example.org", None),
])
def test_cors_for_reading_follows_the_setting(demo_bundle, settings, tmp_path, mode, setting, origin, allowed):
    client = _app(settings, demo_bundle, tmp_path, mode, cors_origins=setting).server.test_client()
    for path in ("/api/v1/layers", f"/geo/{demo_bundle.finest_level.id}.json", "/ogc/conformance"):
        answer = client.get(path, headers={"Origin": origin})
        assert answer.status_code == 200 and answer.headers.get("Access-Control-Allow-Origin") == allowed, path
        if setting not in ("auto", "", "*"):
            assert "Origin" in answer.headers["Vary"]  # also without an allowed Origin: caches keep one answer per origin
    page = client.get("/", headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in page.headers  # pages are never shared


def test_preflight_allows_get_and_never_writes(demo_bundle, settings, tmp_path):
    client = _app(settings, demo_bundle, tmp_path, "planner", cors_origins="*").server.test_client()
    get = client.options("/api/v1/layers", headers={"Origin": "https://x.org", "Access-Control-Request-Method": "GET"})
    assert get.status_code in (200, 204) and get.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    post = client.options("/api/v1/scenarios/validate", headers={"Origin": "https://x.org", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in post.headers
    callback = client.post("/_dash-update-component", json={}, headers={"Origin": "https://x.org"})
    assert "Access-Control-Allow-Origin" not in callback.headers
