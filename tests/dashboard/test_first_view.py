"""The page is built in its link's state with its views filled in (dashboard/first_view.py): the layout request answers
with the map, legend, key figures and link of the page's own query string, read from `Referer`; without it (or from
another site, or naming what the portal hides) the default state, and the URL callback applies the link."""

from __future__ import annotations

import re
from dataclasses import replace

import orjson
import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.figures import VALUES_TRACE
from dashboard.security import hidden_layers
from layers.bundle import write_bundle
from tests.tiny import tiny_build

PAGE = "http://localhost/"


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None)


def layout(client, referrer: str | None = None):
    response = client.get("/_dash-layout", headers={"Referer": referrer} if referrer else {})
    assert response.status_code == 200
    return response, orjson.loads(response.data)


def components(node):
    """Every component of a layout (JSON), depth first."""
    if isinstance(node, dict) and "props" in node:
        yield node
        yield from components(node["props"].get("children"))
    elif isinstance(node, list):
        for child in node:
            yield from components(child)


def props(page, component_id: str) -> dict:
    found = [c["props"] for c in components(page) if c["props"].get("id") == component_id]
    assert len(found) == 1, f"{component_id}: {len(found)} components"
    return found[0]


def test_the_layout_carries_the_links_state_and_its_views(settings, tiny_folder):
    client = create_app(settings, tiny_folder).server.test_client()
    response, page = layout(client, PAGE + "?basis=district&lang=en&period=2023-12-31")
    assert response.headers["Cache-Control"] == "no-store" and "Referer" in response.headers["Vary"]
    assert props(page, ids.BASIS)["value"] == "district" and props(page, ids.LANGUAGE)["value"] == "en"
    assert props(page, ids.PERIOD)["value"] == 0  # the first of the tiny city's two Stichtage
    figure = props(page, ids.MAP)["figure"]
    assert figure["data"][VALUES_TRACE]["geojson"].startswith("geo/district.json")
    assert sorted(figure["data"][VALUES_TRACE]["locations"]) == ["A", "B"]
    assert props(page, ids.MAP_DRAWN)["data"]["basis"] == "district"
    legend = orjson.dumps(props(page, ids.LEGEND)["children"]).decode()
    assert "31/12/2023" in legend or "31 Dec 2023" in legend or "2023-12-31" in legend, legend[:400]
    assert props(page, ids.CARDS)["children"] and props(page, ids.HISTOGRAM)["figure"]["data"]
    # the link box has the page's address; the URL callback leaves this query string alone
    assert props(page, ids.LINK_TEXT)["value"].startswith(PAGE + "?layer=") and "basis=district" in props(page, ids.LINK_TEXT)["value"]
    assert props(page, ids.URL_WRITTEN)["data"] == "?basis=district&lang=en&period=2023-12-31"


def test_a_link_with_an_invalid_value_gets_its_notice_in_the_layout(settings, tiny_folder):
    client = create_app(settings, tiny_folder).server.test_client()
    _, page = layout(client, PAGE + "?basis=nowhere")
    assert props(page, ids.BASIS)["value"] == "block"  # the default
    assert "basis=nowhere" in orjson.dumps(props(page, ids.URL_NOTICE)["children"]).decode()


@pytest.mark.parametrize("referrer", [None, "http://elsewhere.example/?basis=district", "javascript://localhost/?basis=district"])
def test_without_the_pages_own_address_the_default_state_is_built_and_the_url_callback_applies_the_link(settings, tiny_folder, referrer):
    client = create_app(settings, tiny_folder).server.test_client()
    _, page = layout(client, referrer)
    assert props(page, ids.BASIS)["value"] == "block"
    assert props(page, ids.MAP)["figure"]["data"][VALUES_TRACE]["geojson"].startswith("geo/block.json")  # still drawn
    assert "data" not in props(page, ids.URL_WRITTEN)  # so any query string of the page goes to restore_from_url


def test_the_portal_does_not_build_a_page_from_a_link_to_an_internal_layer(settings, tiny_folder):
    portal = replace(settings, values={**settings.values, "mode": "portal"})
    hidden = sorted(hidden_layers(portal))
    assert hidden, "the portal hides internal layers"
    client = create_app(portal, tiny_folder).server.test_client()
    response, page = layout(client, PAGE + f"?layer={hidden[0]}")
    assert hidden[0].encode() not in response.data
    assert "data" not in props(page, ids.URL_WRITTEN)


def test_no_store_starts_as_none(settings, tiny_folder):
    """A memory dcc.Store given `data=None` reports a change to undefined when it mounts, which runs every callback
    reading it on page load: stores without a value leave `data` out."""
    client = create_app(settings, tiny_folder).server.test_client()
    _, page = layout(client, PAGE)
    stores = [c["props"] for c in components(page) if c.get("type") == "Store"]
    assert len(stores) > 10
    assert [s["id"] for s in stores if "data" in s and s["data"] is None] == []


def test_the_topic_pickers_that_follow_the_district_are_built_for_the_links_district(settings, demo_bundle):
    from dashboard.sections import infrastructure

    assert len(demo_bundle.levels) > 2  # the picker's level lies below the districts
    district = str(demo_bundle.units_of(demo_bundle.levels[0].id).index[0])
    client = create_app(settings, demo_bundle.folder).server.test_client()
    _, whole = layout(client, PAGE)
    _, page = layout(client, PAGE + f"?district={district}")
    assert props(page, ids.DISTRICT)["value"] == district
    everywhere = {o["value"] for o in props(whole, infrastructure.AREA)["options"]}
    inside = {o["value"] for o in props(page, infrastructure.AREA)["options"]}
    assert inside and inside < everywhere and all(area.startswith(district) for area in inside)  # the demo city's ids nest


def test_views_show_their_updates_with_a_css_box_not_dcc_loading(settings, tiny_folder):
    # every dcc.Loading made each store update of the page walk all updated layout paths (Dash's dashChildrenUpdate);
    # `waiting` boxes show an update from Dash's own data-dash-is-loading attribute instead (assets/waiting.css)
    client = create_app(settings, tiny_folder).server.test_client()
    _, page = layout(client, PAGE)
    found = list(components(page))
    assert [c["namespace"] + "." + c["type"] for c in found if c["type"] == "Loading"] == []
    boxes = [c for c in found if "qa-waiting" in (c["props"].get("className") or "").split()]
    inside = [c["props"].get("id") for box in boxes for c in components(box["props"].get("children"))]
    assert ids.MAP in inside and ids.HISTOGRAM in inside and ids.CARDS not in inside  # the key figures stay undimmed


def geometry_preloads(client, query: str = "") -> list[str]:
    page = client.get("/" + query)
    assert page.status_code == 200
    return re.findall(r'<link rel="preload" href="([^"]+)" as="fetch" crossorigin="anonymous" data-qa-geometry>', page.get_data(as_text=True))


@pytest.mark.parametrize("query", ["", "?basis=district&lang=en", "?basis=nowhere", "?basis=h3_9&sel=ZZ"])
def test_the_page_preloads_exactly_the_geometry_its_first_map_asks_for(webgl, tiny_folder, query):
    """The map takes the preloaded answers only at the very addresses its figure names (relative to the page): any other
    would be a second request for the same geometry."""
    client = create_app(webgl, tiny_folder).server.test_client()
    _, page = layout(client, PAGE + query)
    figure = props(page, ids.MAP)["figure"]
    named = {figure["data"][VALUES_TRACE]["geojson"]} | {
        layer["source"] for layer in figure["layout"]["map"]["layers"] if isinstance(layer.get("source"), str)}
    preloaded = geometry_preloads(client, query)
    assert sorted(preloaded) == sorted(named), (preloaded, named)
    for url in preloaded:
        assert client.get("/" + url).status_code == 200


def test_a_failing_preload_leaves_the_page_as_it_was(webgl, tiny_folder, monkeypatch):
    """The preload is an optimisation: when it cannot be worked out the page is served without it, not as an error."""
    client = create_app(webgl, tiny_folder).server.test_client()

    def broken(*_args):
        raise KeyError("no such level")

    monkeypatch.setattr("dashboard.first_view.link_basis", broken)
    page = client.get("/?basis=district")
    assert page.status_code == 200 and "data-qa-geometry" not in page.get_data(as_text=True)
    assert 'rel="preload" href="/_dash-layout"' in page.get_data(as_text=True)


def test_the_plotly_engine_gets_no_geometry_preload(settings, tiny_folder):
    """plotly.js reads its GeoJSON itself and would not take a preloaded answer (the browser would fetch it twice)."""
    assert settings.map_engine == "plotly"
    client = create_app(settings, tiny_folder).server.test_client()
    assert geometry_preloads(client) == [] and geometry_preloads(client, "?basis=district") == []
