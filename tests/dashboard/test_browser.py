"""The real app on the real Berlin bundle in headless Debian Chromium: polygons drawn, switches work, console clean."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.keys import Keys

from dashboard import ids
from dashboard.app import create_app
from dashboard.figures import VALUES_TRACE

pytestmark = pytest.mark.browser

MAP_STATE_JS = """
const holder = document.getElementById('%s');
if (holder && holder.__deckmap) {  // the WebGL engine (dashboard/mapgl): the same facts from its own state
  const s = holder.__deckmap.state(), bar = holder.querySelector('.qa-deck-colourbar-title');
  return s.idle ? {drawn: s.drawn, locations: s.locations, z0: s.z.split(',').slice(0, 5).map(Number),
                   geojson: s.layers.find(l => l.startsWith('areas-')) || '', colorbar: bar ? bar.textContent : ''} : null;
}
const gd = holder && holder.querySelector('.js-plotly-plot');
const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
const m = sub && sub.map;
if (!m || !m.loaded() || !m.areTilesLoaded() || m.isMoving()) return null;
// rendered fill features (H3 hex ids are not numeric, so MapLibre drops feature ids: count features, not ids)
const drawn = m.queryRenderedFeatures().filter(f => f.layer.type === 'fill').length;
const values = gd._fullData[%d];  // decoded: z arrives as a typed array
return {drawn: drawn, locations: values.locations.length, z0: Array.from(values.z.slice(0, 5)),
        geojson: values.geojson, colorbar: values.colorbar.title.text};
""" % (ids.MAP, VALUES_TRACE)


def poll_script(dash_duo, script: str, until, timeout: float, what: str):
    """Run `script` in the page until `until(result)` holds; fail naming `what` and the last result otherwise."""
    deadline, state = time.time() + timeout, None
    while time.time() < deadline:
        state = dash_duo.driver.execute_script(script)
        if state and until(state):
            return state
        time.sleep(0.4)
    raise AssertionError(f"{what}; last state: {str(state)[:1500]}")


def map_state(dash_duo, until, timeout: float = 60.0):
    """Poll the map until `until(state)` holds; fail with the last state otherwise."""
    return poll_script(dash_duo, MAP_STATE_JS, until, timeout, "map did not reach the expected state")


HOVER_JS = """
const canvas = document.querySelector('#%s .maplibregl-canvas');
const r = canvas.getBoundingClientRect();
for (const type of ['pointermove', 'mousemove']) {
  canvas.dispatchEvent(new MouseEvent(type, {clientX: r.left + r.width * 0.45 + arguments[0], clientY: r.top + r.height * 0.45,
                                             bubbles: true}));
}
return Array.from(document.querySelectorAll('.hoverlayer .hovertext')).map(e => e.textContent).join(' ');
""" % ids.MAP


def hover_text(dash_duo, timeout: float = 10.0) -> str:
    """Move the mouse over the middle of the map (as MapLibre sees it) and return the hover label's text."""
    deadline, shift = time.time() + timeout, 0
    while time.time() < deadline:
        text = dash_duo.driver.execute_script(HOVER_JS, shift)
        if text:
            return text
        shift += 3
        time.sleep(0.4)
    raise AssertionError("no hover label appeared over the map")


def choose(dash_duo, component_id: str, label: str, timeout: float = 10.0) -> None:
    """Open a dcc.Dropdown and click the option with this exact label, as a user would."""
    dash_duo.find_element(f"#{component_id}").click()
    deadline = time.time() + timeout
    while time.time() < deadline:
        options = [o for o in dash_duo.driver.find_elements("css selector", ".dash-dropdown-option") if o.text.strip() == label]
        if options:
            dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", options[0])
            return
        time.sleep(0.2)
    raise AssertionError(f"no option {label!r} in dropdown {component_id}")


def test_switch_layer_level_period(dash_duo, settings, berlin_bundle):
    app = create_app(settings, berlin_bundle.folder)
    dash_duo.start_server(app)

    first = map_state(dash_duo, lambda s: s["drawn"] > 400)
    assert first["locations"] == 542 and "planungsraum" in first["geojson"] and first["colorbar"] == "%"
    hover = hover_text(dash_duo)
    assert "Anteil der Gruppe" in hover and " %" in hover and "Stichtag 31.12.2024" in hover and "Sozialer Kontext" in hover

    choose(dash_duo, ids.LAYER, "Lokationsquotient")
    lq = map_state(dash_duo, lambda s: s["colorbar"] == "LQ" and s["drawn"] > 400)
    assert lq["z0"] != first["z0"]

    choose(dash_duo, ids.BASIS, "Bezirksregion (143)")
    regions = map_state(dash_duo, lambda s: s["locations"] == 143 and s["drawn"] > 100)
    assert "bezirksregion" in regions["geojson"]

    handle = dash_duo.wait_for_element(f"#{ids.PERIOD} [role=slider]")  # the period slider, as a keyboard user moves it (dcc renders it in its own async chunk)
    handle.send_keys(Keys.HOME)
    older = map_state(dash_duo, lambda s: s["locations"] == 143 and s["z0"] != regions["z0"])
    assert older["drawn"] > 100

    choose(dash_duo, ids.BASIS, "H3-Sechsecke, Auflösung 8 (≈ 0,74 km²)")
    hexes = map_state(dash_duo, lambda s: "h3_8" in s["geojson"] and s["drawn"] > 500)
    assert hexes["locations"] > 1000
    assert "interpoliert aus Planungsraum" in dash_duo.find_element(f"#{ids.LEGEND}").text

    severe = [entry for entry in dash_duo.get_logs() if entry["level"] == "SEVERE"]
    assert severe == [], severe


VIEW_BOUNDS_JS = """
const gd = document.querySelector('#%s .js-plotly-plot');
const m = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot && gd._fullLayout.map._subplot.map;
if (!m || m.isMoving()) return null;
const b = m.getBounds(), c = m.getContainer().getBoundingClientRect();
return {west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth(), zoom: m.getZoom(), width: c.width, height: c.height};
""" % ids.MAP


def shows_whole(view: dict | None, bounds) -> bool:
    """The map's visible extent (MapLibre's canvas; plotly puts the colour bar beside it) holds `bounds` (minx, miny, maxx, maxy) whole."""
    if not view:
        return False
    minx, miny, maxx, maxy = bounds
    return view["west"] <= minx and maxx <= view["east"] and view["south"] <= miny and maxy <= view["north"]


@pytest.mark.parametrize("size", [(1366, 768), (1400, 900)])
def test_city_and_every_district_fit_the_map(dash_duo, settings, berlin_bundle, size):
    """Fit to the map's real size: the default view shows all of Berlin, each district chosen shows that district whole."""
    dash_duo.driver.set_window_size(*size)
    dash_duo.start_server(create_app(settings, berlin_bundle.folder))
    map_state(dash_duo, lambda s: s["drawn"] > 400)
    city = tuple(berlin_bundle.units.total_bounds)
    view = map_state_of(dash_duo, lambda v: shows_whole(v, city))
    assert view["zoom"] > 8.3  # not merely zoomed far out: Berlin fills most of the map
    dash_duo.wait_for_contains_text(".qa-labels", "Pankow", timeout=10)  # place names over the map (assets/map-labels.js)
    names = dash_duo.driver.execute_script("return Array.from(document.querySelectorAll('.qa-label-place')).map(e => e.textContent.replace('\\n', ''))")
    assert sorted(names) == sorted(berlin_bundle.units_of("bezirk")["name"])
    districts = berlin_bundle.units_of(berlin_bundle.levels[0].id)
    for name, geom in zip(districts["name"], districts.geometry):
        choose(dash_duo, ids.DISTRICT, name)
        view = map_state_of(dash_duo, lambda v, g=geom: shows_whole(v, g.bounds) and v["zoom"] > 9.6, name)
        span_x = (geom.bounds[2] - geom.bounds[0]) / (view["east"] - view["west"])
        span_y = (geom.bounds[3] - geom.bounds[1]) / (view["north"] - view["south"])
        assert max(span_x, span_y) > 0.6, (name, view)  # the district fills the map in one direction
    severe = [entry for entry in dash_duo.get_logs() if entry["level"] == "SEVERE"]
    assert severe == [], severe  # e.g. no font fetch refused by the CSP


def map_state_of(dash_duo, until, what: str = "", timeout: float = 20.0) -> dict:
    return poll_script(dash_duo, VIEW_BOUNDS_JS, until, timeout, f"the map did not show {what or 'the area'} whole")


@pytest.mark.parametrize("res", [7, 8])
def test_coarse_h3_resolutions_from_a_link(dash_duo, settings, berlin_bundle, res):
    """`/?basis=h3_7` and `h3_8` open the map on hexagons of that resolution (not the Planungsräume)."""
    dash_duo.start_server(create_app(settings, berlin_bundle.folder))
    dash_duo.wait_for_element(f"#{ids.MAP}")
    dash_duo.driver.get(dash_duo.server_url + f"/?basis=h3_{res}")
    state = map_state(dash_duo, lambda s: f"h3_{res}" in s["geojson"] and s["drawn"] > 50)
    import h3

    assert h3.get_resolution(dash_duo.driver.execute_script(
        "return document.querySelector('#%s .js-plotly-plot')._fullData[%d].locations[0]" % (ids.MAP, VALUES_TRACE))) == res
    assert state["locations"] > (40 if res == 7 else 300)
    assert f"basis=h3_{res}" in dash_duo.driver.current_url


def test_the_area_search_opens_an_area_in_its_district(dash_duo, settings, berlin_bundle):
    dash_duo.start_server(create_app(settings, berlin_bundle.folder))
    map_state(dash_duo, lambda s: s["drawn"] > 400)
    dash_duo.find_element(f"#{ids.AREA_SEARCH}").click()
    poll_script(dash_duo, "return document.activeElement && document.activeElement.tagName === 'INPUT'", bool, 10,
                "the area search did not take the keyboard")
    dash_duo.driver.switch_to.active_element.send_keys("Stülerstr")  # typed, as a user searches
    choose_label = "Stülerstraße (Planungsraum, 01100101)"
    deadline = time.time() + 10
    while time.time() < deadline:
        options = [o for o in dash_duo.driver.find_elements("css selector", ".dash-dropdown-option") if o.text.strip() == choose_label]
        if options:
            options[0].click()
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"the search offered no {choose_label!r}")
    poll_script(dash_duo, "return window.location.search", lambda q: "sel=01100101" in q and "district=01" in q, 30,
                "the link does not show the area selected in its district")
    poll_script(dash_duo, f"return document.getElementById('{ids.SELECTION_INFO}').innerText", lambda text: "1" in text, 20,
                "the selection line does not count the area")
    severe = [entry for entry in dash_duo.get_logs() if entry["level"] == "SEVERE"]
    assert severe == [], severe


def test_the_embed_view_shows_the_map_legend_and_key_figures_only(dash_duo, settings, berlin_bundle):
    dash_duo.start_server(create_app(settings, berlin_bundle.folder))
    dash_duo.driver.get(dash_duo.server_url + "/?embed=1&district=08")
    map_state(dash_duo, lambda s: s["drawn"] > 400)
    shown = dash_duo.driver.execute_script("""
        const visible = sel => { const e = document.querySelector(sel); return !!e && e.getBoundingClientRect().height > 0; };
        return {header: visible('header'), controls: visible('#a11y-controls'), legend: visible('#map-legend'),
                cards: visible('#overview-cards'), histogram: visible('#overview-histogram'), tabs: visible('.nav-tabs'),
                mapWidth: document.querySelector('#map-graph').getBoundingClientRect().width, page: window.innerWidth};""")
    assert not shown["header"] and not shown["controls"] and not shown["histogram"] and not shown["tabs"], shown
    assert shown["legend"] and shown["cards"] and shown["mapWidth"] > 0.9 * shown["page"], shown
    poll_script(dash_duo, "return window.location.search", lambda q: "embed=1" in q and "district=08" in q, 20,
                "the embed link lost its parameters")
    assert not dash_duo.driver.find_elements("css selector", "#url-notice-text")  # embed is a known parameter


LINK_VIEW_JS = """
const gd = document.querySelector('#%s .js-plotly-plot');
const m = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot && gd._fullLayout.map._subplot.map;
if (!m || !m.loaded() || m.isMoving()) return null;
const c = m.getCenter();
return {zoom: m.getZoom(), lat: c.lat, lon: c.lng, search: window.location.search};
""" % ids.MAP


def test_the_maps_view_is_in_the_link(dash_duo, settings, berlin_bundle):
    dash_duo.start_server(create_app(settings, berlin_bundle.folder))
    dash_duo.driver.get(dash_duo.server_url + "/?map=12.5/52.52/13.4")
    opened = poll_script(dash_duo, LINK_VIEW_JS, lambda v: abs(v["zoom"] - 12.5) < 0.01, 40, "the link's view was not shown")
    assert abs(opened["lat"] - 52.52) < 1e-3 and abs(opened["lon"] - 13.4) < 1e-3 and "map=12.5" in opened["search"]
    assert not dash_duo.driver.find_elements("css selector", "#url-notice-text")  # map is a known parameter
    # panned by hand: the link follows
    dash_duo.driver.execute_script(
        "document.querySelector('#%s .js-plotly-plot')._fullLayout.map._subplot.map.jumpTo({center: [13.3, 52.45], zoom: 11});" % ids.MAP)
    moved = poll_script(dash_duo, LINK_VIEW_JS, lambda v: "map=11.00%2F52.45000%2F13.30000" in v["search"] or "map=11.00/52.45000/13.30000" in v["search"],
                        20, "the link did not follow the map")
    assert moved["zoom"] == 11
    # a district fits the map again: the link no longer holds a view of its own
    choose(dash_duo, ids.DISTRICT, "Neukölln")
    poll_script(dash_duo, LINK_VIEW_JS, lambda v: "district=08" in v["search"] and "map=" not in v["search"], 30,
                "the fitted district view kept a map= parameter")
