"""The WebGL map engine (dashboard/mapgl, deck.gl) on the real Berlin bundle in headless Chromium, driven as a user drives
it: drawn, hover, click, box selection, the funding overlay, a scenario site, a period switch at H3 res 9, printing."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from dashboard import accessibility as a11y
from dashboard import ids
from dashboard.app import create_app
from layers import LayerQuery, format_number, run_query
from layers.scenario import Housing, Scenario, Site
from layers.spatial.basis import Basis
from tests.dashboard.test_browser import choose
from tests.dashboard.test_linked_views_browser import text, wait_for

pytestmark = pytest.mark.browser

STATE_JS = "const el = document.getElementById('%s'); return el && el.__deckmap ? el.__deckmap.state() : null;" % ids.MAP
TOOLTIP_JS = "const t = document.querySelector('#%s .qa-deck-tooltip'); return t && t.style.display !== 'none' ? t.innerText : '';" % ids.MAP


def state(dash_duo, until, what: str, timeout: float = 60.0) -> dict:
    return wait_for(dash_duo, lambda: (lambda s: s if s and until(s) else None)(dash_duo.driver.execute_script(STATE_JS)), what, timeout)


def canvas(dash_duo):
    return dash_duo.find_element(f"#{ids.MAP} .qa-deck-canvas canvas")


def pointer_at(dash_duo, fx: float, fy: float) -> ActionChains:
    """Real pointer input, at a fraction of the map's width and height (moved from the centre: Selenium versions disagree
    on where move_to_element_with_offset counts from)."""
    el = canvas(dash_duo)
    dx, dy = int(el.size["width"] * (fx - 0.5)), int(el.size["height"] * (fy - 0.5))
    chain = ActionChains(dash_duo.driver).move_to_element(el)
    return chain.move_by_offset(dx, dy) if dx or dy else chain


def test_the_webgl_map_draws_hovers_clicks_and_selects(dash_duo, webgl, berlin_bundle):
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    assert dash_duo.find_element(f"#{ids.MAP}").get_attribute("data-engine") == "deck.gl"
    first = state(dash_duo, lambda s: s["idle"] and s["drawn"] == 542, "542 Planungsräume drawn")
    assert first["locations"] == 542 and any(lay.startswith("areas-geo/planungsraum") for lay in first["layers"])
    assert "map-layer-0" in first["layers"]  # the city's outline
    assert dash_duo.find_element(f"#{ids.MAP} .qa-deck-colourbar-title").text == "%"
    assert len(dash_duo.driver.find_elements("css selector", f"#{ids.MAP} .qa-label-place")) == 12  # the districts' names

    # hover: the same text as the Plotly engine's (layer, unit, Stichtag, social context); names escaped, tags kept
    pointer_at(dash_duo, 0.5, 0.5).perform()
    hover = wait_for(dash_duo, lambda: dash_duo.driver.execute_script(TOOLTIP_JS), "a hover text")
    assert "Anteil der Gruppe" in hover and " %" in hover and "Stichtag 31.12.2024" in hover and "Sozialer Kontext" in hover
    assert dash_duo.driver.execute_script(f"return document.querySelector('#{ids.MAP} .qa-deck-tooltip b') !== null")

    # click: the area is selected (selection store, outline layer, selection line)
    assert "Keine Auswahl" in text(dash_duo, ids.SELECTION_INFO)
    pointer_at(dash_duo, 0.5, 0.5).click().perform()
    one = state(dash_duo, lambda s: len(s["selection"]) == 1 and "selection" in s["layers"], "one area selected by a click")
    wait_for(dash_duo, lambda: "Keine Auswahl" not in text(dash_duo, ids.SELECTION_INFO), "the selection line names the area")

    # box selection: the tool, then a drag over the middle of the city selects many Planungsräume
    dash_duo.find_element(f"#{ids.MAP} [data-tool=box]").click()
    assert dash_duo.find_element(f"#{ids.MAP} [data-tool=box]").get_attribute("aria-pressed") == "true"
    pointer_at(dash_duo, 0.42, 0.4).click_and_hold().move_by_offset(40, 20).move_by_offset(60, 30).release().perform()
    many = state(dash_duo, lambda s: len(s["selection"]) > 5, "a box selection of several areas")
    assert one["selection"] != many["selection"]
    assert all(len(i) == 8 and i.isdigit() for i in many["selection"])  # Planungsraum ids

    # a basis switch: the new geometry is fetched and drawn (the old basis' ids are never looked up in it)
    dash_duo.driver.execute_script("window.scrollTo(0, 0);")
    choose(dash_duo, ids.BASIS, "Bezirksregion (143)")
    regions = state(dash_duo, lambda s: s["idle"] and s["drawn"] == 143, "143 Bezirksregionen drawn after the switch")
    assert any(lay.startswith("areas-geo/bezirksregion") for lay in regions["layers"])

    # keyboard: the map takes focus; + zooms in, an arrow key pans
    view = state(dash_duo, lambda s: s["view"], "a view")["view"]
    canvas(dash_duo).send_keys("+")
    zoomed = state(dash_duo, lambda s: s["view"]["zoom"] > view["zoom"] + 0.5, "zoomed in by the + key")
    canvas(dash_duo).send_keys("\ue014")  # the right-arrow key
    state(dash_duo, lambda s: s["view"]["longitude"] > zoomed["view"]["longitude"], "panned east by the arrow key")

    severe = [e for e in dash_duo.get_logs() if e["level"] == "SEVERE"]
    assert severe == [], severe


LABEL_OFFSETS_JS = """
const el = document.getElementById('%s'), vp = el.__deckmap.deck.getViewports()[0];
const holder = el.querySelector('.qa-deck-canvas').getBoundingClientRect();
return {viewport: vp.width, holder: holder.width, offsets: Array.from(el.querySelectorAll('.qa-label-place')).map((label) => {
    const m = /translate\\((-?[0-9.]+)px, ?(-?[0-9.]+)px\\)/.exec(label.style.transform);
    const [x, y] = vp.project([Number(label.dataset.lon), Number(label.dataset.lat)]);
    return m ? Math.hypot(x - Number(m[1]), y - Number(m[2])) : 1e9;
})};
""" % ids.MAP


def test_the_map_labels_follow_a_resize_of_a_panned_map(dash_duo, webgl, berlin_bundle):
    """A resize keeps a view panned by hand and moves where each place lies on screen: the names move with them."""
    dash_duo.driver.set_window_size(1366, 900)
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    view = state(dash_duo, lambda s: s["idle"] and s["drawn"] == 542 and s["view"], "542 Planungsräume drawn")["view"]
    canvas(dash_duo).send_keys("\ue014")  # the right-arrow key pans: the map is no longer at its fitted view
    state(dash_duo, lambda s: s["view"]["longitude"] > view["longitude"], "panned east by the arrow key")
    before = dash_duo.driver.execute_script(LABEL_OFFSETS_JS)
    assert before["viewport"] == pytest.approx(before["holder"], abs=1) and max(before["offsets"]) < 2, before
    dash_duo.driver.set_window_size(1800, 900)
    # once deck.gl draws at the new size (the same centre, so every place moves by half the change in width)
    after = wait_for(dash_duo, lambda: (lambda s: s if abs(s["viewport"] - s["holder"]) < 1 and s["holder"] > before["holder"] + 100 else None)(
        dash_duo.driver.execute_script(LABEL_OFFSETS_JS)), "the map drawn at its new size")
    time.sleep(0.5)
    after = dash_duo.driver.execute_script(LABEL_OFFSETS_JS)
    assert len(after["offsets"]) == 12 and max(after["offsets"]) < 2, after


def test_the_webgl_map_recolours_at_h3_res_9_and_shows_overlay_and_scenario_site(dash_duo, webgl, berlin_bundle):
    site = Scenario("Neubau", (Housing(Site("unit", id="08100104"), 200, persons_per_dwelling=2.0),))
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?basis=h3_9&scenario={site.to_url_param()}&map=11.00/52.48000/13.43000")
    first = state(dash_duo, lambda s: s["idle"] and s["drawn"] == 9878, "9,878 H3 cells drawn", timeout=90)
    # the link's own view (?map=zoom/lat/lon) is shown, not the whole city
    assert abs(first["view"]["zoom"] - 11) < 1e-6 and abs(first["view"]["latitude"] - 52.48) < 1e-6, first["view"]
    # the scenario's site as a point over the cells
    state(dash_duo, lambda s: "points-scenario_sites" in s["layers"], "the scenario site on the map")

    # a period switch: new values, drawn; the geometry is not fetched again
    geo_requests = lambda: dash_duo.driver.execute_script(  # noqa: E731
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('/geo/h3_9.json')).length")
    assert geo_requests() == 1
    handle = dash_duo.wait_for_element(f"#{ids.PERIOD} [role=slider]")  # dcc renders the slider in its own async chunk, maybe after the map
    handle.send_keys("\ue012")  # one Stichtag back
    older = state(dash_duo, lambda s: s["z"] != first["z"] and s["idle"], "the older Stichtag drawn")
    assert older["drawn"] == 9878 and geo_requests() == 1

    # a layer switch keeps working
    choose(dash_duo, ids.LAYER, "Lokationsquotient")
    wait_for(dash_duo, lambda: dash_duo.find_element(f"#{ids.MAP} .qa-deck-colourbar-title").text == "LQ", "the LQ colour bar")

    # the funding overlay: a line layer over the cells
    box = dash_duo.driver.find_element("css selector", f"#{ids.OVERLAYS} input[value=funding]")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", box)
    state(dash_duo, lambda s: "map-layer-1" in s["layers"], "the funding areas drawn")

    # printing: the WebGL frame goes to paper as an image
    dash_duo.driver.execute_script("window.dispatchEvent(new Event('beforeprint'));")
    src = dash_duo.driver.execute_script(f"const i = document.querySelector('#{ids.MAP} img.qa-deck-print'); return i ? i.src : '';")
    assert src.startswith("data:image/png;base64,") and len(src) > 10_000
    dash_duo.driver.execute_script("window.dispatchEvent(new Event('afterprint'));")
    assert not dash_duo.driver.find_elements("css selector", f"#{ids.MAP} img.qa-deck-print")

    severe = [e for e in dash_duo.get_logs() if e["level"] == "SEVERE"]
    assert severe == [], severe


def test_the_portal_webgl_map_draws_not_shown_areas_grey(dash_duo, webgl, berlin_bundle):
    portal = replace(webgl, values={**webgl.values, "mode": "portal"})
    dash_duo.start_server(create_app(portal, berlin_bundle.folder))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?basis=h3_10")
    drawn = state(dash_duo, lambda s: s["idle"] and s["drawn"] > 60_000, "H3 res 10 drawn in the portal", timeout=120)
    grey = drawn["not_shown"] / drawn["locations"]
    assert 0.05 < grey < 0.95, grey  # cells with few residents are not shown: grey, neither coloured nor missing
    assert drawn["locations"] > 60_000
    time.sleep(0.5)
    severe = [e for e in dash_duo.get_logs() if e["level"] == "SEVERE"]
    assert severe == [], severe


def test_a_language_switch_renames_the_map_and_refills_the_open_topic(dash_duo, webgl, berlin_bundle):
    from dashboard.sections import segregation

    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    state(dash_duo, lambda s: s["idle"] and s["drawn"] == 542, "542 Planungsräume drawn")
    label = lambda: canvas(dash_duo).get_attribute("aria-label")  # noqa: E731
    assert "Pfeiltasten" in label()
    dash_duo.driver.execute_script("document.querySelector('.tab-segregation .nav-link').click();")
    wait_for(dash_duo, lambda: dash_duo.driver.find_elements("css selector", f"#{segregation.CHART} .main-svg"), "the segregation chart")
    english = dash_duo.driver.find_element("xpath", f"//*[@id='{ids.LANGUAGE}']//label[normalize-space()='English']")
    dash_duo.driver.execute_script("arguments[0].click();", english)
    wait_for(dash_duo, lambda: "arrow keys" in (label() or ""), "the map named in English")
    # the rebuilt tabs: the open topic is filled again, in English
    wait_for(dash_duo, lambda: "Dissimilarity" in dash_duo.driver.execute_script(
        "const c = document.getElementById(arguments[0]); return c ? c.textContent : '';", segregation.CHART), "the English chart")
    severe = [e for e in dash_duo.get_logs() if e["level"] == "SEVERE"]
    assert severe == [], severe


FETCH_LOG_JS = """
window.__callbacks = [];
const fetchNow = window.fetch;
window.fetch = function(url, options) {
    if (String(url).includes('_dash-update-component') && options && options.body) {
        const entry = {output: JSON.parse(options.body).output, start: performance.now(), end: null};
        window.__callbacks.push(entry);
        return fetchNow.apply(this, arguments).then((r) => { entry.end = performance.now(); return r; });
    }
    return fetchNow.apply(this, arguments);
};
"""


def test_a_link_opens_drawn_without_callback_requests_and_back_restores_the_state(dash_duo, webgl, berlin_bundle):
    """Issue 19: at most 5 callback requests on page load; this page makes none (its views come with the layout, built in
    the link's state), and a period switch on the overview costs the topic tabs no request."""
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?basis=bezirksregion&district=01&lang=en")
    first = state(dash_duo, lambda s: s["idle"] and s["drawn"] == 143, "143 Bezirksregionen drawn")
    time.sleep(1.5)  # anything the page would still ask for
    requests = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-update-component')).length")
    assert requests == 0
    # the layout once, asked for by the page's preload while the scripts loaded (the renderer took that answer)
    layout = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-layout')).map(e => e.initiatorType)")
    assert layout == ["link"], layout
    # the geometry too, each once: the map's bundle took the HTML's preloads (dashboard/first_view.py) as it ran
    geometry = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('/geo/')).map(e => [new URL(e.name).pathname, e.initiatorType])")
    assert sorted(geometry) == [["/geo/bezirk.json", "link"], ["/geo/bezirksregion.json", "link"]], geometry
    assert "Mitte" in text(dash_duo, ids.CARDS) and "Share of group" in text(dash_duo, ids.LEGEND)
    link = dash_duo.find_element(f"#{ids.LINK_TEXT}").get_attribute("value")
    assert "basis=bezirksregion" in link and "district=01" in link and "lang=en" in link

    # a period switch on the overview: the map, its views and the link; no topic tab's callback
    dash_duo.driver.execute_script(FETCH_LOG_JS)
    handle = dash_duo.wait_for_element(f"#{ids.PERIOD} [role=slider]")  # dcc renders the slider in its own async chunk, maybe after the map
    start = handle.get_attribute("aria-valuenow")
    handle.send_keys("\ue012")  # one Stichtag back
    older = state(dash_duo, lambda s: s["z"] != first["z"] and s["idle"], "the older Stichtag drawn")
    wait_for(dash_duo, lambda: "period=" in dash_duo.driver.execute_script("return location.search"), "the link written")
    followers = (ids.CARDS, ids.DETAIL, a11y.SUMMARY)  # the views follow the map: wait until their answers are in
    wait_for(dash_duo, lambda: len([e for e in dash_duo.driver.execute_script("return window.__callbacks")
                                    if e["end"] is not None and any(view in e["output"] for view in followers)]) == 3, "the views' answers")
    time.sleep(0.5)  # anything else the switch would still ask for
    log = dash_duo.driver.execute_script("return window.__callbacks")
    sent = [entry["output"] for entry in log]
    assert any(ids.MAP in out for out in sent) and any(ids.CARDS in out for out in sent)
    topics = ("segregation", "education", "infrastructure", "accommodation", "scenario-effects")
    assert not [out for out in sent if any(topic in out for topic in topics)], sent
    # the map asks alone; the views, the detail and the summary ask once its answer is in; the closed table does not ask
    answered = next(entry["end"] for entry in log if entry["output"].startswith(f"..{ids.MAP}.figure"))
    followers = [entry for entry in log if any(view in entry["output"] for view in followers)]
    assert len(followers) == 3 and all(entry["start"] >= answered for entry in followers), log
    assert not [out for out in sent if a11y.TABLE in out or a11y.PAGE in out], sent
    assert len(sent) <= 5, sent  # map, link, views, detail, summary (there were 8)

    # back: the link's own state again, through the URL callback
    dash_duo.driver.back()
    wait_for(dash_duo, lambda: handle.get_attribute("aria-valuenow") == start, "the Stichtag of the link restored")
    state(dash_duo, lambda s: s["z"] == first["z"] and s["z"] != older["z"] and s["idle"], "the link's values drawn again")
    # and forward again: going back wrote no new history entry (the link, as typed, already shows this state)
    dash_duo.driver.forward()
    wait_for(dash_duo, lambda: handle.get_attribute("aria-valuenow") != start, "the switched Stichtag again after forward")
    state(dash_duo, lambda s: s["z"] == older["z"] and s["idle"], "the switched Stichtag's values drawn again")
    severe = [e for e in dash_duo.get_logs() if e["level"] == "SEVERE"]
    assert severe == [], severe


def test_a_map_whose_geometry_failed_asks_again_by_itself(dash_duo, webgl, berlin_bundle):
    """A link's first view runs no callback, so nothing else would ask for the geometry again: the preloaded answer and
    the map's own request both fail here (the browser refuses the address), and once the address answers again the map
    draws without the user doing anything (it asks again after 10 s)."""
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    state(dash_duo, lambda s: s["idle"] and s["drawn"] == 542, "542 Planungsräume drawn")
    driver = dash_duo.driver
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/geo/bezirksregion.json*"]})
    try:
        dash_duo.wait_for_page(f"{dash_duo.server_url}/?basis=bezirksregion")
        time.sleep(3)
        assert driver.execute_script(STATE_JS)["drawn"] == 0
        assert any("map geometry" in entry["message"] for entry in dash_duo.get_logs() or []), "the map reports the failure"
    finally:
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    unblocked = time.time()
    state(dash_duo, lambda s: s["idle"] and s["drawn"] == 143, "143 Bezirksregionen drawn once the address answers", 30)
    assert time.time() - unblocked < 20


def test_after_a_period_switch_the_hover_reads_as_the_table(dash_duo, webgl, berlin_bundle):
    """A period switch sends the values compact (whole numbers of their last shown decimal, bytes in planes) and only
    the parts that changed. What a person reads in the hover after it must be the table's figure for that area and
    Stichtag, residents included, and the legend must name that Stichtag."""
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    first = state(dash_duo, lambda s: s["idle"] and s["drawn"] == 542, "542 Planungsräume drawn")
    handle = dash_duo.wait_for_element(f"#{ids.PERIOD} [role=slider]")
    handle.send_keys("\ue012")  # one Stichtag back
    state(dash_duo, lambda s: s["idle"] and s["z"] != first["z"], "the values of the Stichtag before drawn")
    period = berlin_bundle.periods[-2]
    stichtag = f"{period[8:10]}.{period[5:7]}.{period[:4]}"
    assert f"Stichtag {stichtag}" in text(dash_duo, ids.LEGEND)
    pointer_at(dash_duo, 0.5, 0.5).perform()
    hover = wait_for(dash_duo, lambda: dash_duo.driver.execute_script(TOOLTIP_JS), "a hover text")
    unit = re.search(r"\((\d{8})\)", hover).group(1)
    row = run_query(berlin_bundle, webgl, LayerQuery("migration_share", Basis.parse("planungsraum"), period, group="mig_bg")).values.loc[unit]
    assert f"Anteil der Gruppe: {format_number(row['value'], 'de', 1)} %" in hover, hover
    assert f"Einwohner/innen: {format_number(row['residents'], 'de', 0)}" in hover and f"Stichtag {stichtag}" in hover, hover
