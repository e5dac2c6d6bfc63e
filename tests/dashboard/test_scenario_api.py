"""Scenario API: saved scenarios, effects and compare equal `layers.scenario`, bad input gives 400 and saves nothing, portal 404."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dashboard.app import create_app
from layers.query import check_query
from layers.scenario import Housing, NewFacility, Scenario, Site, compare_layer, scenario_effects, suggest_sites
from layers.scenario.suggest import covered_need


def _site(bundle, unit_id: str) -> Site:
    level = bundle.units.set_index("unit_id").loc[unit_id, "level"]
    p = bundle.units_of(level).loc[unit_id, "geometry"].representative_point()
    return Site("point", float(p.x), float(p.y))


@pytest.fixture(scope="module")
def planner(settings, demo_bundle, tmp_path_factory):
    s = replace(settings, values={**settings.values, "scenario_dir": str(tmp_path_factory.mktemp("scenarios"))})
    return s, create_app(s, demo_bundle.folder).server.test_client()


@pytest.fixture(scope="module")
def unit(demo_bundle) -> str:
    f = demo_bundle.counts(__import__("layers.spatial.basis", fromlist=["Basis"]).Basis(level="block"), demo_bundle.periods[-1]).frame
    return str(f.index[f["pop_total"] >= 600][0])


def test_save_list_load_delete(planner, demo_bundle, unit):
    settings, client = planner
    s = Scenario("Kiez Nord", (Housing(_site(demo_bundle, unit), 200, 2.0), NewFacility(_site(demo_bundle, unit), "meeting_place", 30)))
    r = client.post("/api/v1/scenarios", json=s.to_dict())
    assert r.status_code == 201 and r.get_json()["slug"] == "kiez-nord"
    assert [i["slug"] for i in client.get("/api/v1/scenarios").get_json()["scenarios"]] == ["kiez-nord"]
    got = client.get("/api/v1/scenarios/kiez-nord").get_json()
    assert Scenario.from_dict({"name": got["name"], "interventions": got["interventions"]}) == s
    assert Scenario.from_url_param(got["url_param"]) == s
    assert client.delete("/api/v1/scenarios/kiez-nord").status_code == 200
    assert client.get("/api/v1/scenarios/kiez-nord").status_code == 404


def test_bad_input_is_400_and_nothing_is_saved(planner, demo_bundle, unit):
    settings, client = planner
    body = Scenario("Zu viel", (Housing(_site(demo_bundle, unit), 20), Housing(_site(demo_bundle, unit), 99_999))).to_dict()
    r = client.post("/api/v1/scenarios", json=body)
    assert r.status_code == 400
    err = r.get_json()
    assert "intervention 2 (housing), field 'dwellings'" in err["error"] and err["field"] == "dwellings" and err["intervention"] == 2
    outside = Scenario("Draußen", (Housing(Site("point", 0.0, 0.0), 20),)).to_dict()
    assert "outside the city" in client.post("/api/v1/scenarios", json=outside).get_json()["error"]
    ufo = {"kind": "facility", "site": {"kind": "point", "lon": 13.0, "lat": 52.0}, "facility_type": "ufo", "capacity": 1}
    r = client.post("/api/v1/scenarios", json={"name": "x", "interventions": [ufo]})
    assert r.status_code == 400 and "unknown facility type 'ufo'" in r.get_json()["error"]
    assert client.post("/api/v1/scenarios", data="{not json", content_type="application/json").status_code == 400
    assert client.get("/api/v1/scenarios").get_json()["scenarios"] == []


def test_effects_equal_layers(planner, demo_bundle, unit):
    settings, client = planner
    s = Scenario("", (Housing(_site(demo_bundle, unit), 200, 2.0),))
    body = client.post("/api/v1/scenarios/effects", json={"scenario": s.to_dict()}).get_json()
    expected = scenario_effects(demo_bundle, settings, s).to_frame()
    rows = {(r["key"], r["scope_id"]): r for r in body["rows"]}
    assert len(rows) == len(expected)
    for _, e in expected.iterrows():
        r = rows[(e["key"], e["scope_id"])]
        for col in ("baseline", "scenario", "low", "high"):
            got = float("nan") if r[col] is None else r[col]
            assert got == pytest.approx(e[col], nan_ok=True), (e["key"], col)
    assert rows[("residents", unit)]["difference"] == pytest.approx(400.0)
    assert rows[("kita_demand", unit)]["difference"] > 0
    assert body["assumptions"] and "Szenario (Annahme)" in body["rows"][0]["source"]
    csv = client.post("/api/v1/scenarios/effects", json={"scenario": s.to_url_param(), "format": "csv"})
    assert csv.status_code == 200 and csv.data.decode().startswith("key,title_de")


def test_compare_equals_compare_layer(planner, demo_bundle, unit):
    settings, client = planner
    s = Scenario("", (Housing(_site(demo_bundle, unit), 200, 2.0),))
    body = client.post("/api/v1/scenarios/compare", json={"scenario": s.to_dict(), "layer": "migration_count", "basis": "block"}).get_json()
    c = compare_layer(demo_bundle, settings, check_query(demo_bundle, settings, "migration_count", "block", None), s)
    by_id = {r["id"]: r for r in body["values"]}
    assert by_id[unit]["difference"] == pytest.approx(float(c.difference.values.loc[unit, "value"]))
    assert body["n_changed"] == 1 and by_id[unit]["low"] < by_id[unit]["scenario"] < by_id[unit]["high"]
    r = client.post("/api/v1/scenarios/compare", json={"scenario": s.to_dict(), "layer": "no_such_layer"})
    assert r.status_code == 400 and r.get_json()["parameter"] == "layer"


def test_suggest_equals_layers_and_rejects_bad_parameters(planner, demo_bundle):
    settings, client = planner
    body = client.get("/api/v1/scenarios/suggest?type=kita&k=3&res=9").get_json()
    expected = suggest_sites(demo_bundle, settings, "kita", 3, res=9)
    assert [p["cell"] for p in body["proposals"]] == [p.cell for p in expected]
    assert body["proposals"][0]["gain_need"] == pytest.approx(expected[0].gain_need, abs=0.005)
    assert client.get("/api/v1/scenarios/suggest?type=ufo").get_json()["parameter"] == "type"
    assert client.get("/api/v1/scenarios/suggest?k=0").get_json()["parameter"] == "k"
    assert client.get("/api/v1/scenarios/suggest?weights=%7B%22shoe_size%22%3A1%7D").get_json()["parameter"] == "weights"
    post = client.post("/api/v1/scenarios/suggest", json={"type": "kita", "k": 3, "weights": {"children_under_6": 1.0}}).get_json()
    assert [p["cell"] for p in post["proposals"]] == [p.cell for p in suggest_sites(demo_bundle, settings, "kita", 3, {"children_under_6": 1.0})]
    assert covered_need(demo_bundle, settings, "kita", [p["cell"] for p in post["proposals"]], {"children_under_6": 1.0}) > 0


def test_portal_answers_404(settings, demo_bundle):
    portal = replace(settings, values={**settings.values, "mode": "portal"})
    client = create_app(portal, demo_bundle.folder).server.test_client()
    assert client.get("/api/v1/scenarios").status_code == 404
    assert client.post("/api/v1/scenarios/effects", json={"scenario": {"interventions": []}}).status_code in (404, 405)
