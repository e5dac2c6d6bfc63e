"""The WebGL map draws first, then the Plotly graphs (dashboard.mapgl's AfterMap), in headless Chromium on the real Berlin
bundle: plotly.js is requested only after the map's first frame; the histogram then draws the figure of the first layout,
and brushing it selects areas on the map; a closed topic panel is mounted only when its tab is first opened, and its chart
is drawn then; a map whose geometry fails does not hold the histogram back."""

from __future__ import annotations

import base64
import urllib.request

import numpy as np
import orjson
import pytest
from plotly.offline import get_plotlyjs_version

from dashboard import ids
from dashboard.app import create_app
from tests.dashboard.test_linked_views_browser import BRUSH_JS, wait_for
from tests.dashboard.test_map_webgl_browser import STATE_JS, state

pytestmark = pytest.mark.browser

HISTOGRAM_Y_JS = """
const gd = document.querySelector('#%s .js-plotly-plot');
return gd && gd.data && gd.querySelector('.bars') ? Array.from(gd.data[0].y) : null;
""" % ids.HISTOGRAM
REQUESTED_JS = """
const starts = {};
for (const e of performance.getEntriesByType('resource')) {
    const name = e.name.split('/').pop().split('?')[0];
    if (/^(plotly\\.min|plotly-basic\\.min|async-graph|async-table)\\.js$/.test(name)) { starts[name] = e.startTime; }
    if (name === '_dash-layout') { starts.layout = e.responseEnd; }
}
return starts;
"""


def first_layout_histogram(server_url: str) -> list[float]:
    """The bar heights of the histogram in the page's first layout, as the server sends it (the page's own address as
    Referer, as the browser sends it)."""
    request = urllib.request.Request(f"{server_url}/_dash-layout", headers={"Referer": f"{server_url}/"})
    with urllib.request.urlopen(request, timeout=60) as response:
        page = orjson.loads(response.read())
    stack = [page]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict) and "props" in node:
            if node["props"].get("id") == ids.HISTOGRAM:
                y = node["props"]["figure"]["data"][0]["y"]
                if isinstance(y, dict):  # a typed array: {dtype, bdata}
                    return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"])).tolist()
                return list(y)
            stack.append(node["props"].get("children"))
    raise AssertionError("no histogram in the first layout")


def test_the_map_draws_before_plotly_is_loaded_and_the_histogram_after_it(dash_duo, webgl, berlin_bundle):
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    first = state(dash_duo, lambda s: s["idle"] and s["drawn"] == 542, "542 Planungsräume drawn")
    bars = wait_for(dash_duo, lambda: dash_duo.driver.execute_script(HISTOGRAM_Y_JS), "the histogram drawn", timeout=60)
    assert bars == first_layout_histogram(dash_duo.server_url) and sum(bars) > 400  # the first layout's figure

    # plotly.js (its basic bundle: mapgl.use_basic_plotly) and dcc's graph chunk: asked for only once the map had drawn
    # its values; the full bundle and dcc's table chunk not at all (only the closed topic panels have DataTables)
    requested = dash_duo.driver.execute_script(REQUESTED_JS)
    assert {"plotly-basic.min.js", "async-graph.js"} <= set(requested) and "plotly.min.js" not in requested, requested
    assert all(requested[name] > first["drawn_at"] for name in ("plotly-basic.min.js", "async-graph.js")), (requested, first)
    assert "async-table.js" not in requested, requested
    # the histogram in the open overview pane mounted; the five closed topic panes wait until they are first opened
    waiting = dash_duo.driver.execute_script("return Array.from(document.querySelectorAll('.tab-pane [data-after-map]'))"
                                             ".map(e => [e.closest('.tab-pane') ? e.closest('.tab-pane').id : '', e.dataset.afterMap])")
    how_by_pane = {pane.rsplit("-", 1)[-1]: how for pane, how in waiting}
    assert how_by_pane == {"overview": "mounted", "segregation": "waiting", "education": "waiting", "infrastructure": "waiting",
                           "accommodation": "waiting", "scenario": "waiting"}, waiting
    box = dash_duo.driver.execute_script(f"return document.getElementById('{ids.HISTOGRAM}').parentElement.getBoundingClientRect().height")
    assert box >= 240

    # brushing the histogram that mounted late selects the areas in the brushed range on the map
    dash_duo.driver.execute_script(BRUSH_JS, dash_duo.find_element(f"#{ids.HISTOGRAM} .nsewdrag"), 0.55, 0.8)
    brushed = state(dash_duo, lambda s: len(s["selection"]) > 5, "the brushed areas selected on the map")
    wait_for(dash_duo, lambda: f"Ausgewählt: {len(brushed['selection'])}" in dash_duo.find_element(f"#{ids.SELECTION_INFO}").text,
             "the selection line")

    # a topic panel (not mounted while closed): its chart is there when its tab is opened, and it then stays mounted
    assert not dash_duo.driver.find_elements("css selector", "#segregation-chart")
    dash_duo.driver.execute_script("document.querySelector('.tab-segregation .nav-link').click();")
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script(
        "const g = document.querySelector('#segregation-chart .main-svg'); return g && g.getBoundingClientRect().width > 0"),
        "the segregation chart shown")
    dash_duo.driver.execute_script("document.querySelector('.tab-overview .nav-link').click();")
    assert dash_duo.driver.find_elements("css selector", "#segregation-chart")

    # a new language rebuilds the tabs: the closed panes are again mounted only when opened
    dash_duo.driver.execute_script("document.querySelector('#%s input[value=en]').click()" % ids.LANGUAGE)
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script(
        "const t = document.querySelector('.tab-overview .nav-link'); return t && t.innerText.trim() === 'Overview'"), "English tabs")
    rebuilt = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.tab-pane [data-after-map]')).map(e => e.dataset.afterMap)")
    assert sorted(rebuilt) == ["mounted"] + ["waiting"] * 5, rebuilt
    severe = [e for e in dash_duo.get_logs() if e["level"] == "SEVERE"]
    assert severe == [], severe


AREA_SEARCH_SEEN_JS = """
window.__areaSearchAt = null;
new MutationObserver((changes, observer) => {
    if (document.getElementById('%s')) { window.__areaSearchAt = performance.now(); observer.disconnect(); }
}).observe(document, {childList: true, subtree: true});
// the map's geometry held back until the test lets it go (window.__releaseGeometry)
let release = null;
const released = new Promise((done) => { release = done; });
window.__releaseGeometry = () => release();
const before = window.fetch;
window.fetch = function (url) {
  const answer = before.apply(this, arguments);
  return String(url).includes('geo/planungsraum.json') ? Promise.all([answer, released]).then(([r]) => r) : answer;
};
""" % ids.AREA_SEARCH


def test_the_area_search_mounts_after_the_maps_first_frame_on_a_page_without_babels_polyfill(dash_duo, webgl, berlin_bundle):
    """dcc.Dropdown indexes its options when it mounts (the area search has ~750): that waits for the map's first frame.
    Dash's lazy components run on regenerator-runtime, which the page loads in place of Babel's polyfill."""
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": AREA_SEARCH_SEEN_JS})
    dash_duo.driver.get(dash_duo.server_url)  # again, with the observer in place from the document's start
    dash_duo.wait_for_element(f"#{ids.LAYER}", timeout=30)  # dcc's dropdown chunk is in, the layer dropdown drawn
    assert (dash_duo.driver.execute_script(STATE_JS) or {}).get("drawn", 0) == 0
    assert not dash_duo.driver.find_elements("css selector", f"#{ids.AREA_SEARCH}")  # the area search waits for the map
    dash_duo.driver.execute_script("window.__releaseGeometry()")
    first = state(dash_duo, lambda s: s["idle"] and s["drawn"] == 542, "542 Planungsräume drawn")
    dash_duo.wait_for_element(f"#{ids.AREA_SEARCH}", timeout=30)
    seen_at = dash_duo.driver.execute_script("return window.__areaSearchAt")
    assert seen_at is not None and seen_at > first["drawn_at"], (seen_at, first["drawn_at"])  # mounted after the frame

    scripts = dash_duo.driver.execute_script("return Array.from(document.scripts).map(s => s.src).filter(Boolean)")
    names = [src.split("/")[-1] for src in scripts]
    assert not any(name.startswith("polyfill@") for name in names), names
    assert names[0].startswith("regenerator-runtime") and names[1].startswith("react@"), names
    assert dash_duo.driver.execute_script("return typeof regeneratorRuntime.mark === 'function' && !window._babelPolyfill")
    # a lazy component (dcc's dropdown chunk, loaded through regeneratorRuntime) works: typing finds an area
    dash_duo.find_element(f"#{ids.AREA_SEARCH}").click()
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script(
        "return document.activeElement && document.activeElement.tagName === 'INPUT'"), "the search's input focused")
    dash_duo.driver.switch_to.active_element.send_keys("Stülerstr")
    wait_for(dash_duo, lambda: [o for o in dash_duo.driver.find_elements("css selector", ".dash-dropdown-option")
                                if o.text.strip() == "Stülerstraße (Planungsraum, 01100101)"], "the area offered")
    severe = [e for e in dash_duo.get_logs() if e["level"] == "SEVERE"]
    assert severe == [], severe


def test_a_map_whose_geometry_fails_does_not_hold_the_histogram_back(dash_duo, webgl, berlin_bundle):
    dash_duo.driver.execute_cdp_cmd("Network.enable", {})
    dash_duo.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/geo/planungsraum.json*"]})
    try:
        dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
        wait_for(dash_duo, lambda: dash_duo.driver.execute_script(HISTOGRAM_Y_JS), "the histogram drawn", timeout=60)
        assert dash_duo.driver.execute_script(STATE_JS)["drawn"] == 0
        # not the safety timeout (8 s from the AfterMap's mounting, which is after the layout arrived): the failure said so
        requested = dash_duo.driver.execute_script(REQUESTED_JS)
        assert requested["plotly-basic.min.js"] < requested["layout"] + 8000, requested
    finally:
        dash_duo.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})


def test_a_topic_tab_opened_before_the_map_is_drawn_shows_its_panel_at_once(dash_duo, webgl, berlin_bundle):
    # the map's geometry arrives 20 s late: the segregation pane must not wait for the map (nor the 8 s safety timeout)
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        const before = window.fetch;
        window.fetch = function (url) {
          const answer = before.apply(this, arguments);
          return String(url).includes('geo/planungsraum.json') ? answer.then((r) => new Promise((done) => setTimeout(() => done(r), 20000))) : answer;
        };"""})
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    tab = dash_duo.wait_for_element(".tab-segregation .nav-link", timeout=30)
    waiting = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.tab-pane [data-after-map]')).map(e => e.getAttribute('aria-busy'));")
    assert "true" in waiting  # what waits says it is busy
    dash_duo.driver.execute_script("arguments[0].click();", tab)
    wait_for(dash_duo, lambda: dash_duo.driver.find_elements("css selector", "#segregation-chart"), "the segregation panel", timeout=6)
    assert dash_duo.driver.execute_script(STATE_JS)["drawn"] == 0  # the map is still waiting for its geometry


VIEWS_SAW_JS = """
window.__viewsSaw = [];
// a slow frame, as in software WebGL on a busy machine: every animation frame comes 250 ms late
const frame = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (callback) => frame(() => setTimeout(() => callback(performance.now()), 250));
const before = window.fetch;
window.fetch = function (url, options) {
    const body = options && typeof options.body === 'string' ? options.body : '';
    if (body.includes('"output":"..%s.figure')) {
        window.__viewsSaw.push(Object.assign(document.getElementById('%s').__deckmap.state(), {asked: performance.now()}));
    }
    return before.apply(this, arguments);
};
""" % (ids.HISTOGRAM, ids.MAP)


def test_after_a_period_switch_the_views_ask_only_once_the_map_shows_the_new_values(dash_duo, webgl, berlin_bundle):
    # their requests and Dash's work on them would otherwise come before the map's frame (main_map.FRAME_GATE)
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    before = state(dash_duo, lambda s: s["idle"] and s["drawn"] == 542, "542 Planungsräume drawn")
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script(HISTOGRAM_Y_JS), "the histogram drawn", timeout=60)
    dash_duo.driver.execute_script(VIEWS_SAW_JS)
    dash_duo.find_element(f"#{ids.PERIOD} [role=slider]").send_keys("\ue012")  # one Stichtag back
    after = state(dash_duo, lambda s: s["idle"] and s["z"] != before["z"], "the earlier Stichtag drawn")
    saw = wait_for(dash_duo, lambda: dash_duo.driver.execute_script("return window.__viewsSaw.length ? window.__viewsSaw : null"),
                   "the views' request")
    assert len(saw) == 1, saw
    assert saw[0]["z"] == after["z"] and saw[0]["drawn"] == 542, (saw[0], after)  # the new values, on screen already
    assert saw[0]["drawn_at"] <= saw[0]["asked"]


CHARTS_JS = """
const registered = new Set(Object.keys(window.Plotly.PlotSchema.get().traces));
return {version: window.Plotly.version, registered: Array.from(registered),
        charts: Array.from(document.querySelectorAll('.js-plotly-plot')).map((gd) => ({
            id: gd.parentElement.closest('[id]').id, types: (gd.data || []).map((trace) => trace.type || 'scatter'),
            drawn: (gd._fullData || []).filter((trace) => trace.visible !== false && trace._module).length}))};
"""


def test_every_chart_beside_the_webgl_map_draws_with_plotlys_basic_bundle(dash_duo, webgl, berlin_bundle):
    """The charts load plotly.js' basic bundle (bar, pie, scatter): every trace of every chart on every tab must be of a
    type it has, and drawn; a chart with another type would come out empty."""
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?sel=08100104&focus=08100104")  # the detail's time line too
    state(dash_duo, lambda s: s["idle"] and s["drawn"] == 542, "542 Planungsräume drawn")
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script(HISTOGRAM_Y_JS), "the histogram drawn", timeout=60)
    for section in ("segregation", "infrastructure", "accommodation"):  # the tabs with charts (infrastructure's once a space is picked)
        dash_duo.driver.execute_script("arguments[0].click();", dash_duo.wait_for_element(f".tab-{section} .nav-link"))
        wait_for(dash_duo, lambda: dash_duo.driver.execute_script(
            "const link = document.querySelector(arguments[0]), pane = document.querySelector('.tab-pane.active [data-after-map]');"
            "return link.classList.contains('active') && pane && pane.getAttribute('aria-busy') !== 'true' && pane.children.length > 0",
            f".tab-{section} .nav-link"), f"the {section} tab's panel", timeout=60)
    wait_for(dash_duo, lambda: any(chart["drawn"] for chart in dash_duo.driver.execute_script(CHARTS_JS)["charts"]
                                   if chart["id"] == "segregation-chart"), "the segregation chart drawn", timeout=60)
    seen = dash_duo.driver.execute_script(CHARTS_JS)
    assert seen["version"] == get_plotlyjs_version() and "bar" in seen["registered"] and "choroplethmap" not in seen["registered"], seen
    charts = {chart["id"]: chart for chart in seen["charts"]}
    assert {ids.HISTOGRAM, "detail-sparkline", "segregation-chart"} <= set(charts), charts
    for chart in charts.values():
        assert set(chart["types"]) <= set(seen["registered"]) and chart["drawn"] == len(chart["types"]), chart
    requested = dash_duo.driver.execute_script(REQUESTED_JS)
    assert "plotly.min.js" not in requested, requested
