"""One exit: every route that answers with figures passed them through `layers.publication` (publish_result or
publish_table), in the portal and for planners; every declared side table is published by some route.

Routes are enumerated from the app's URL map, so a route added later without the publication step fails here."""

from __future__ import annotations

import re

import pytest

from bench.run import _payload, _views_payload
from dashboard import ids
from dashboard.app import create_app
from layers.settings import load_settings
from layers.topics import TABLES

# Routes whose answers carry no figure about people: metadata, geometry, the page shell, Dash's own plumbing.
NO_FIGURES = {
    "/": "page shell (figures come through callbacks)",
    "/api/v1/layers": "layer metadata",
    "/geo/<basis_key>.json": "geometry of units and cells",
    "/api/v1/funding/areas": "funding-area polygons (programme, years, budget)",
    "/_dash-layout": "Dash layout", "/_dash-dependencies": "Dash callback graph", "/_reload-hash": "Dash hot reload",
    "/_favicon.ico": "icon", "/_alive_<token>": "Dash health check",
    "/<path:path>": "Dash's page shell for any other path", "/area": "area search form (names only)",
    "/api/v1/scenarios": "names of saved scenarios (planner only)",
    "/impressum": "legal page (the operator's text)", "/datenschutz": "legal page (privacy)",
    "/barrierefreiheit": "legal page (accessibility statement)", "/methods": "docs/methods.md (formulas, no data)",
    "/ogc/": "OGC API landing page (links)", "/ogc/conformance": "OGC conformance classes", "/ogc/api": "OGC API definition",
    "/ogc/collections": "collection metadata (ids, titles, extents)",
    "/ogc/collections/<collection_id>": "one collection's metadata",
    "/api/v1/openapi.json": "API description", "/api/v1/catalog": "DCAT-AP.de catalogue (titles, links, licences)",
}
SKIP_PREFIXES = ("/assets/", "/_dash-component-suites/", "/static/")
DATA_TYPES = ("application/json", "application/geo+json", "text/csv", "text/html")


def _fill(rule: str, bundle) -> str:
    unit = bundle.units_of(bundle.finest_level.id).index[0]
    values = {"layer_id": "migration_share", "basis_key": bundle.finest_level.id, "unit_id": unit, "area_id": unit, "uid": unit,
              "scenario_id": "none", "name": "none", "collection_id": f"migration_share.{bundle.finest_level.id}", "feature_id": unit}
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: values.get(m.group(1), "x"), rule)


def _get_routes(app) -> list[str]:
    rules = []
    for rule in app.server.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(SKIP_PREFIXES) or rule.rule in NO_FIGURES:
            continue
        rules.append(rule.rule)
    return sorted(set(rules))


@pytest.fixture(scope="module", params=["portal", "planner"])
def app_and_bundle(request, demo_bundle, settings, tmp_path_factory):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode=request.param, rate_limit_api="", rate_limit_downloads="",
                      access_log=False, cell_key_secret_file=str(tmp_path_factory.mktemp("secret") / "s"), cache_type="NullCache")
    return create_app(s, demo_bundle.folder), demo_bundle, request.param


def test_every_route_with_figures_passed_the_publication_step(app_and_bundle):
    app, bundle, mode = app_and_bundle
    client = app.server.test_client()
    checked, unpublished = [], []
    for rule in _get_routes(app):
        url = _fill(rule, bundle)
        resp = client.get(url)
        if resp.status_code != 200 or not resp.mimetype.startswith(DATA_TYPES):
            continue
        checked.append(rule)
        if int(resp.headers.get("X-Quartiersatlas-Published", "0")) < 1:
            unpublished.append(url)
    assert len(checked) >= 12, checked
    assert not unpublished, f"{mode}: these routes answer with figures that did not pass layers.publication: {unpublished}"


def test_map_and_linked_views_callbacks_publish(app_and_bundle):
    app, bundle, _ = app_and_bundle
    client = app.server.test_client()
    last, first = len(bundle.periods) - 1, bundle.periods[0]
    for body in (_payload("migration_share", "mig_bg", "h3_9", last, first, f"{ids.BASIS}.value"),
                 _views_payload("migration_share", bundle.finest_level.id, last, first, f"{ids.MAP_FRAMED}.data", None, [])):
        resp = client.post("/_dash-update-component", json=body)
        assert resp.status_code == 200, resp.data[:300]
        assert "layer:migration_share" in resp.headers["X-Quartiersatlas-Published-Names"]


def test_every_declared_table_is_published_by_a_route(demo_bundle, settings, tmp_path):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="planner", access_log=False, cache_type="NullCache")
    app = create_app(s, demo_bundle.folder)
    client = app.server.test_client()
    unit = demo_bundle.units_of(demo_bundle.finest_level.id).index[0]
    seen: set[str] = set()
    urls = [_fill(r, demo_bundle) for r in _get_routes(app)]
    urls += [f"/api/v1/education/serving?level={demo_bundle.finest_level.id}&id={unit}", "/api/v1/education/facilities?kind=kita",
             "/api/v1/accommodation/screening?suggest=2"]
    from layers.scenario import Housing, Scenario, Site

    p = demo_bundle.units_of(demo_bundle.finest_level.id).loc[unit, "geometry"].representative_point()
    scenario = Scenario("t", (Housing(Site("point", float(p.x), float(p.y)), 50),)).to_dict()
    resp = client.post("/api/v1/scenarios/effects", json={"scenario": scenario})
    assert resp.status_code == 200, resp.data[:300]
    seen |= {n.removeprefix("table:") for n in resp.headers["X-Quartiersatlas-Published-Names"].split(",")}
    resp = client.post("/api/v1/scenarios/compare", json={"scenario": scenario, "layer": "migration_share"})
    assert resp.status_code == 200, resp.data[:300]
    seen |= {n.removeprefix("table:") for n in resp.headers["X-Quartiersatlas-Published-Names"].split(",")}
    use = client.get("/api/v1/public-space/use").get_json() or {}
    if use.get("rows"):
        urls.append(f"/api/v1/public-space/use?space_id={use['rows'][0]['space_id']}")
    for url in urls:
        names = client.get(url).headers.get("X-Quartiersatlas-Published-Names", "")
        seen |= {n.removeprefix("table:") for n in names.split(",") if n.startswith("table:")}
    missing = [t.name for t in TABLES if t.name not in seen]
    assert not missing, f"declared tables no route publishes: {missing}"


def test_an_unpublished_result_is_refused():
    import pandas as pd

    from layers.publication import record
    from layers.spatial.basis import Basis
    from layers.spec import LayerResult

    raw = LayerResult("migration_share", pd.DataFrame({"value": [1.0]}), Basis(level="x"), "2024-12-31")
    with pytest.raises(ValueError, match="did not pass the publication step"):
        record(raw)


def test_portal_similar_areas_give_names_and_distances_only(demo_bundle, settings, tmp_path):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", access_log=False, cache_type="NullCache",
                      rate_limit_api="", cell_key_secret_file=str(tmp_path / "s"))
    client = create_app(s, demo_bundle.folder).server.test_client()
    unit = demo_bundle.units_of(demo_bundle.finest_level.id).index[0]
    body = client.get(f"/api/v1/areas/{unit}/similar?k=5").get_json()
    assert body["areas"] and all(set(a) <= {"unit_id", "name", "distance", "residents"} for a in body["areas"])
    assert all(a["residents"] is None or a["residents"] >= 50 for a in body["areas"])
    names = [a["name"] for a in body["areas"]]
    assert names == sorted(names, key=str.casefold)  # no ranking in the portal


def test_hidden_areas_carry_no_context_either(berlin_bundle, settings, tmp_path):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", access_log=False, cache_type="NullCache",
                      rate_limit_api="", cell_key_secret_file=str(tmp_path / "s"))
    client = create_app(s, berlin_bundle.folder).server.test_client()
    rows = client.get("/api/v1/layers/migration_share?res=9&group=origin_syria").get_json()["values"]
    hidden = [r for r in rows if r["suppressed"]]
    assert hidden and all(r["mss_unemployment_pct"] is None for r in hidden)
    assert any(r["mss_unemployment_pct"] is not None for r in rows if not r["suppressed"])


def test_portal_arrival_profile_follows_the_minimum_residents(berlin_bundle, settings, tmp_path):
    """The arrival profile of an area the map does not show (fewer residents than `min_residents`) is not given either."""
    def arrival(min_residents: int) -> dict:
        s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", access_log=False, cache_type="NullCache",
                          rate_limit_api="", cell_key_secret_file=str(tmp_path / "s"), min_residents=min_residents)
        client = create_app(s, berlin_bundle.folder).server.test_client()
        return client.get(f"/api/v1/areas/{unit}/similar?k=3").get_json()["arrival"]

    unit = berlin_bundle.units_of("planungsraum").index[0]
    assert arrival(50)["available"] and arrival(50)["values"]
    hidden = arrival(10_000_000)
    assert not hidden["available"] and hidden["values"] == {} and "nicht ausgewiesen" in hidden["note"]
