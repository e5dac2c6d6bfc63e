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


def map_state(dash_duo, until, timeout: float = 60.0):
    """Poll the map until `until(state)` holds; fail with the last state otherwise."""
    deadline, state = time.time() + timeout, None
    while time.time() < deadline:
        state = dash_duo.driver.execute_script(MAP_STATE_JS)
        if state and until(state):
            return state
        time.sleep(0.4)
    raise AssertionError(f"map did not reach the expected state; last state: {state}")


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

    handle = dash_duo.find_element(f"#{ids.PERIOD} [role=slider]")  # the period slider, as a keyboard user moves it
    handle.send_keys(Keys.HOME)
    older = map_state(dash_duo, lambda s: s["locations"] == 143 and s["z0"] != regions["z0"])
    assert older["drawn"] > 100

    choose(dash_duo, ids.BASIS, "H3-Sechsecke, Auflösung 8 (≈ 0,74 km²)")
    hexes = map_state(dash_duo, lambda s: "h3_8" in s["geojson"] and s["drawn"] > 500)
    assert hexes["locations"] > 1000
    assert "interpoliert aus Planungsraum" in dash_duo.find_element(f"#{ids.LEGEND}").text

    severe = [entry for entry in dash_duo.get_logs() if entry["level"] == "SEVERE"]
    assert severe == [], severe
