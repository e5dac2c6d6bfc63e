"""Accommodation and housing never reach the public portal, on any route (BRIEF §6).

On the demo city, which has sites and housing stock: every GET route of the portal's URL map (filled with real ids, with
and without the internal layer ids as parameters), the OGC API collections, downloads, the page shell and layout, and
every Dash callback of the portal's callback map answer without a site id, a site name, an internal layer or a housing
figure; the planner gets the same data (so the check can fail). The exit itself refuses internal layers and tables."""

from __future__ import annotations

import re
import shutil

import geopandas as gpd
import pandas as pd
import pytest

from dashboard import ids
from dashboard.app import create_app
from layers.accommodation import ACCOMMODATION_AREAS
from layers.bundle import Bundle
from layers.publication import InternalRefused, computing_bundle, publish_result, publish_table
from layers.registry import REGISTRY
from layers.scenario import NewAccommodation, Scenario, Site
from layers.settings import load_settings
from layers.sources.user_files import import_file
from layers.spatial.basis import Basis
from layers.spec import INTERNAL
from tests.dashboard.test_modes import DEFAULTS, callback_body

INTERNAL_LAYERS = [lid for lid, spec in REGISTRY.items() if spec.sensitivity == INTERNAL]
PLANNER_ONLY = ("/api/v1/accommodation/areas", "/api/v1/accommodation/change", "/api/v1/accommodation/screening?suggest=2",
                "/api/v1/housing/evenness")


def _settings(settings, mode: str, tmp_path):
    return load_settings(bundle_dir=str(settings.path("bundle_dir")), mode=mode, access_log=False, rate_limit_api="",
                         rate_limit_downloads="", rate_limit_callbacks="", cache_type="NullCache", answer_cache=False,
                         cell_key_secret_file=str(tmp_path / "secret"))


SITES_FILE = "laf_standorte_vertraulich.csv"
STOCK_FILE = "wohnungsbestand_vertraulich.csv"


@pytest.fixture(scope="module")
def folder(demo_bundle, tmp_path_factory):
    """The demo city with a site list and a housing stock imported as an authority would (files named, rows counted)."""
    tmp = tmp_path_factory.mktemp("accommodation-portal")
    target = shutil.copytree(demo_bundle.folder, tmp / "demo-imported")
    units = demo_bundle.units_of(demo_bundle.finest_level.id)
    points = units.geometry.representative_point()
    rows = [f"STANDORTGEHEIM{i},gemeinschaftsunterkunft,Haus Lindenweg {i},{100 + i},{90 + i},2020-0{i + 1}-01,{p.x:.6f},{p.y:.6f},Betreiber Vertraulich"
            for i, p in enumerate(points.iloc[:3])]
    (tmp / SITES_FILE).write_text("site_id,type,name,capacity,occupancy,opened,lon,lat,provider\n" + "\n".join(rows) + "\n", encoding="utf-8")
    import_file(target, "accommodation", tmp / SITES_FILE)
    (tmp / STOCK_FILE).write_text("unit_id,period,dwellings,social_dwellings,rent_eur_m2\n" +
                                  "\n".join(f"{u},2024-12-31,{800 + i},{123 + i},7.77" for i, u in enumerate(units.index)) + "\n",
                                  encoding="utf-8")
    import_file(target, "housing", tmp / STOCK_FILE)
    return target


@pytest.fixture(scope="module")
def apps(folder, settings, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("accommodation-portal-apps")
    return {mode: create_app(_settings(settings, mode, tmp), folder) for mode in ("portal", "planner")}


@pytest.fixture(scope="module")
def secrets_of(folder) -> list[bytes]:
    """Strings that only internal data carry: site ids, names and operators, the imported files' names, layer ids, the
    topic's words."""
    sites = gpd.read_parquet(folder / "accommodation.parquet")
    assert all(len(i) >= 6 for i in sites["site_id"])  # ids long enough not to turn up in a page by chance
    words = [*sites["site_id"], *sites["name"], "Betreiber Vertraulich", SITES_FILE, STOCK_FILE, "laf_standorte", "wohnungsbestand",
             *INTERNAL_LAYERS, "Unterkunft", "accommodation", "social_dwellings", "rent_eur_m2"]
    return [w.encode() for w in words]


def _filled(rule: str, bundle) -> list[str]:
    unit = bundle.units_of(bundle.finest_level.id).index[0]
    fill = {"layer_id": "migration_share", "basis_key": bundle.finest_level.id, "unit_id": unit, "area_id": unit, "uid": unit,
            "collection_id": f"migration_share.{bundle.finest_level.id}", "feature_id": unit, "slug": "x", "name": "x",
            "scenario_id": "x", "token": "x", "path": "x"}
    base = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: fill.get(m.group(1), "x"), rule)
    urls = [base, f"{base}?format=csv", f"{base}?format=geojson"]
    urls += [f"{base}?layer={lid}" for lid in INTERNAL_LAYERS]
    urls += [re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: lid if m.group(1) == "layer_id" else
                    f"{lid}.{bundle.finest_level.id}" if m.group(1) == "collection_id" else fill.get(m.group(1), "x"), rule)
             for lid in INTERNAL_LAYERS if "<layer_id>" in rule or "<collection_id>" in rule]
    return urls


def test_no_portal_route_carries_accommodation_or_housing(apps, demo_bundle, secrets_of):
    assert any(w in apps["planner"].server.test_client().get("/").data for w in (SITES_FILE.encode(),))  # planners see the import
    app = apps["portal"]
    client = app.server.test_client()
    rules = sorted({r.rule for r in app.server.url_map.iter_rules() if "GET" in r.methods and not r.rule.startswith(("/assets/", "/static/"))
                    and not r.rule.startswith("/_dash-component-suites/")})
    assert "/ogc/collections/<collection_id>/items" in rules and "/api/v1/layers/<layer_id>" in rules
    assert not any(r.startswith(("/api/v1/accommodation", "/api/v1/housing")) for r in rules)
    checked = 0
    for rule in rules:
        for url in _filled(rule, demo_bundle):
            resp = client.get(url)
            checked += 1
            leaked = [w for w in secrets_of if w in resp.data and w.decode() not in url]  # an echo of the request is no leak
            assert not leaked, (url, resp.status_code, leaked)
            if any(f"={lid}" in url or f"/{lid}" in url for lid in INTERNAL_LAYERS):
                assert resp.status_code == 404, (url, resp.status_code)
    assert checked > 100
    for url in PLANNER_ONLY:
        assert client.get(url).status_code == 404, url


def test_no_portal_callback_carries_accommodation_or_housing(apps, demo_bundle, secrets_of):
    app = apps["portal"]
    client = app.server.test_client()
    assert not any("accommodation" in key for key in app.callback_map)  # the section is not built in the portal
    answered = 0
    for key in app.callback_map:
        for layer in ("migration_share", *INTERNAL_LAYERS):
            body = callback_body(app, key, {("controls-layer", "value"): layer}, "controls-layer.value")
            resp = client.post("/_dash-update-component", json=body)
            answered += resp.status_code == 200
            leaked = [w for w in secrets_of if w in resp.data]
            assert not leaked, (key, layer, leaked)
            if layer != "migration_share" and any(d["id"] == "controls-layer" for d in app.callback_map[key]["inputs"]):
                assert resp.status_code == 404, (key, layer)
    assert answered > 10
    # a request naming a component of the planner's accommodation section is refused, whatever its callback
    forged = {"output": "accommodation-screening.children", "outputs": {"id": "accommodation-screening", "property": "children"},
              "inputs": [{"id": "accommodation-candidates", "property": "data", "value": [{"lon": 13.0, "lat": 52.0}]}],
              "changedPropIds": ["accommodation-candidates.data"]}
    assert client.post("/_dash-update-component", json=forged).status_code in (404, 400)
    # a scenario store holding an accommodation site, sent to every portal callback that reads the scenario
    lon, lat = (float(v) for v in demo_bundle.units.geometry.iloc[-1].representative_point().coords[0])
    store = Scenario("x", (NewAccommodation(Site("point", lon, lat), 300),)).to_dict()
    readers = [k for k, spec in app.callback_map.items() if any(d["id"] == ids.SCENARIO for d in spec["inputs"] + spec["state"])]
    assert readers
    for key in readers:
        body = callback_body(app, key, {(ids.SCENARIO, "data"): store, ("controls-layer", "value"): "migration_share"},
                             f"{ids.SCENARIO}.data")
        resp = client.post("/_dash-update-component", json=body)
        assert resp.status_code == 404, (key, resp.status_code)
    assert DEFAULTS  # the callback bodies come from test_modes' defaults


def test_the_planner_gets_the_same_data(apps, secrets_of):
    client = apps["planner"].server.test_client()
    for url in PLANNER_ONLY:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.data[:300])
        assert "table:" in resp.headers["X-Quartiersatlas-Published-Names"]
    layers = client.get("/api/v1/layers").data
    assert all(lid.encode() in layers for lid in INTERNAL_LAYERS)
    areas = client.get("/api/v1/accommodation/areas?format=csv").data.decode()
    assert "places_per_1000" in areas.splitlines()[0]
    assert client.get("/api/v1/layers/accommodation_places?level=block").status_code == 200


def test_the_exit_refuses_internal_layers_and_tables_in_the_portal(demo_bundle, folder, settings, tmp_path):
    portal = _settings(settings, "portal", tmp_path)
    spec = REGISTRY["accommodation_places"]
    published = computing_bundle(Bundle(folder), portal)
    assert not any(s.key.startswith(("import_accommodation", "import_housing")) for s in published.manifest.sources)
    assert "accommodation" not in published.manifest.tables
    assert not published.has("accommodation") and not published.has("housing")
    with pytest.raises(KeyError, match="internal"):
        published.table("accommodation")
    result = spec.compute(demo_bundle, Basis(level=demo_bundle.levels[0].id), demo_bundle.periods[-1])
    with pytest.raises(InternalRefused):
        publish_result(published, portal, spec, result, lambda *a: result)
    with pytest.raises(InternalRefused):
        publish_table(pd.DataFrame({"places": [1.0]}), ACCOMMODATION_AREAS, portal)


def test_a_bundle_without_sites_or_stock_says_so(settings, tmp_path):
    from layers.bundle import write_bundle
    from tests.tiny import tiny_build

    folder = write_bundle(tiny_build(), tmp_path / "tiny", log=lambda *_: None)
    client = create_app(_settings(settings, "planner", tmp_path), folder).server.test_client()
    for url, error in (("/api/v1/accommodation/areas", "no accommodation sites"), ("/api/v1/housing/evenness", "no housing stock")):
        resp = client.get(url)
        assert resp.status_code == 404 and resp.get_json()["error"] == error and resp.get_json()["note"], url
    values = client.get("/api/v1/layers/accommodation_places?level=block").get_json()["values"]
    assert values and all(v["value"] is None for v in values)  # no sites: no value, never 0
