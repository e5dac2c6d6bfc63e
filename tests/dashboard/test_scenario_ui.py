"""The scenario panel through Dash's real endpoint: place, edit, delete, bad input, save/load/import/export, effects, suggestions."""

from __future__ import annotations

import base64
import json

import h3
import orjson
import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.figures import FACILITY_TRACE, VALUES_TRACE
from dashboard.sections import scenario as sc
from dashboard.sections.common import redrawn_id
from dashboard.sections.scenario.form import form_dict
from dashboard.topics import SECTIONS
from layers.scenario import Housing, NewFacility, Scenario, Site
from layers.scenario.store import slugify
from layers.settings import load_settings


@pytest.fixture(scope="module")
def planner(bundle_root, tmp_path_factory):
    return load_settings(bundle_dir=str(bundle_root), cache_type="SimpleCache", scenario_dir=str(tmp_path_factory.mktemp("scenarios")))


@pytest.fixture(scope="module")
def demo_app(planner, demo_bundle):
    return create_app(planner, demo_bundle.folder)


@pytest.fixture(scope="module")
def berlin_app(planner, berlin_bundle):
    return create_app(planner, berlin_bundle.folder)


def _key(dep_id) -> str:
    return json.dumps(dep_id, sort_keys=True, separators=(",", ":")) if isinstance(dep_id, dict) else dep_id


def call(app, output_part: str, changed: list[str], values: dict | None = None) -> dict | None:
    """POST one callback as the browser does: every input and state of the callback, `values` keyed by (id, property)
    (pattern-matching ALL deps take a list of ({id}, value)); returns the response, or None when nothing is updated."""
    values = values or {}
    key = next(k for k in app.callback_map if output_part in k and not k.startswith("{"))
    cb = app.callback_map[key]

    def dep(d: dict):
        if d["id"].startswith("{"):
            kind = json.loads(d["id"])["type"]
            return [{"id": i, "property": d["property"], "value": v} for i, v in values.get((kind, d["property"]), [])]
        return {"id": d["id"], "property": d["property"], "value": values.get((d["id"], d["property"]))}

    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
    body = {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": [dep(d) for d in cb["inputs"]],
            "state": [dep(d) for d in cb["state"]], "changedPropIds": changed}
    resp = app.server.test_client().post("/_dash-update-component", json=body)
    if resp.status_code == 204:
        return None
    assert resp.status_code == 200, resp.data[:800]
    response = orjson.loads(resp.data).get("response") or {}
    return {k: {p.split("@")[0]: v for p, v in props.items()} for k, props in response.items()} or None


def form(dwellings=200, persons=2.0, kind="housing", more: dict | None = None) -> dict:
    values = {(sc.KIND, "value"): kind, (sc.DWELLINGS, "value"): dwellings, (sc.PERSONS, "value"): persons, (sc.SUBSIDISED, "value"): 0,
              (sc.MIX, "value"): "reference", (sc.FACILITY_TYPE, "value"): "kita", (sc.CAPACITY, "value"): 80, (sc.CLOSE, "value"): [],
              (sc.LABEL, "value"): "", (ids.LANGUAGE, "value"): "de"}
    values.update(more or {})
    return values


def text_of(component) -> str:
    """All strings inside a serialised Dash component tree."""
    if isinstance(component, str):
        return component
    if isinstance(component, list):
        return " ".join(text_of(c) for c in component)
    if isinstance(component, dict):
        return text_of(component.get("props", {}).get("children", ""))
    return "" if component is None else str(component)


def first_unit(bundle) -> str:
    return str(bundle.units_of(bundle.finest_level.id).index[0])


# --- pure helpers -----------------------------------------------------------------------------------------

def test_form_becomes_an_intervention_dict():
    item = form_dict("housing", 200, 2.0, 30, "new_build", None, "kita", 80, None, None, [], " Block 7 ")
    assert item == {"kind": "housing", "dwellings": 200, "persons_per_dwelling": 2.0, "subsidised_share": 0.3, "mix": "new_build",
                    "label": "Block 7"}
    assert form_dict("change", None, None, None, None, None, None, None, "kita-1", 40, ["on"], "") == {
        "kind": "change", "facility_id": "kita-1", "closed": True, "label": ""}
    assert form_dict("facility", None, None, None, None, None, "meeting_place", 50, None, None, [], "") == {
        "kind": "facility", "facility_type": "meeting_place", "capacity": 50, "label": ""}


def test_map_clicks_give_sites(demo_bundle):
    unit = first_unit(demo_bundle)
    site = sc.site_of_click(demo_bundle, {"points": [{"curveNumber": VALUES_TRACE, "location": unit}]})
    assert site.kind == "unit" and site.id == unit and site.lon is not None
    cell = str(demo_bundle.cells(9)[0])
    site = sc.site_of_click(demo_bundle, {"points": [{"curveNumber": VALUES_TRACE, "location": cell}]})
    lat, lon = h3.cell_to_latlng(cell)
    assert (site.kind, site.id) == ("cell", cell) and (site.lon, site.lat) == pytest.approx((lon, lat))
    site = sc.site_of_click(demo_bundle, {"points": [{"curveNumber": FACILITY_TRACE, "lon": 13.4, "lat": 52.5}]})
    assert (site.kind, site.lon, site.lat) == ("point", 13.4, 52.5)
    assert sc.site_of_click(demo_bundle, {"points": [{"curveNumber": 1}]}) is None


def test_sites_store_has_one_point_per_intervention(demo_bundle):
    unit, cell = first_unit(demo_bundle), str(demo_bundle.cells(9)[3])
    scenario = Scenario("x", (Housing(Site("unit", None, None, unit), 200), NewFacility(Site("cell", None, None, cell), "meeting_place", 40)))
    out = sc.sites(demo_bundle, scenario, "de")
    assert [s["index"] for s in out] == [1, 2] and [s["kind"] for s in out] == ["housing", "facility"]
    lat, lon = h3.cell_to_latlng(cell)
    assert (out[1]["lon"], out[1]["lat"]) == pytest.approx((lon, lat), abs=1e-6)
    assert out[0]["label"].startswith("1. ") and "200 Wohnungen" in out[0]["label"]


# --- the section is planner-only --------------------------------------------------------------------------

def test_portal_has_no_scenario_panel_or_callbacks(bundle_root, demo_bundle):
    portal = load_settings(bundle_dir=str(bundle_root), mode="portal")
    assert sc in SECTIONS and sc.available(portal) is False
    app = create_app(portal, demo_bundle.folder)
    mine = (sc.MESSAGE, sc.EFFECTS, sc.LIST, sc.STORE_MESSAGE, sc.SUGGESTIONS, sc.HINT, sc.DOWNLOAD)
    assert not any(c in k for k in app.callback_map for c in mine)
    assert text_of(sc.panel(demo_bundle, portal, "de").to_plotly_json()) == "Szenarien gibt es nur in der Planungsansicht."


# --- placing, editing, deleting --------------------------------------------------------------------------------

def test_negative_dwellings_are_refused_and_the_scenario_stays(demo_app, demo_bundle):
    unit = first_unit(demo_bundle)
    kept = Scenario("", (Housing(Site("unit", None, None, unit), 50),)).to_dict()
    values = form(dwellings=-5, more={(ids.SCENARIO, "data"): kept, (ids.SELECTION, "data"): {"basis": "x", "ids": [unit], "focus": unit}})
    out = call(demo_app, "scenario-message.children", [f"{sc.AT_SELECTION}.n_clicks"], {**values, (sc.AT_SELECTION, "n_clicks"): 1})
    message = text_of(out[sc.MESSAGE]["children"])
    assert "Nicht übernommen" in message and "intervention 2 (housing), field 'dwellings': -5 is negative" in message
    assert ids.SCENARIO not in out and ids.SCENARIO_PLACING not in out
    # the same on "place on map": no placing starts
    out = call(demo_app, "scenario-message.children", [f"{sc.PLACE}.n_clicks"], {**values, (sc.PLACE, "n_clicks"): 1})
    assert "-5 is negative" in text_of(out[sc.MESSAGE]["children"]) and ids.SCENARIO_PLACING not in out
    # absurd counts and implausible household sizes too
    out = call(demo_app, "scenario-message.children", [f"{sc.PLACE}.n_clicks"], {**form(dwellings=90000), (sc.PLACE, "n_clicks"): 1})
    assert "implausibly large" in text_of(out[sc.MESSAGE]["children"])
    out = call(demo_app, "scenario-message.children", [f"{sc.PLACE}.n_clicks"], {**form(persons=9), (sc.PLACE, "n_clicks"): 1})
    assert "persons_per_dwelling" in text_of(out[sc.MESSAGE]["children"])


def test_place_then_click_adds_housing_at_the_clicked_unit(demo_app, demo_bundle):
    unit = first_unit(demo_bundle)
    out = call(demo_app, "scenario-message.children", [f"{sc.PLACE}.n_clicks"], {**form(), (sc.PLACE, "n_clicks"): 1})
    placing = out[ids.SCENARIO_PLACING]["data"]
    assert placing["item"]["dwellings"] == 200 and placing["replace"] is None and ids.SCENARIO not in out
    hint = call(demo_app, "scenario-hint.children", [f"{ids.SCENARIO_PLACING}.data"],
                {(ids.SCENARIO_PLACING, "data"): placing, (ids.LANGUAGE, "value"): "de"})
    assert "Klicken Sie jetzt in die Karte" in text_of(hint[sc.HINT]["children"])

    click = {"points": [{"curveNumber": VALUES_TRACE, "location": unit}]}
    out = call(demo_app, "scenario-message.children", [f"{ids.MAP}.clickData"],
               {**form(), (ids.MAP, "clickData"): click, (ids.SCENARIO_PLACING, "data"): placing})
    scenario = Scenario.from_dict(out[ids.SCENARIO]["data"])
    assert len(scenario) == 1 and scenario.interventions[0].site.id == unit and scenario.interventions[0].dwellings == 200
    assert out[ids.SCENARIO_PLACING]["data"] is None and "Maßnahme 1 hinzugefügt" in text_of(out[sc.MESSAGE]["children"])

    # without a pending placement a map click belongs to the linked views
    assert call(demo_app, "scenario-message.children", [f"{ids.MAP}.clickData"], {**form(), (ids.MAP, "clickData"): click}) is None
    # a click beside the areas keeps the placement pending and says so
    out = call(demo_app, "scenario-message.children", [f"{ids.MAP}.clickData"],
               {**form(), (ids.MAP, "clickData"): {"points": [{"curveNumber": 1}]}, (ids.SCENARIO_PLACING, "data"): placing})
    assert ids.SCENARIO_PLACING not in out and "kein Gebiet" in text_of(out[sc.MESSAGE]["children"])


def test_a_cell_outside_the_city_is_refused(demo_app):
    placing = {"item": {"kind": "housing", "dwellings": 200}, "replace": None}
    outside = h3.latlng_to_cell(48.1, 11.5, 9)  # Munich
    out = call(demo_app, "scenario-message.children", [f"{ids.MAP}.clickData"],
               {**form(), (ids.MAP, "clickData"): {"points": [{"curveNumber": VALUES_TRACE, "location": outside}]},
                (ids.SCENARIO_PLACING, "data"): placing})
    assert "outside the city" in text_of(out[sc.MESSAGE]["children"]) and ids.SCENARIO not in out


def test_edit_fills_the_form_and_update_keeps_the_site_and_delete_removes(demo_app, demo_bundle):
    unit = first_unit(demo_bundle)
    data = Scenario("", (Housing(Site("unit", None, None, unit), 120, 2.2, 0.3, "new_build"),
                         NewFacility(Site("unit", None, None, unit), "meeting_place", 40))).to_dict()
    edit_id = {"type": sc.ITEM_EDIT, "index": 0}
    out = call(demo_app, "scenario-message.children", [f"{_key(edit_id)}.n_clicks"],
               {**form(), (ids.SCENARIO, "data"): data, (sc.ITEM_EDIT, "n_clicks"): [(edit_id, 1), ({"type": sc.ITEM_EDIT, "index": 1}, None)]})
    assert out[sc.EDITING]["data"] == 0 and "bearbeiten Maßnahme 1" in text_of(out[sc.MESSAGE]["children"])
    filled = call(demo_app, "scenario-kind.value", [f"{sc.EDITING}.data"], {(sc.EDITING, "data"): 0, (ids.SCENARIO, "data"): data,
                                                                                 (ids.LANGUAGE, "value"): "de"})
    assert filled[sc.KIND]["value"] == "housing" and filled[sc.DWELLINGS]["value"] == 120 and filled[sc.SUBSIDISED]["value"] == 30
    assert filled[sc.MIX]["value"] == "new_build" and filled[sc.PERSONS]["value"] == 2.2

    out = call(demo_app, "scenario-message.children", [f"{sc.UPDATE}.n_clicks"],
               {**form(dwellings=150, persons=2.2), (sc.UPDATE, "n_clicks"): 1, (ids.SCENARIO, "data"): data, (sc.EDITING, "data"): 0})
    new = Scenario.from_dict(out[ids.SCENARIO]["data"])
    assert new.interventions[0].dwellings == 150 and new.interventions[0].site.id == unit and len(new) == 2
    assert out[sc.EDITING]["data"] is None and "Maßnahme 1 geändert" in text_of(out[sc.MESSAGE]["children"])

    delete_id = {"type": sc.ITEM_DELETE, "index": 1}
    out = call(demo_app, "scenario-message.children", [f"{_key(delete_id)}.n_clicks"],
               {**form(), (ids.SCENARIO, "data"): data, (sc.ITEM_DELETE, "n_clicks"): [({"type": sc.ITEM_DELETE, "index": 0}, None), (delete_id, 1)]})
    left = Scenario.from_dict(out[ids.SCENARIO]["data"])
    assert len(left) == 1 and isinstance(left.interventions[0], Housing)
    # a freshly rendered list (n_clicks None everywhere) changes nothing
    assert call(demo_app, "scenario-message.children", [f"{_key(delete_id)}.n_clicks"],
                {**form(), (ids.SCENARIO, "data"): data, (sc.ITEM_DELETE, "n_clicks"): [(delete_id, None)]}) is None


def test_facility_change_needs_a_facility_and_a_capacity(demo_app, demo_bundle):
    fac = demo_bundle.table("facilities")
    kita = str(fac.loc[fac["type"] == "kita", "facility_id"].iloc[0])
    out = call(demo_app, "scenario-message.children", [f"{sc.ADD_CHANGE}.n_clicks"], {**form(kind="change"), (sc.ADD_CHANGE, "n_clicks"): 1})
    assert "Bitte eine Einrichtung wählen" in text_of(out[sc.MESSAGE]["children"])
    out = call(demo_app, "scenario-message.children", [f"{sc.ADD_CHANGE}.n_clicks"],
               {**form(kind="change", more={(sc.CHANGE_FACILITY, "value"): kita, (sc.NEW_CAPACITY, "value"): -3}), (sc.ADD_CHANGE, "n_clicks"): 1})
    assert "-3.0 is negative" in text_of(out[sc.MESSAGE]["children"]) and ids.SCENARIO not in out
    out = call(demo_app, "scenario-message.children", [f"{sc.ADD_CHANGE}.n_clicks"],
               {**form(kind="change", more={(sc.CHANGE_FACILITY, "value"): kita, (sc.CLOSE, "value"): ["on"]}), (sc.ADD_CHANGE, "n_clicks"): 1})
    change = Scenario.from_dict(out[ids.SCENARIO]["data"]).interventions[0]
    assert change.facility_id == kita and change.is_closure


# --- save, load, delete, import, export ---------------------------------------------------------------------------

def test_save_load_delete_import_and_export(demo_app, demo_bundle, planner):
    unit = first_unit(demo_bundle)
    data = Scenario("", (Housing(Site("unit", None, None, unit), 200),)).to_dict()
    folder = planner.path("scenario_dir")

    def store(changed: str, values: dict):
        return call(demo_app, "scenario-store-message.children", [changed], {(ids.LANGUAGE, "value"): "de", (ids.SCENARIO, "data"): data, **values})

    out = store(f"{sc.SAVE}.n_clicks", {(sc.SAVE, "n_clicks"): 1, (sc.NAME, "value"): "  "})
    assert "needs a name" in text_of(out[sc.STORE_MESSAGE]["children"]) and "Nichts gespeichert" in text_of(out[sc.STORE_MESSAGE]["children"])
    assert ids.SCENARIO not in out and not list(folder.glob("*.json"))

    out = store(f"{sc.SAVE}.n_clicks", {(sc.SAVE, "n_clicks"): 1, (sc.NAME, "value"): "200 Wohnungen Süd"})
    assert out[ids.SCENARIO]["data"]["name"] == "200 Wohnungen Süd" and "Gespeichert" in text_of(out[sc.STORE_MESSAGE]["children"])
    slug = out[sc.SAVED]["options"][0]["value"]
    assert (folder / f"{slug}.json").is_file() and "200 Wohnungen Süd (1 Maßnahmen" in out[sc.SAVED]["options"][0]["label"]

    out = store(f"{sc.LOAD}.n_clicks", {(sc.LOAD, "n_clicks"): 1, (sc.SAVED, "value"): slug, (ids.SCENARIO, "data"): None})
    assert Scenario.from_dict(out[ids.SCENARIO]["data"]) == Scenario("200 Wohnungen Süd", (Housing(Site("unit", None, None, unit), 200),))
    assert out[sc.NAME]["value"] == "200 Wohnungen Süd"

    # export: the scenario as a JSON file
    down = call(demo_app, "scenario-download.data", [f"{sc.EXPORT}.n_clicks"],
                {(sc.EXPORT, "n_clicks"): 1, (ids.SCENARIO, "data"): data, (sc.NAME, "value"): "200 Wohnungen Süd"})
    exported = down[sc.DOWNLOAD]["data"]
    assert exported["filename"] == f"{slugify('200 Wohnungen Süd')}.json" and exported["type"] == "application/json"
    assert Scenario.from_json(exported["content"]).interventions == Scenario.from_dict(data).interventions

    # import: a malformed file names the file and changes nothing; a good file replaces the scenario
    bad = "data:application/json;base64," + base64.b64encode(b'{"name": "x", "interventions": [{"kind": "housing", "dwellings": -5}]}').decode()
    out = store(f"{sc.UPLOAD}.contents", {(sc.UPLOAD, "contents"): bad, (sc.UPLOAD, "filename"): "plan.json"})
    message = text_of(out[sc.STORE_MESSAGE]["children"])
    assert "plan.json: intervention 1 (housing)" in message and ids.SCENARIO not in out
    good = "data:application/json;base64," + base64.b64encode(exported["content"].encode()).decode()
    out = store(f"{sc.UPLOAD}.contents", {(sc.UPLOAD, "contents"): good, (sc.UPLOAD, "filename"): "plan.json"})
    assert Scenario.from_dict(out[ids.SCENARIO]["data"]).interventions == Scenario.from_dict(data).interventions

    out = store(f"{sc.DELETE_SAVED}.n_clicks", {(sc.DELETE_SAVED, "n_clicks"): 1, (sc.SAVED, "value"): slug})
    assert out[sc.SAVED]["options"] == [] and not (folder / f"{slug}.json").exists()


# --- suggestions ------------------------------------------------------------------------------------------

def test_suggestions_can_be_accepted_and_moved(demo_app, demo_bundle):
    out = call(demo_app, "scenario-suggestions.children", [f"{sc.SUGGEST_RUN}.n_clicks"],
               {(sc.SUGGEST_RUN, "n_clicks"): 1, (sc.SUGGEST_TYPE, "value"): "kita", (sc.SUGGEST_K, "value"): 3, (ids.LANGUAGE, "value"): "de"})
    proposals = out[sc.PROPOSALS]["data"]
    assert [p["rank"] for p in proposals] == [1, 2, 3] and all(p["cell"] in set(demo_bundle.cells(9)) for p in proposals)
    assert proposals[0]["gain_need"] >= proposals[1]["gain_need"] >= proposals[2]["gain_need"] > 0

    accept = {"type": sc.ACCEPT, "index": 2}
    out = call(demo_app, "scenario-message.children", [f"{_key(accept)}.n_clicks"],
               {**form(), (sc.PROPOSALS, "data"): proposals, (sc.ACCEPT, "n_clicks"): [(accept, 1)]})
    facility = Scenario.from_dict(out[ids.SCENARIO]["data"]).interventions[0]
    assert isinstance(facility, NewFacility) and facility.site.id == proposals[1]["cell"] and facility.capacity == 80
    assert facility.facility_type == "kita" and facility.label == "Vorschlag 2"

    move = {"type": sc.MOVE, "index": 1}
    out = call(demo_app, "scenario-message.children", [f"{_key(move)}.n_clicks"],
               {**form(), (sc.PROPOSALS, "data"): proposals, (sc.MOVE, "n_clicks"): [(move, 1)]})
    placing = out[ids.SCENARIO_PLACING]["data"]
    assert placing["move"] and placing["replace"] == 0 and len(out[ids.SCENARIO]["data"]["interventions"]) == 1
    target = str(demo_bundle.cells(9)[0])
    out = call(demo_app, "scenario-message.children", [f"{ids.MAP}.clickData"],
               {**form(), (ids.SCENARIO, "data"): out[ids.SCENARIO]["data"], (ids.SCENARIO_PLACING, "data"): placing,
                (ids.MAP, "clickData"): {"points": [{"curveNumber": VALUES_TRACE, "location": target}]}})
    moved = Scenario.from_dict(out[ids.SCENARIO]["data"])
    assert len(moved) == 1 and moved.interventions[0].site.id == target


def test_proposals_on_the_map_in_the_district_named_by_area(berlin_app, berlin_bundle):
    """Suggestions inside the chosen district, drawn on the map; an accepted site is named by its area, not a cell id;
    the "click the map now" hint shows at the map."""
    from dashboard.figures import PROPOSAL_TRACE

    out = call(berlin_app, "scenario-suggestions.children", [f"{sc.SUGGEST_RUN}.n_clicks"],
               {(sc.SUGGEST_RUN, "n_clicks"): 1, (sc.SUGGEST_TYPE, "value"): "kita", (sc.SUGGEST_K, "value"): 3,
                (ids.DISTRICT, "value"): "08", (ids.LANGUAGE, "value"): "de"})
    proposals = out[sc.PROPOSALS]["data"]
    assert len(proposals) == 3 and all(p["unit_id"].startswith("08") for p in proposals)
    assert "Bezirk Neukölln" in text_of(out[sc.SUGGESTIONS]["children"])
    key = next(k for k, cb in berlin_app.callback_map.items()
               if k.startswith(f"{ids.MAP}.figure") and any(i["id"] == sc.PROPOSALS for i in cb["inputs"]))
    patch = call(berlin_app, key, [f"{sc.PROPOSALS}.data"],
                 {(sc.PROPOSALS, "data"): proposals, (redrawn_id("proposals"), "data"): {"basis": "planungsraum", "full": True},
                  (ids.LANGUAGE, "value"): "de"})
    ops = {tuple(o["location"]): o["params"]["value"] for o in patch[ids.MAP]["figure"]["operations"]}
    assert ops[("data", PROPOSAL_TRACE, "lon")] == [p["lon"] for p in proposals] and ops[("data", PROPOSAL_TRACE, "text")] == ["1", "2", "3"]
    site = Site("cell", proposals[0]["lon"], proposals[0]["lat"], proposals[0]["cell"])
    text = sc.site_text(berlin_bundle, site, "de")
    assert proposals[0]["unit_name"] in text and proposals[0]["cell"] not in text
    hint = call(berlin_app, f"{ids.MAP_HINT}.children", [f"{ids.SCENARIO_PLACING}.data"],
                {(ids.SCENARIO_PLACING, "data"): {"what": "200 Wohnungen"}, (ids.LANGUAGE, "value"): "de"})
    assert "200 Wohnungen" in text_of(hint[ids.MAP_HINT]["children"])


# --- effects on real Berlin ----------------------------------------------------------------------------------

def test_effects_of_200_dwellings_in_neukoelln(berlin_app, berlin_bundle):
    unit = "08100104"  # Planungsraum Wartheplatz, Bezirk Neukölln
    assert berlin_bundle.units_of("planungsraum").loc[unit, "name"] == "Wartheplatz"
    data = Scenario("", (Housing(Site("unit", None, None, unit), 200, 2.0),)).to_dict()
    period = len(berlin_bundle.periods) - 1
    # sections take the language of the tabs drawn (TABS_LANG), see dashboard/sections/common.when_active
    values = {(ids.SECTION_TABS, "active_tab"): "scenario", (ids.SCENARIO, "data"): data, (ids.PERIOD, "value"): period,
              (ids.TABS_LANG, "data"): "de"}
    out = call(berlin_app, "scenario-effects.children", [f"{ids.SCENARIO}.data"], values)
    table = out[sc.EFFECTS]["children"]
    text = text_of(table)
    assert "Stichtag 31.12.2024" in text and "Szenario (Annahme)" in text and "Wartheplatz" in text
    cards = text_of(out[sc.CARDS]["children"])
    assert "neue Einwohner/innen +400" in cards  # 200 dwellings × 2.0 persons
    assert "davon unter 6 +18" in cards  # 400 × the reference area's share under 6 (301 of 6,699 residents): 17.97
    assert "Kita-Plätze je 100 Kinder mit Bedarf (Gebiet) 168,0 → 164,0" in cards  # demand-weighted mean of the cells (issue 20; was 184,0 → 178,5)
    row = _row(table, "scenario-effect-kita_demand-area-")
    assert row["difference"].startswith("+") and float(row["difference"][1:].replace(".", "").replace(",", ".")) > 0
    assert row["title"].endswith("Kinder · Gebiet Wartheplatz")
    assert _row(table, "scenario-effect-residents-city-")["difference"] == "+400"
    # the hidden tab computes nothing
    assert call(berlin_app, "scenario-effects.children", [f"{ids.SCENARIO}.data"], {**values, (ids.SECTION_TABS, "active_tab"): "overview"}) is None


def _row(component, prefix: str) -> dict:
    """The cells of the first effects-table row whose id starts with `prefix`."""
    found = []

    def walk(c):
        if isinstance(c, list):
            for x in c:
                walk(x)
        elif isinstance(c, dict):
            props = c.get("props", {})
            if str(props.get("id", "")).startswith(prefix):
                found.append([text_of(td["props"].get("children")) for td in props["children"]])
            walk(props.get("children"))

    walk(component)
    assert found, f"no row {prefix}"
    cells = found[0]
    return dict(zip(("title", "baseline", "scenario", "difference", "range"), cells))
