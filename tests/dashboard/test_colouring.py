"""Colour scales say what they show: clipped ranges are marked, diverging scales stop where the data stop, classes get
swatches instead of a colour bar (real Berlin through Dash's endpoint, and the functions on chosen values)."""

import numpy as np
import orjson
import pytest

from bench.run import _payload
from dashboard import ids
from dashboard.app import create_app
from dashboard.figures import VALUES_TRACE, clipped_ticks, colour_range, continuous_colouring
from layers.registry import get_layer


def test_clipped_range_is_marked_with_the_extremes():
    values = np.r_[np.linspace(10, 60, 200), 82.0, 3.0]  # two outliers beyond the 2nd–98th percentile
    spec = get_layer("migration_share")
    scale, rng = continuous_colouring(values, spec)
    ticks = clipped_ticks(values, rng, spec, "de")
    assert ticks["ticktext"][-1] == "▲ 82" and ticks["ticktext"][0] == "▼ 3"
    assert ticks["tickvals"][0] == pytest.approx(rng["zmin"]) and ticks["tickvals"][-1] == pytest.approx(rng["zmax"])
    unclipped = np.linspace(10, 60, 10)  # few values: min–max, nothing clipped, plotly's own ticks
    assert clipped_ticks(unclipped, colour_range(unclipped, None), spec, "de") == {"tickvals": None, "ticktext": None}


def test_a_quarter_step_is_written_with_its_decimal():
    """A tick step of 2.5 (range 0–12) labels 2,5 and 7,5, not "2" and "8"."""
    values = np.r_[np.linspace(0, 12, 50), 20.0]
    ticks = clipped_ticks(values, {"zmin": 0.0, "zmax": 12.0}, get_layer("migration_share"), "de")
    assert ticks["ticktext"][1:-1] == ["2,5", "5,0", "7,5", "10,0"], ticks
    assert ticks["tickvals"][1:-1] == pytest.approx([2.5, 5.0, 7.5, 10.0])


def test_small_differences_get_enough_decimals():
    values = np.r_[np.linspace(-0.004, 0.004, 200), 0.02]
    spec = get_layer("migration_share")
    _, rng = continuous_colouring(values, spec)
    ticks = clipped_ticks(values, rng, spec, "de")
    assert ticks["ticktext"][-1] == "▲ 0,020" and all(text not in ("0,00", "-0,00") for text in ticks["ticktext"])


def test_diverging_scale_stops_where_the_data_stop():
    """Places per 100 children around 100: values from 0 to 300 give a scale from 0 (not −100) to 300, with 100 still
    in the middle colour of the original scale."""
    spec = get_layer("education_kita_fca")
    values = np.r_[np.zeros(5), np.linspace(0, 300, 100)]
    scale, rng = continuous_colouring(values, spec)
    assert rng["zmin"] >= 0 and rng["zmax"] > 200
    symmetric = colour_range(values, spec.midpoint)
    assert symmetric["zmin"] < 0  # what it was before
    from plotly.colors import sample_colorscale

    from dashboard.figures import colour_scale

    middle = sample_colorscale(colour_scale(spec.colorscale), [0.5])[0]
    at_100 = sample_colorscale(scale, [(100 - rng["zmin"]) / (rng["zmax"] - rng["zmin"])])[0]
    rgb = [np.array([float(x) for x in c[c.index("(") + 1:-1].split(",")]) for c in (middle, at_100)]
    assert np.abs(rgb[0] - rgb[1]).max() < 12


@pytest.fixture(scope="module")
def client(settings, berlin_bundle):
    return create_app(settings, berlin_bundle.folder).server.test_client()


def test_class_layer_has_swatches_not_a_colour_bar(client):
    body = _payload("funding_mss_status", "mig_bg", "planungsraum", 7, "2021-06-30", f"{ids.BASIS}.value")
    out = orjson.loads(client.post("/_dash-update-component", json=body).data)["response"]
    trace = out[ids.MAP]["figure"]["data"][VALUES_TRACE]
    assert trace["showscale"] is False
    legend = orjson.dumps(out[ids.LEGEND]["children"]).decode()
    for category in get_layer("funding_mss_status").categories:
        assert category.title("de") in legend and category.colour in legend
    assert "grau: kein Wert" in legend and "Schutzgebiet" in legend and "Einrichtungen" in legend
    body = _payload("migration_share", "mig_bg", "planungsraum", 7, "2021-06-30", f"{ids.BASIS}.value")
    share = orjson.loads(client.post("/_dash-update-component", json=body).data)["response"][ids.MAP]["figure"]["data"][VALUES_TRACE]
    assert share["showscale"] is True


def test_place_names_on_the_map_follow_the_district(client, berlin_bundle):
    """Orientation without tiles: the 12 district names over the city; inside Neukölln its Bezirksregionen (the
    figure carries them in layout.meta.labels; assets/map-labels.js writes them as HTML, MapLibre text needs glyphs
    from the internet)."""
    body = _payload("migration_share", "mig_bg", "planungsraum", 7, "2021-06-30", f"{ids.BASIS}.value")
    figure = orjson.loads(client.post("/_dash-update-component", json=body).data)["response"][ids.MAP]["figure"]
    labels = figure["layout"]["meta"]["labels"]
    assert sorted(labels["text"]) == sorted(berlin_bundle.units_of("bezirk")["name"]) and len(labels["lon"]) == 12
    assert all(trace.get("mode") != "text" and "text" not in str(trace.get("mode")) for trace in figure["data"]
               if trace["type"] == "scattermap")  # no MapLibre text: it would fetch glyphs
    body = _payload("migration_share", "mig_bg", "planungsraum", 7, "2021-06-30", f"{ids.DISTRICT}.value", district="08",
                    drawn={"basis": "planungsraum", "full": True})
    patch = orjson.loads(client.post("/_dash-update-component", json=body).data)["response"][ids.MAP]["figure"]
    texts = next(op["params"]["value"]["text"] for op in patch["operations"] if op["location"] == ["layout", "meta", "labels"])
    regions = berlin_bundle.units_of("bezirksregion")
    assert set(texts) == set(regions.loc[regions.index.str.startswith("08"), "name"]) and "Britz" in texts
