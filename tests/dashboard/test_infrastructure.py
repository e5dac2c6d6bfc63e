"""The infrastructure section: its API (same numbers as the panel), the overlay and facility callbacks through Dash's endpoint."""

from __future__ import annotations

import orjson
import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.figures import FACILITY_TRACE, FUNDING_LAYER, PROTECTION_LAYER
from dashboard.sections import infrastructure as section
from dashboard.sections.common import redrawn_id
from layers.bundle import write_bundle
from layers.settings import load_settings
from tests.layers.infrastructure_tiny import tiny_infra_build


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_bundle(tiny_infra_build(), tmp_path_factory.mktemp("tiny-infra-app") / "tiny-infra", log=lambda *_: None)


@pytest.fixture(scope="module")
def app(settings, folder):
    return create_app(settings, folder)


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


def _callback(app, client, output_part: str, first_input: str, inputs: list[dict]) -> dict:
    """POST one callback (found by an output and its first input) to Dash's endpoint, as the browser does."""
    keys = [k for k, cb in app.callback_map.items() if output_part in k and cb["inputs"][0]["id"] == first_input]
    assert len(keys) == 1, keys
    key = keys[0]
    outputs = [{"id": o.split(".")[0], "property": o.split(".", 1)[1]} for o in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs, "state": [],
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.data[:500]
    return orjson.loads(resp.data)["response"]


def test_api_access_matches_layer_numbers(client):
    body = orjson.loads(client.get("/api/v1/infrastructure/access?unit=A").data)
    kita = next(r for r in body["rows"] if r["type"] == "kita")
    assert kita["covered_pct"] == pytest.approx(25.0) and kita["facilities"] == 1 and kita["capacity"] == 50
    assert kita["unserved_need"] == pytest.approx(42.0)
    csv = client.get("/api/v1/infrastructure/access?unit=A&format=csv")
    assert csv.mimetype == "text/csv" and csv.data.decode().splitlines()[0].startswith("type,coverage_m")
    bad = client.get("/api/v1/infrastructure/access?unit=ZZ")
    assert bad.status_code == 400 and orjson.loads(bad.data)["parameter"] == "unit"
    assert client.get("/api/v1/infrastructure/access?format=xml").status_code == 400


def test_api_facilities_space_use_and_funding(client):
    fc = orjson.loads(client.get("/api/v1/infrastructure/facilities?type=kita&format=geojson").data)
    assert [f["properties"]["name"] for f in fc["features"]] == ["Kita Eins"]
    assert client.get("/api/v1/infrastructure/facilities?type=zoo").status_code == 400
    supply = orjson.loads(client.get("/api/v1/public-space/supply?unit=A").data)
    assert supply["green_m2_per_resident"] == pytest.approx(4.5) and supply["play_m2_per_resident"] == pytest.approx(90 / 400)
    use = orjson.loads(client.get("/api/v1/public-space/use?space_id=park1").data)
    assert [r["count"] for r in use["rows"]] == [120, 80, 95]
    areas = orjson.loads(client.get("/api/v1/funding/areas").data)
    assert areas["features"][0]["properties"]["programme"] == "Quartiersmanagement"
    gap = orjson.loads(client.get("/api/v1/funding/gap?within=A").data)
    assert [(r["unit_id"], r["gap"]) for r in gap["rows"]] == [("A2", "need_without_funding")]
    profile = orjson.loads(client.get("/api/v1/funding/profile?unit=A").data)
    assert profile["units_need_not_funded"] == 1 and profile["funding_areas"] == ["QM Nord"]


def test_portal_hides_small_areas(tmp_path_factory, folder):
    portal = load_settings(bundle_dir=str(tmp_path_factory.mktemp("portal")), mode="portal", min_residents=500)
    c = create_app(portal, folder).server.test_client()
    rows = orjson.loads(c.get("/api/v1/infrastructure/access?unit=A").data)["rows"]  # 400 residents < 500
    assert all(r["covered_pct"] is None and r["residents"] is None for r in rows)
    assert orjson.loads(c.get("/api/v1/public-space/supply?unit=A").data)["green_m2_per_resident"] is None


def test_overlay_callback_patches_funding_layer(app, client):
    response = _callback(app, client, f"{ids.MAP}.figure@", ids.OVERLAYS, [{"id": ids.OVERLAYS, "property": "value", "value": ["funding"]},
                                                         {"id": redrawn_id("funding"), "property": "data", "value": {"basis": "block", "full": False}}])
    ops = {tuple(op["location"]): op["params"]["value"] for op in response[ids.MAP]["figure"]["operations"]}
    assert ops[("layout", "map", "layers", FUNDING_LAYER, "visible")] is True
    assert ops[("layout", "map", "layers", FUNDING_LAYER, "source")] == section.FUNDING_URL + "?instrument=funding"
    # protection instruments (soziale Erhaltungsgebiete) are drawn apart, dashed: they are no funding (issue 20)
    assert ops[("layout", "map", "layers", PROTECTION_LAYER, "source")] == section.FUNDING_URL + "?instrument=protection"
    assert ops[("layout", "map", "layers", PROTECTION_LAYER, "visible")] is True
    both = orjson.loads(client.get("/api/v1/funding/areas").data)["features"]
    funding = orjson.loads(client.get("/api/v1/funding/areas?instrument=funding").data)["features"]
    protection = orjson.loads(client.get("/api/v1/funding/areas?instrument=protection").data)["features"]
    assert len(funding) + len(protection) == len(both) and all(f["properties"]["instrument"] == "funding" for f in funding)
    assert client.get("/api/v1/funding/areas?instrument=other").status_code == 400


def test_views_callback_profiles_an_area(app, client):
    response = _callback(app, client, f"{section.ACCESS}.children", ids.SECTION_TABS, [
        {"id": ids.SECTION_TABS, "property": "active_tab", "value": "infrastructure"}, {"id": section.AREA, "property": "value", "value": "A"},
        {"id": ids.DISTRICT, "property": "value", "value": None},
        {"id": ids.PERIOD, "property": "value", "value": 1}, {"id": ids.LANGUAGE, "property": "value", "value": "de"}])
    text = orjson.dumps(response).decode()
    assert "Kita" in text and "25" in text and "QM Nord" in text and "Bedarf, ohne Förderung" in text


def test_facility_points_hover(folder):
    from layers.bundle import load_bundle

    patch = section.facility_patch(load_bundle(folder), ["kita"], "de")
    ops = {tuple(op["location"]): op["params"]["value"] for op in patch.to_plotly_json()["operations"]}
    assert ops[("data", FACILITY_TRACE, "customdata")] == ["kita1"]
    assert ops[("data", FACILITY_TRACE, "text")] == ["<b>Kita Eins</b><br>Kita<br>Plätze: 50<br>Träger: Träger X"]
