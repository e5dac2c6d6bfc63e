"""Education API and section callbacks through the real app: same numbers as the layers, portal rules for facility data."""

from __future__ import annotations

import orjson
import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.figures import FACILITY_TRACE, HIGHLIGHT_LAYER
from dashboard.sections import education as sec
from dashboard.sections.common import follows_id, redrawn_id
from layers.education import facility_segregation as fs
from layers.education.kita import kitas
from layers.education.params import EducationParams
from layers.settings import load_settings


@pytest.fixture(scope="module")
def berlin_app(settings, berlin_bundle):
    return create_app(settings, berlin_bundle.folder)


@pytest.fixture(scope="module")
def berlin(berlin_app):
    return berlin_app.server.test_client()


@pytest.fixture(scope="module")
def demo_app(settings, demo_bundle):
    return create_app(settings, demo_bundle.folder)


@pytest.fixture(scope="module")
def demo(demo_app):
    return demo_app.server.test_client()


def output_key(app, input_id: str, output: str) -> str:
    """The callback's output string (allow_duplicate outputs carry a hash suffix) for the callback with this input."""
    return next(key for key, cb in app.callback_map.items()
                if output in key and any(i["id"] == input_id for i in cb["inputs"]))


@pytest.fixture(scope="module")
def demo_portal(bundle_root, demo_bundle):
    return create_app(load_settings(bundle_dir=str(bundle_root), mode="portal"), demo_bundle.folder).server.test_client()


def callback(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]], state=(), changed: str | None = None,
             key: str | None = None):
    body = {
        "output": key or (".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".." if len(outputs) > 1 else f"{outputs[0][0]}.{outputs[0][1]}"),
        "outputs": [{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1 else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [changed or f"{inputs[0][0]}.{inputs[0][1]}"],
    }
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code in (200, 204), resp.data[:500]
    return orjson.loads(resp.data)["response"] if resp.status_code == 200 else {}


# --- API -----------------------------------------------------------------------------------------------------

def test_berlin_summary_places_and_no_compositions(berlin):
    body = berlin.get("/api/v1/education/summary").get_json()
    assert body["kita"]["places"] == 199_851 and body["kita"]["kitas"] == 2893
    assert body["kita"]["places_per_100"] == pytest.approx(100 * 199_851 / body["kita"]["demand"])
    assert body["facility_segregation"] == {} and "import facility_composition" in body["how_to_import"]
    assert "keine offenen Daten" in body["facility_segregation_note"]


def test_berlin_kitas_csv_and_json(berlin):
    rows = berlin.get("/api/v1/education/kitas").get_json()["rows"]
    assert len(rows) == 2893 and sum(r["places"] for r in rows) == 199_851
    csv = berlin.get("/api/v1/education/kitas?format=csv")
    assert csv.mimetype == "text/csv" and csv.data.decode().splitlines()[0].startswith("facility_id,name")


def test_berlin_catchments_and_serving(berlin):
    rows = berlin.get("/api/v1/education/catchments").get_json()["rows"]
    assert len(rows) == 346 and sum(r["schools"] for r in rows) == 376
    body = berlin.get("/api/v1/education/serving?level=bezirksregion&id=011001").get_json()
    assert body["rows"] and all(r["dist_m"] <= body["radius_m"] for r in body["rows"])


def test_bad_parameters_are_400_naming_the_parameter(berlin):
    for url, param in (("/api/v1/education/kitas?format=xml", "format"), ("/api/v1/education/summary?period=2020-01-01", "period"),
                       ("/api/v1/education/serving?level=bezirk&id=99", "id"), ("/api/v1/education/facilities?kind=gym", "kind")):
        resp = berlin.get(url)
        assert resp.status_code == 400 and resp.get_json()["parameter"] == param, url


def test_demo_facilities_equal_the_layer_function(demo, demo_bundle):
    body = demo.get("/api/v1/education/facilities?kind=primary_school").get_json()
    expected = fs.facility_table(demo_bundle, demo_bundle.periods[-1], EducationParams(), "primary_school")
    got = {r["facility_id"]: r["deviation_pp"] for r in body["rows"]}
    assert got == pytest.approx(expected["deviation_pp"].to_dict())
    assert body["summary"]["choice_adds"] == pytest.approx(fs.city_summary(demo_bundle, demo_bundle.periods[-1], EducationParams())
                                                           ["primary_school"]["choice_adds"])


def test_portal_hides_facility_compositions(demo_portal, bundle_root, demo_bundle):
    assert demo_portal.get("/api/v1/education/facilities").status_code == 404
    assert "facility_segregation" not in demo_portal.get("/api/v1/education/summary").get_json()
    published = create_app(load_settings(bundle_dir=str(bundle_root), mode="portal", publish_facility_compositions=True),
                           demo_bundle.folder).server.test_client()
    assert published.get("/api/v1/education/facilities").status_code == 200


def test_portal_catchments_follow_the_minimum_count_rule(demo_portal):
    rows = demo_portal.get("/api/v1/education/catchments").get_json()["rows"]
    for r in rows:
        if r["suppressed"]:
            assert r["children_6_12"] is None and r["share_mig_pct"] is None
        else:
            assert r["children_6_12"] >= 50


# --- section callbacks ----------------------------------------------------------------------------------------

SECTION_OUT = [(sec.FIGURES, "children"), (sec.COMPOSITION, "children"), (sec.TABLE_TITLE, "children"), (sec.TABLE, "columns"), (sec.TABLE, "data")]


def test_berlin_section_kita_view_and_no_composition_statement(berlin, berlin_bundle):
    out = callback(berlin, SECTION_OUT, [(ids.SECTION_TABS, "active_tab", "education"), (sec.VIEW, "value", "kita"),
                                         (ids.PERIOD, "value", "2024-12-31"), (ids.LANGUAGE, "value", "de")])
    assert "199.851" in orjson.dumps(out[sec.FIGURES]["children"]).decode()
    composition = orjson.dumps(out[sec.COMPOSITION]["children"]).decode()
    assert "keine Daten zur Zusammensetzung" in composition and "quartiersatlas" not in composition  # no command lines on screen
    rows = out[sec.TABLE]["data"]
    assert len(rows) == 2893
    # Kitas listed with 0 places (10 in the 01/2026 list) have no supply ratio: "–", after all others, never on top
    assert rows[0]["places"] > 0 and rows[0]["per_100"] is not None
    zero = [i for i, r in enumerate(rows) if r["places"] == 0]
    assert len(zero) == 10 and zero == list(range(len(rows) - 10, len(rows))) and all(rows[i]["per_100"] is None for i in zero)
    ratios = [r["per_100"] for r in rows[:-10]]
    assert ratios == sorted(ratios)
    columns = {c["id"]: c["name"] for c in out[sec.TABLE]["columns"]}
    assert columns["per_100"] == "Plätze je 100 Kinder mit Bedarf in Reichweite"  # one unit for every Kita figure


def test_demo_section_table_sorted_by_deviation(demo):
    out = callback(demo, SECTION_OUT, [(ids.SECTION_TABS, "active_tab", "education"), (sec.VIEW, "value", "primary_school"),
                                       (ids.PERIOD, "value", "2024-12-31"), (ids.LANGUAGE, "value", "en")])
    dev = [r["deviation_pp"] for r in out[sec.TABLE]["data"]]
    assert dev == sorted(dev, reverse=True) and len(dev) > 0
    assert "choice adds" in orjson.dumps(out[sec.COMPOSITION]["children"]).decode()


def test_facility_points_and_click_shows_catchment(demo_app, demo):
    patch = callback(demo, [(ids.MAP, "figure")], [(sec.VIEW, "value", "primary_school"), (sec.SHOW, "value", ["on"]),
                                                   (follows_id("education"), "data", None),
                                                   (redrawn_id("education"), "data", {"basis": "quartier", "full": False})],
                     state=[(ids.PERIOD, "value", "2024-12-31"), (ids.LANGUAGE, "value", "de")],
                     changed=f"{sec.SHOW}.value", key=output_key(demo_app, sec.SHOW, ids.MAP))[ids.MAP]["figure"]
    ops = {tuple(op["location"]): op["params"]["value"] for op in patch["operations"]}
    ids_on_map = ops[("data", FACILITY_TRACE, "customdata")]
    assert len(ids_on_map) == 5 and ids_on_map[0].startswith("GS")
    out = callback(demo, [(sec.DETAIL, "children"), (ids.MAP, "figure")],
                   [(ids.MAP, "clickData", {"points": [{"curveNumber": FACILITY_TRACE, "customdata": ids_on_map[0]}]})],
                   state=[(ids.BASIS, "value", "h3_9"), (ids.PERIOD, "value", "2024-12-31"), (ids.LANGUAGE, "value", "de"),
                          (ids.SECTION_TABS, "active_tab", "education")],
                   key=output_key(demo_app, ids.MAP, sec.DETAIL))
    text = orjson.dumps(out[sec.DETAIL]["children"]).decode()
    assert "Einzugsbereich" in text and "Prozentpunkte" in text and "Schüler/innen" in text
    hl = {tuple(op["location"]): op["params"]["value"] for op in out[ids.MAP]["figure"]["operations"]}
    assert hl[("layout", "map", "layers", HIGHLIGHT_LAYER, "visible")] is True
    assert hl[("layout", "map", "layers", HIGHLIGHT_LAYER, "source")]["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_unit_click_lists_serving_kitas(berlin_app, berlin, berlin_bundle):
    out = callback(berlin, [(sec.DETAIL, "children"), (ids.MAP, "figure")],
                   [(ids.MAP, "clickData", {"points": [{"curveNumber": 0, "location": "011001"}]})],
                   state=[(ids.BASIS, "value", "bezirksregion"), (ids.PERIOD, "value", "2024-12-31"), (ids.LANGUAGE, "value", "de"),
                          (ids.SECTION_TABS, "active_tab", "education")],
                   key=output_key(berlin_app, ids.MAP, sec.DETAIL))
    text = orjson.dumps(out[sec.DETAIL]["children"]).decode()
    assert "Kita-Plätze je 100 Kinder mit Bedarf" in text and "Stadt:" in text and "Kitas in 1.000 m Fußweg" in text
    assert len(kitas(berlin_bundle)) > 0
