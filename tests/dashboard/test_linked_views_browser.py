"""Linked views in headless Chromium on the real Berlin bundle: map click, histogram brush, district, basis switch, link, player."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest

from dashboard import ids
from dashboard.app import create_app
from tests.dashboard.test_browser import choose, map_state

pytestmark = pytest.mark.browser

SELECTION_JS = """
const holder = document.getElementById('%s');
const gd = holder && holder.querySelector('.js-plotly-plot');
return gd && gd.data && gd.data.length > 3 ? gd.data[3].locations : null;
""" % ids.MAP
VIEW_JS = """
const holder = document.getElementById('%s');
const gd = holder && holder.querySelector('.js-plotly-plot');
return gd && gd._fullLayout && gd._fullLayout.map ? {zoom: gd._fullLayout.map.zoom, lat: gd._fullLayout.map.center.lat} : null;
""" % ids.MAP


CLICK_JS = """
// headless MapLibre sees only dispatched events: hover first (plotly clicks what is hovered), then click
const canvas = document.querySelector('#%s .maplibregl-canvas');
const r = canvas.getBoundingClientRect();
const opts = {clientX: r.left + r.width * arguments[0], clientY: r.top + r.height * arguments[1], bubbles: true};
for (const type of ['pointermove', 'mousemove']) canvas.dispatchEvent(new MouseEvent(type, opts));
for (const type of ['mousedown', 'mouseup', 'click']) canvas.dispatchEvent(new MouseEvent(type, opts));
""" % ids.MAP


BRUSH_JS = """
// drag along x over the histogram's plot area (dispatched, as the page sees a user's drag)
const el = arguments[0]; const r = el.getBoundingClientRect();
const y = r.top + r.height * 0.5, x0 = r.left + r.width * arguments[1], x1 = r.left + r.width * arguments[2];
const ev = (type, x, target) => target.dispatchEvent(new MouseEvent(type, {clientX: x, clientY: y, bubbles: true, buttons: 1}));
ev('mousedown', x0, el);
for (let i = 1; i <= 10; i++) ev('mousemove', x0 + (x1 - x0) * i / 10, document);
ev('mouseup', x1, document);
"""


def wait_for(dash_duo, check, what: str, timeout: float = 30.0):
    deadline, last = time.time() + timeout, None
    while time.time() < deadline:
        try:
            last = check()
        except Exception as exc:  # the element may be re-rendered while we look
            last = exc
        else:
            if last:
                return last
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def query(dash_duo) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(dash_duo.driver.current_url).query).items()}


def text(dash_duo, element_id: str) -> str:
    return dash_duo.driver.find_element("id", element_id).text


def test_click_brush_district_and_basis_switch(dash_duo, settings, berlin_bundle):
    dash_duo.start_server(create_app(settings, berlin_bundle.folder))
    map_state(dash_duo, lambda s: s["drawn"] > 400)
    city_card = wait_for(dash_duo, lambda: text(dash_duo, "card-city"), "the city card")
    assert "41,1" in city_card  # share with migration background, Berlin 31.12.2024

    # map click: the area is selected, highlighted, listed, summarised and shown in detail
    dash_duo.driver.execute_script(CLICK_JS, 0.45, 0.45)
    chosen = wait_for(dash_duo, lambda: dash_duo.driver.execute_script(SELECTION_JS), "a selected area on the map")
    assert len(chosen) == 1 and query(dash_duo)["sel"] == chosen[0]
    wait_for(dash_duo, lambda: chosen[0] in text(dash_duo, ids.TABLE), "the clicked area in the table")
    assert "Gebiete: 1" in text(dash_duo, "card-selection")
    wait_for(dash_duo, lambda: chosen[0] in text(dash_duo, ids.DETAIL), "the detail panel of the clicked area")

    # histogram brush: every area in the brushed value range becomes the selection
    dash_duo.driver.execute_script(BRUSH_JS, dash_duo.find_element(f"#{ids.HISTOGRAM} .nsewdrag"), 0.55, 0.8)
    brushed = wait_for(dash_duo, lambda: (lambda s: s if s and len(s) > 5 else None)(dash_duo.driver.execute_script(SELECTION_JS)),
                       "the brushed areas on the map")
    assert f"Ausgewählt: {len(brushed)}" in text(dash_duo, ids.SELECTION_INFO)
    assert len(query(dash_duo)["sel"].split(",")) == len(brushed)

    # district: the map zooms in, the district card appears
    before = dash_duo.driver.execute_script(VIEW_JS)
    choose(dash_duo, ids.DISTRICT, "Neukölln")
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script(VIEW_JS)["zoom"] > before["zoom"] + 0.5, "the map zoomed to the district")
    wait_for(dash_duo, lambda: "Neukölln" in text(dash_duo, "card-district"), "the district card")
    assert query(dash_duo)["district"] == "08"

    # basis switch keeps the selection: the cells inside the selected Planungsräume
    choose(dash_duo, ids.BASIS, "H3-Sechsecke, Auflösung 9 (≈ 0,105 km²)")
    cells = wait_for(dash_duo, lambda: (lambda s: s if s and all(len(c) == 15 for c in s) else None)(
        dash_duo.driver.execute_script(SELECTION_JS)), "the selection carried to H3 cells")
    assert len(cells) > len(brushed)
    assert query(dash_duo)["basis"] == "h3_9"
    severe = [entry for entry in dash_duo.get_logs() if entry["level"] == "SEVERE"]
    assert severe == [], severe


def test_link_restores_the_view_and_the_player_advances(dash_duo, settings, berlin_bundle):
    dash_duo.start_server(create_app(settings, berlin_bundle.folder))
    map_state(dash_duo, lambda s: s["drawn"] > 400)
    choose(dash_duo, ids.LAYER, "Lokationsquotient")
    choose(dash_duo, ids.DISTRICT, "Mitte")
    link = wait_for(dash_duo, lambda: (lambda v: v if "district=01" in v and "migration_lq" in v else None)(
        dash_duo.find_element(f"#{ids.LINK_TEXT}").get_attribute("value")), "the link of the current view")

    # a colleague opens the link (a fresh page load): same layer, district and legend
    dash_duo.driver.get(link + "&sel=01100101,01100102")
    map_state(dash_duo, lambda s: s["colorbar"] == "LQ" and s["drawn"] > 100)
    wait_for(dash_duo, lambda: "Ausgewählt: 2" in text(dash_duo, ids.SELECTION_INFO), "the selection from the link")
    assert "Mitte" in text(dash_duo, ids.DISTRICT)
    assert sorted(dash_duo.driver.execute_script(SELECTION_JS)) == ["01100101", "01100102"]

    # back and forward work through the URL
    choose(dash_duo, ids.BASIS, "Bezirksregion (143)")
    wait_for(dash_duo, lambda: query(dash_duo).get("basis") == "bezirksregion", "the basis in the URL")
    dash_duo.driver.back()
    wait_for(dash_duo, lambda: "Planungsraum (542)" in text(dash_duo, ids.BASIS), "the previous basis after back")

    # a bad link falls back to defaults and says so
    dash_duo.driver.get(link.split("?")[0] + "?layer=nope&period=1999-01-01")
    notice = wait_for(dash_duo, lambda: text(dash_duo, "url-notice-text"), "the notice about the invalid link")
    assert "layer=nope" in notice and "period=1999-01-01" in notice
    map_state(dash_duo, lambda s: s["colorbar"] == "%" and s["drawn"] > 400)

    # the player starts at the first reference date, advances through all of them and stops at the last
    dash_duo.find_element(f"#{ids.PLAY}").click()
    wait_for(dash_duo, lambda: query(dash_duo).get("period") == "2021-06-30", "the first period", timeout=20)
    wait_for(dash_duo, lambda: query(dash_duo).get("period", "9999") > "2022-06-30", "a later period", timeout=30)
    wait_for(dash_duo, lambda: "period" not in query(dash_duo) and text(dash_duo, ids.PLAY) == "▶", "the player stopped at the last period",
             timeout=60)
    assert "31.12.2024" in text(dash_duo, ids.LEGEND)
