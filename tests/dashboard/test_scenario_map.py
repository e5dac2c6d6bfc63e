"""The scenario through the core views: the map shows baseline, scenario or difference; the link carries the scenario;
the portal never runs one (real Berlin, Dash's real endpoint)."""


import numpy as np
import orjson
import pytest

from bench.run import _payload, _views_payload
from dashboard import ids
from dashboard.app import create_app
from dashboard.figures import SCENARIO_TRACE, VALUES_TRACE
from dashboard.state import parse_query, to_query
from layers.scenario import Housing, Scenario, Site
from layers.settings import load_settings
from tests.arrays import decode

SITE_UNIT = "08100104"  # a Planungsraum in Neukölln
SCENARIO = Scenario("Neubau", (Housing(Site("unit", id=SITE_UNIT), 200, persons_per_dwelling=2.0),))


def z_of(trace: dict) -> np.ndarray:
    return decode(trace["z"])


@pytest.fixture(scope="module")
def client(settings, berlin_bundle):
    return create_app(settings, berlin_bundle.folder).server.test_client()


def post(client, view: str, scenario: dict | None, layer: str = "migration_count"):
    body = _payload(layer, "mig_bg", "planungsraum", 7, "2021-06-30", f"{ids.BASIS}.value", scenario=scenario, view=view)
    return client.post("/_dash-update-component", json=body)


def draw(client, view: str, scenario: dict | None, layer: str = "migration_count") -> dict:
    resp = post(client, view, scenario, layer)
    assert resp.status_code == 200, resp.data[:300]
    return orjson.loads(resp.data)["response"]


def test_map_shows_baseline_scenario_and_difference(client):
    shown = {view: draw(client, view, SCENARIO.to_dict()) for view in ("baseline", "scenario", "difference")}
    none = draw(client, "scenario", None)
    traces = {view: r[ids.MAP]["figure"]["data"] for view, r in shown.items()}
    where = traces["baseline"][VALUES_TRACE]["locations"].index(SITE_UNIT)
    base, scen, diff = (z_of(traces[v][VALUES_TRACE]) for v in ("baseline", "scenario", "difference"))
    np.testing.assert_array_equal(base, z_of(none[ids.MAP]["figure"]["data"][VALUES_TRACE]))
    # 400 new residents; the group's part follows the reference area's mix, so it lies strictly between 0 and 400
    assert 0 < diff[where] < 400
    assert diff[where] == pytest.approx(scen[where] - base[where], abs=0.01)
    others = np.delete(diff, where)
    assert np.nanmax(np.abs(others)) == 0
    label = traces["scenario"][SCENARIO_TRACE]["text"]
    assert len(label) == 1 and label[0].startswith("1. ") and "200" in label[0]
    assert none[ids.MAP]["figure"]["data"][SCENARIO_TRACE]["lon"] == []
    legend = str(shown["difference"][ids.LEGEND]["children"])
    assert "Szenario − Bestand" in legend


def test_cards_follow_the_scenario_view(client):
    def card_text(view):
        body = _views_payload("migration_count", "planungsraum", 7, "2021-06-30", f"{ids.SELECTION}.data", None, [SITE_UNIT],
                              scenario=SCENARIO.to_dict(), view=view)
        resp = client.post("/_dash-update-component", json=body)
        assert resp.status_code == 200
        return str(orjson.loads(resp.data)["response"][ids.CARDS]["children"])

    assert card_text("baseline") != card_text("scenario")


def test_link_round_trips_the_scenario(settings, berlin_bundle):
    state = parse_query(f"?layer=migration_share&scenario={SCENARIO.to_url_param()}&view=difference", berlin_bundle, settings)
    assert state.notices == () and state.view == "difference"
    assert Scenario.from_url_param(state.scenario) == SCENARIO
    again = parse_query(to_query(state, berlin_bundle, settings), berlin_bundle, settings)
    assert again == state


def test_bad_scenario_link_gives_a_notice_and_the_baseline(settings, berlin_bundle):
    outside = Scenario("x", (Housing(Site("point", 11.0, 50.0), 200),)).to_url_param()
    state = parse_query(f"?scenario={outside}", berlin_bundle, settings)
    assert state.scenario is None and any(n.startswith("scenario") for n in state.notices)
    state = parse_query("?scenario=not-a-scenario", berlin_bundle, settings)
    assert state.scenario is None and state.notices


def test_portal_ignores_scenarios(settings, berlin_bundle, tmp_path):
    portal = load_settings(environ={}, bundle_dir=str(settings.bundle_dir), mode="portal")
    state = parse_query(f"?scenario={SCENARIO.to_url_param()}", berlin_bundle, portal)
    assert state.scenario is None and "scenario" in state.notices
    client = create_app(portal, berlin_bundle.folder).server.test_client()
    baseline = draw(client, "scenario", None)[ids.MAP]["figure"]["data"][VALUES_TRACE]
    resp = post(client, "scenario", SCENARIO.to_dict())
    # a scenario posted to the portal is refused outright (scenario tools are internal); were it answered, only the baseline
    assert resp.status_code == 404 or np.array_equal(z_of(orjson.loads(resp.data)["response"][ids.MAP]["figure"]["data"][VALUES_TRACE]),
                                                     z_of(baseline), equal_nan=True)


def test_difference_colours_span_the_changed_areas_not_the_unchanged_rest():
    from dashboard.figures import colour_range

    few_changed = np.concatenate([np.zeros(500), 1e-13 * np.ones(50), [0.5, -0.2, 0.1]])
    assert colour_range(few_changed, 0.0) == {"zmin": -0.5, "zmax": 0.5}
    assert colour_range(np.concatenate([np.zeros(100), [1e-14, -1e-15]]), 0.0) == {"zmin": -1.0, "zmax": 1.0}
    many = np.linspace(-2, 2, 401)
    assert colour_range(many, 0.0)["zmax"] == pytest.approx(np.percentile(np.abs(many[many != 0]), 98))


def _link(legend: dict, link_id: str) -> str:
    """href of the legend's link with that id."""
    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("id") == link_id:
                return props["href"]
            return walk(props.get("children"))
        if isinstance(node, list):
            return next((h for h in map(walk, node) if h), None)
        return None
    return walk(legend["children"])


@pytest.mark.parametrize("view", ["scenario", "difference"])
def test_downloads_follow_the_scenario_view(client, view):
    """CSV, JSON and GeoJSON links of the legend export what the map shows, not the baseline."""
    legend = draw(client, view, SCENARIO.to_dict())[ids.LEGEND]
    shown = z_of(draw(client, view, SCENARIO.to_dict())[ids.MAP]["figure"]["data"][VALUES_TRACE])
    base_link = _link(draw(client, "baseline", SCENARIO.to_dict())[ids.LEGEND], "map-download-json")
    assert "scenario=" not in base_link
    link = _link(legend, "map-download-json")
    assert f"view={view}" in link and f"scenario={SCENARIO.to_url_param()}" in link
    answer = orjson.loads(client.get("/" + link).data)
    assert answer["view"] == view
    by_id = {r["id"]: r["value"] for r in answer["values"]}
    locations = draw(client, view, SCENARIO.to_dict())[ids.MAP]["figure"]["data"][VALUES_TRACE]["locations"]
    assert by_id[SITE_UNIT] == pytest.approx(shown[locations.index(SITE_UNIT)], abs=0.01)
    baseline = {r["id"]: r["value"] for r in orjson.loads(client.get("/" + base_link).data)["values"]}
    assert by_id[SITE_UNIT] != pytest.approx(baseline[SITE_UNIT], abs=0.01)
    csv = client.get("/" + _link(legend, "map-download-csv")).data.decode()
    assert csv.splitlines()[0].startswith("id,") and f",{view}," in csv.splitlines()[1]
    geo = orjson.loads(client.get("/" + _link(legend, "map-download-geojson")).data)
    assert {f["properties"].get("scenario_view") for f in geo["features"]} == {view}


def test_api_refuses_a_broken_scenario(client):
    resp = client.get("/api/v1/layers/migration_count?scenario=xyz&view=scenario")
    assert resp.status_code == 400 and orjson.loads(resp.data)["parameter"] == "scenario"
    resp = client.get(f"/api/v1/layers/migration_count?scenario={SCENARIO.to_url_param()}&view=sideways")
    assert resp.status_code == 400 and orjson.loads(resp.data)["parameter"] == "view"


def test_portal_api_refuses_scenarios(settings, berlin_bundle):
    """The portal runs no scenario: a valid scenario parameter is refused, not silently answered with the baseline."""
    portal = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", access_log=False, cache_type="NullCache")
    client = create_app(portal, berlin_bundle.folder).server.test_client()
    resp = client.get(f"/api/v1/layers/migration_share?scenario={SCENARIO.to_url_param()}&view=scenario")
    assert resp.status_code == 400 and orjson.loads(resp.data)["parameter"] == "scenario"
