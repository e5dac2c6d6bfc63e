"""Segregation API and panel on real Berlin: the same numbers as `layers.segregation` (the issue's 'Done means')."""

from __future__ import annotations

import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.sections import segregation as section
from layers.segregation import index_table
from layers.segregation.inference import DEFAULT_ITERATIONS, DEFAULT_SEED, change_table


@pytest.fixture(scope="module")
def client(settings, berlin_bundle):
    return create_app(settings, berlin_bundle.folder).server.test_client()


def test_change_of_children_segregation_api_equals_layers(client, berlin_bundle):
    """Has the segregation of children with migration background changed 06/2021 → 12/2024, city and districts, significantly?"""
    url = "/api/v1/segregation/change?group=mig_bg_under_18&level=planungsraum&period_from=2021-06-30&period=2024-12-31&index=dissim"
    body = client.get(url).get_json()
    expected = change_table(berlin_bundle, "planungsraum", "mig_bg_under_18", "2021-06-30", "2024-12-31", "dissim",
                            DEFAULT_ITERATIONS, DEFAULT_SEED)
    assert [r["area"] for r in body["rows"]] == ["city", *berlin_bundle.units_of("bezirk").index]
    for row, (_, exp) in zip(body["rows"], expected.iterrows()):
        for col in ("value_from", "value_to", "difference", "p_value_change", "dissim_bc_from", "dissim_bc_to"):
            assert row[col] == pytest.approx(exp[col]), (row["area"], col)
    city = body["rows"][0]
    assert city["difference"] < 0 and city["p_value_change"] < 0.05  # the city's D fell, beyond chance
    assert body["iterations"] == DEFAULT_ITERATIONS and body["seed"] == DEFAULT_SEED and "diagnosis" in body["caveat"]["en"]


def test_indices_api_equals_index_table(client, berlin_bundle):
    body = client.get("/api/v1/segregation/indices?group=mig_bg&res=8&period=2024-12-31").get_json()
    table = index_table(berlin_bundle, "h3_8", "mig_bg")
    table = table[table["period"] == "2024-12-31"].set_index("area")
    assert body["basis"] == "h3_8" and len(body["rows"]) == 13
    for row in body["rows"]:
        for col in ("dissim", "isolation", "interaction", "correlation_ratio", "theil_h", "gini"):
            assert row[col] == pytest.approx(table.loc[row["area"], col])
        assert row["multi_dissim"] is not None and row["interpolated_from"] == "planungsraum"
    one = client.get("/api/v1/segregation/indices?group=mig_bg&district=08&format=csv")
    assert one.mimetype == "text/csv" and one.data.decode().count("\n") == 2 * len(berlin_bundle.periods) + 1


def test_indices_api_p_values(client):
    body = client.get("/api/v1/segregation/indices?group=foreign&level=bezirksregion&period=2024-12-31&pvalues=1&iterations=19").get_json()
    assert body["iterations"] == 19 and all(0 <= r["p_value_dissim"] <= 1 for r in body["rows"])


@pytest.mark.parametrize("query, parameter", [
    ("group=nobody", "group"), ("level=land", "level"), ("res=5", "res"), ("period=2020-01-01", "period"),
    ("district=99", "district"), ("iterations=5", "iterations"), ("level=bezirk&res=8", "basis/level/res"), ("index=foo", "index"),
])
def test_bad_parameters_give_400_naming_the_parameter(client, query, parameter):
    resp = client.get(f"/api/v1/segregation/indices?{query}")
    assert resp.status_code == 400 and resp.get_json()["parameter"] == parameter and resp.get_json()["allowed"]


def _post(client, output_ids: list[tuple[str, str]], inputs: list[tuple[str, str, object]], state=(), changed=None):
    """POST one callback; its output key comes from /_dash-dependencies (with allow_duplicate it carries a hash)."""
    first_input = f"{inputs[0][0]}"
    deps = client.get("/_dash-dependencies").get_json()
    output = next(d["output"] for d in deps if all(f"{i}.{p}" in d["output"] for i, p in output_ids)
                  and any(x["id"] == first_input for x in d["inputs"]))
    multi = output.startswith("..")
    outputs = [{"id": i, "property": p} for i, p in output_ids]
    body = {"output": output, "outputs": outputs if multi else outputs[0],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": [changed or f"{inputs[0][0]}.{inputs[0][1]}"]}
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.data[:400]
    return resp.get_json()["response"]


def test_chart_gives_every_district_its_own_colour_and_dates_as_ticks(client, berlin_bundle):
    out = _post(client, [(section.EXPLAIN, "children"), (section.CHART, "figure"), (section.TABLE_TITLE, "children"), (section.TABLE, "columns"),
                         (section.TABLE, "data"), (section.TABLE, "tooltip_header")],
                [(ids.SECTION_TABS, "active_tab", "segregation"), (section.GROUP, "value", "mig_bg_under_18"), (section.INDEX, "value", "dissim"),
                 (ids.BASIS, "value", "planungsraum"), (ids.PERIOD, "value", 7), (ids.DISTRICT, "value", None), (ids.LANGUAGE, "value", "de")])
    figure = out[section.CHART]["figure"]
    colours = [trace["line"]["color"] for trace in figure["data"]]
    assert len(colours) == 13 and len(set(colours)) == 13  # the city and 12 districts, no colour twice
    assert figure["layout"]["xaxis"]["ticktext"][-1] == "31.12.2024"  # not "Jan 2025"


def test_panel_shows_the_api_numbers_and_sets_the_district(client, berlin_bundle):
    out = _post(client, [(section.CHANGE_TITLE, "children"), (section.CHANGE, "columns"), (section.CHANGE, "data"), (section.CHANGE_NOTE, "children")],
                [(ids.SECTION_TABS, "active_tab", "segregation"), (section.GROUP, "value", "mig_bg_under_18"), (section.INDEX, "value", "dissim"),
                 (section.PERIOD_FROM, "value", "2021-06-30"),
                 (ids.BASIS, "value", "planungsraum"), (ids.PERIOD, "value", len(berlin_bundle.periods) - 1), (ids.LANGUAGE, "value", "en")])
    rows = out[section.CHANGE]["data"]
    api = client.get("/api/v1/segregation/change?group=mig_bg_under_18&period_from=2021-06-30&period=2024-12-31").get_json()["rows"]
    for shown, exact in zip(rows, api):
        assert shown["area"] == exact["area"]
        assert shown["difference"] == f"{exact['difference']:.3f}"
        assert shown["p_value_change"] == ("< 0.01" if exact["p_value_change"] == 0 else f"{exact['p_value_change']:.2f}")
    table = _post(client, [(section.EXPLAIN, "children"), (section.CHART, "figure"), (section.TABLE_TITLE, "children"), (section.TABLE, "columns"),
                           (section.TABLE, "data"), (section.TABLE, "tooltip_header")],
                  [(ids.SECTION_TABS, "active_tab", "segregation"), (section.GROUP, "value", "mig_bg_under_18"), (section.INDEX, "value", "dissim"),
                   (ids.BASIS, "value", "planungsraum"),
                   (ids.PERIOD, "value", 0), (ids.DISTRICT, "value", "08"), (ids.LANGUAGE, "value", "de")])
    assert "keine Diagnose" in str(table[section.EXPLAIN]["children"])
    chart = table[section.CHART]["figure"]["data"]
    assert [len(trace["x"]) for trace in chart] == [8, 8]  # city and the chosen district, 06/2021–12/2024
    headers = {c["id"]: c["name"] for c in table[section.TABLE]["columns"]}
    assert headers["dissim"] == "Dissimilaritätsindex (D)" and headers["isolation"].startswith("Isolationsindex")
    assert "umziehen" in table[section.TABLE]["tooltip_header"]["dissim"]["value"]  # the explanation on hover

    picked = _post(client, [(ids.DISTRICT, "value")], [(section.TABLE, "active_cell", {"row": 8, "column": 0})],
                   state=[(section.TABLE, "data", table[section.TABLE]["data"])])
    assert picked[ids.DISTRICT]["value"] == table[section.TABLE]["data"][8]["area"] != "city"
    # a hidden tab computes nothing: every output is "no update"
    assert _post(client, [(section.CHANGE_TITLE, "children"), (section.CHANGE, "columns"), (section.CHANGE, "data"), (section.CHANGE_NOTE, "children")],
          [(ids.SECTION_TABS, "active_tab", "overview"), (section.GROUP, "value", "mig_bg_under_18"), (section.INDEX, "value", "dissim"),
           (section.PERIOD_FROM, "value", "2021-06-30"), (ids.BASIS, "value", "h3_9"), (ids.PERIOD, "value", 7), (ids.LANGUAGE, "value", "en")]) == {}
