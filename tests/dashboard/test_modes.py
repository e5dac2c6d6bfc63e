"""Modes: what is internal answers 404 in the portal on every route (pages, /geo, /api/v1 JSON and CSV, topic APIs,
downloads and Dash callbacks), tested with plain HTTP requests; the planner gets the same requests answered."""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.figures import VALUES_TRACE
from dashboard.security import dash_request_refused, hidden_layers, names_hidden
from layers import migrant_concentration
from layers.bundle import write_bundle
from layers.registry import REGISTRY
from layers.settings import load_settings
from layers.spec import INTERNAL
from tests.dashboard.dash_bodies import callback_body as dash_callback_body
from tests.tiny import tiny_build

PROBE = "probe_internal_share"  # a test-only internal layer, so the checks run even while the registry has none
REGISTRY_INTERNAL = [lid for lid, spec in REGISTRY.items() if spec.sensitivity == INTERNAL]
INTERNAL_IDS = REGISTRY_INTERNAL + [PROBE]


@pytest.fixture(scope="module", autouse=True)
def probe_layer():
    """An internal copy of the share layer in the registry for this module's tests."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(REGISTRY, PROBE, dataclasses.replace(migrant_concentration.SHARE, id=PROBE, sensitivity=INTERNAL))
        yield


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny-modes") / "tiny", log=lambda *_: None)


def _app(bundle_root, folder, mode: str, **extra):
    return create_app(load_settings(bundle_dir=str(bundle_root), mode=mode, access_log=False, rate_limit_api="", rate_limit_downloads="",
                                    **extra), folder)


@pytest.fixture(scope="module")
def portal_app(bundle_root, tiny_folder, probe_layer):
    return _app(bundle_root, tiny_folder, "portal")


@pytest.fixture(scope="module")
def planner_app(bundle_root, tiny_folder, probe_layer):
    return _app(bundle_root, tiny_folder, "planner")


# --- Dash callback requests, built from the app's own callback map (so they follow signature changes) ----------

DEFAULTS = {
    (ids.GROUP, "value"): "mig_bg", (ids.BASIS, "value"): "block", (ids.PERIOD, "value"): 1, (ids.PERIOD_FROM, "value"): "2023-12-31",
    (ids.COMPARE, "value"): [], (ids.LANGUAGE, "value"): "de", (ids.DISTRICT, "value"): None, (ids.SCENARIO_VIEW, "value"): "baseline",
    (ids.SELECTION, "data"): {"basis": "block", "ids": [], "focus": None}, (ids.OVERLAYS, "value"): [], (ids.URL, "search"): "",
}


def callback_body(app, key: str, values: dict, changed: str) -> dict:
    """The request body Dash's renderer sends for the callback `key`, with `DEFAULTS` for what `values` leaves out."""
    return dash_callback_body(app, key, values, changed, DEFAULTS)


def layer_callbacks(app) -> list[str]:
    """Every callback that reads the layer control (as input or state)."""
    return [key for key, spec in app.callback_map.items()
            if any(d["id"] == ids.LAYER and d["property"] == "value" for d in spec["inputs"] + spec["state"])]


def map_callback(app) -> str:
    return next(k for k in app.callback_map if k.startswith(f"..{ids.MAP}.figure...{ids.LEGEND}.children"))


def test_probe_layer_is_hidden_only_in_portal(portal_app, planner_app):
    portal = portal_app.server.config["QUARTIERSATLAS_SETTINGS"]
    planner = planner_app.server.config["QUARTIERSATLAS_SETTINGS"]
    assert set(INTERNAL_IDS) <= hidden_layers(portal)
    assert hidden_layers(planner) == set()


# --- /api/v1 ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layer_id", INTERNAL_IDS)
@pytest.mark.parametrize("fmt", ["json", "csv", "geojson"])
def test_internal_layer_api_404_in_portal_200_in_planner(portal_app, planner_app, layer_id, fmt):
    url = f"/api/v1/layers/{layer_id}?level=block&format={fmt}"
    portal = portal_app.server.test_client().get(url)
    assert portal.status_code == 404
    assert b"value" not in portal.data and b"Block" not in portal.data
    planner = planner_app.server.test_client().get(url)
    assert planner.status_code == 200
    assert b"A1" in planner.data


def test_layer_list_leaves_internal_layers_out_only_in_portal(portal_app, planner_app):
    portal = [lyr["id"] for lyr in orjson.loads(portal_app.server.test_client().get("/api/v1/layers").data)["layers"]]
    planner = [lyr["id"] for lyr in orjson.loads(planner_app.server.test_client().get("/api/v1/layers").data)["layers"]]
    assert not set(INTERNAL_IDS) & set(portal)
    assert set(INTERNAL_IDS) <= set(planner)
    assert "migration_share" in portal


def _get_rules(app) -> list[str]:
    return sorted({r.rule for r in app.server.url_map.iter_rules() if "GET" in r.methods and not r.rule.startswith(("/_dash", "/assets"))})


@pytest.mark.parametrize("layer_id", INTERNAL_IDS)
def test_every_get_route_answers_404_for_an_internal_layer_in_portal(portal_app, layer_id):
    """Pages, /geo, /api/v1 and every topic API (and what helpers add later): a layer parameter or path part naming an
    internal layer is a 404, whatever the route does with it."""
    client = portal_app.server.test_client()
    rules = _get_rules(portal_app)
    assert "/api/v1/layers/<layer_id>" in rules and "/geo/<basis_key>.json" in rules and "/" in rules
    for rule in rules:
        path = rule
        while "<" in path:
            start, end = path.index("<"), path.index(">")
            path = path[:start] + layer_id + path[end + 1:]
        for query in (f"layer={layer_id}", f"layer={layer_id}&format=csv", f"layers={layer_id}", f"layer=migration_share&layer={layer_id}"):
            resp = client.get(f"{path}?{query}")
            assert resp.status_code == 404, (rule, query, resp.status_code)
            assert orjson.loads(resp.data)["error"] == "not found"


def test_the_page_for_a_public_layer_still_loads_in_portal(portal_app):
    resp = portal_app.server.test_client().get("/?layer=migration_share", headers={"Accept": "text/html"})
    assert resp.status_code == 200 and b"_dash-config" in resp.data


def test_html_clients_get_an_html_404_page(portal_app):
    resp = portal_app.server.test_client().get(f"/?layer={PROBE}", headers={"Accept": "text/html,application/xhtml+xml"})
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert b"Request-ID" in resp.data and PROBE.encode() not in resp.data


# --- Dash callbacks --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layer_id", INTERNAL_IDS)
def test_every_layer_callback_answers_404_in_portal(portal_app, layer_id):
    client = portal_app.server.test_client()
    keys = layer_callbacks(portal_app)
    assert map_callback(portal_app) in keys and len(keys) >= 5
    for key in keys:
        body = callback_body(portal_app, key, {(ids.LAYER, "value"): layer_id}, f"{ids.LAYER}.value")
        resp = client.post("/_dash-update-component", json=body)
        assert resp.status_code == 404, (key, resp.status_code, resp.data[:200])
        assert b"Block" not in resp.data and b"bdata" not in resp.data


def test_map_callback_gives_the_planner_the_internal_layer(planner_app):
    key = map_callback(planner_app)
    body = callback_body(planner_app, key, {(ids.LAYER, "value"): PROBE}, f"{ids.BASIS}.value")
    resp = planner_app.server.test_client().post("/_dash-update-component", json=body)
    assert resp.status_code == 200
    assert "A1" in orjson.loads(resp.data)["response"][ids.MAP]["figure"]["data"][VALUES_TRACE]["locations"]


def test_map_callback_serves_public_layers_in_portal(portal_app):
    key = map_callback(portal_app)
    body = callback_body(portal_app, key, {(ids.LAYER, "value"): "migration_share"}, f"{ids.BASIS}.value")
    resp = portal_app.server.test_client().post("/_dash-update-component", json=body)
    assert resp.status_code == 200 and ids.MAP in orjson.loads(resp.data)["response"]


def test_a_link_naming_an_internal_layer_is_refused_by_the_url_callback(portal_app, planner_app):
    # the page's query string reaches the URL callback through `ids.URL_READ` (the browser passes on only a new one)
    key = next(k for k, spec in portal_app.callback_map.items() if any(d["id"] == ids.URL_READ for d in spec["inputs"]))
    values = {(ids.URL_READ, "data"): f"?layer={PROBE}&basis=block", (ids.LAYER, "value"): "migration_share"}
    assert portal_app.server.test_client().post("/_dash-update-component",
                                                json=callback_body(portal_app, key, values, f"{ids.URL_READ}.data")).status_code == 404
    planner = planner_app.server.test_client().post("/_dash-update-component",
                                                    json=callback_body(planner_app, key, values, f"{ids.URL_READ}.data"))
    assert planner.status_code == 200 and PROBE in planner.data.decode()


def test_a_scenario_in_the_store_is_refused_in_portal(portal_app):
    key = map_callback(portal_app)
    scenario = {"name": "x", "interventions": [{"kind": "housing", "lon": 13.005, "lat": 52.005, "dwellings": 100}]}
    body = callback_body(portal_app, key, {(ids.LAYER, "value"): "migration_share", (ids.SCENARIO, "data"): scenario}, f"{ids.SCENARIO}.data")
    assert portal_app.server.test_client().post("/_dash-update-component", json=body).status_code == 404


def test_dash_request_rules_by_hand():
    hidden = {"refugee_sites"}
    ok = {"inputs": [{"id": ids.LAYER, "property": "value", "value": "migration_share"}, {"id": ids.SCENARIO, "property": "data", "value": None}],
          "outputs": {"id": ids.MAP, "property": "figure"}}
    assert dash_request_refused(ok, hidden) is None
    assert dash_request_refused({"inputs": [{"id": "x", "property": "value", "value": ["a", {"layer": "refugee_sites"}]}]}, hidden)
    assert dash_request_refused({"state": [{"id": ids.URL, "property": "search", "value": "?basis=h3_9&layer=refugee_sites"}]}, hidden)
    assert dash_request_refused({"inputs": [], "outputs": [{"id": "scenario-save", "property": "n_clicks"}]}, hidden)
    assert dash_request_refused({"inputs": [[{"id": {"type": "scenario-row", "index": 1}, "property": "n_clicks", "value": 1}]]}, hidden)
    assert dash_request_refused({"inputs": [{"id": ids.SCENARIO_PLACING, "property": "data", "value": {"kind": "housing"}}]}, hidden)
    assert dash_request_refused({"inputs": [{"id": ids.SCENARIO, "property": "data", "value": {"name": "", "interventions": []}}]}, hidden) is None
    assert not names_hidden("?layer=migration_share", hidden) and not names_hidden("refugee", hidden)
    escaped = b'{"inputs": [{"id": "x", "property": "value", "value": "refugee\\u005fsites"}]}'
    assert dash_request_refused(orjson.loads(escaped), hidden, escaped)  # the fast path on the raw body does not skip escapes
    assert dash_request_refused(ok, hidden, orjson.dumps(ok)) is None


def test_escaped_internal_layer_id_is_refused_over_http(portal_app):
    key = map_callback(portal_app)
    body = orjson.dumps(callback_body(portal_app, key, {(ids.LAYER, "value"): "PLACEHOLDER"}, f"{ids.LAYER}.value"))
    escaped = body.replace(b"PLACEHOLDER", PROBE.replace("_", "\\u005f").encode())
    resp = portal_app.server.test_client().post("/_dash-update-component", data=escaped, content_type="application/json")
    assert resp.status_code == 404


# --- facility compositions and scenarios -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_apps(settings, demo_bundle, probe_layer):
    """The small demo city (it has facility compositions) as planner, as portal, and as a portal whose authority publishes them."""
    def make(mode: str, **extra):
        return create_app(load_settings(bundle_dir=str(settings.path("bundle_dir")), mode=mode, access_log=False, rate_limit_api="",
                                        **extra), demo_bundle.folder)

    return {"planner": make("planner"), "portal": make("portal"), "published": make("portal", publish_facility_compositions=True)}


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_facility_compositions_404_in_portal_unless_published(demo_apps, fmt):
    url = f"/api/v1/education/facilities?kind=primary_school&format={fmt}"
    portal = demo_apps["portal"].server.test_client().get(url)
    assert portal.status_code == 404 and b"deviation_pp" not in portal.data
    for mode in ("planner", "published"):
        resp = demo_apps[mode].server.test_client().get(url)
        assert resp.status_code == 200 and b"deviation_pp" in resp.data, mode


def test_education_callback_leaves_compositions_out_in_portal(demo_apps):
    def table(mode: str) -> str:
        app = demo_apps[mode]
        key = next(k for k in app.callback_map if k.startswith("..education-figures.children"))
        values = {(ids.SECTION_TABS, "active_tab"): "education", ("education-view", "value"): "primary_school", (ids.PERIOD, "value"): 0}
        resp = app.server.test_client().post("/_dash-update-component", json=callback_body(app, key, values, "education-view.value"))
        assert resp.status_code == 200, resp.data[:300]
        return resp.data.decode()

    assert "deviation_pp" in table("planner")
    portal = table("portal")
    assert "deviation_pp" not in portal and "intern" in portal


def test_scenario_routes_exist_in_planner(planner_app):
    assert planner_app.server.test_client().get("/api/v1/scenarios").status_code == 200


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_scenario_routes_404_in_portal(portal_app, method):
    for path in ("/api/v1/scenarios", "/api/v1/scenarios/abc", "/api/v1/scenarios/validate", "/api/v1/scenarios/effects", "/api/v1/scenarios/suggest"):
        resp = getattr(portal_app.server.test_client(), method)(path, json={"name": "x", "interventions": []})
        assert resp.status_code == 404, (method, path)
