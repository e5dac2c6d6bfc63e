"""Automated accessibility check (axe-core, pinned, installed by scripts/test.sh) and keyboard use, in headless Chromium on
the real Berlin bundle: the main page in planner and portal mode with the table alternative open, the briefing and the
area profile. Serious and critical violations fail; the rest are written to .cache/axe/report-<page>.json and listed in
docs/accessibility.md ("Findings that remain")."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from dashboard import accessibility as a11y
from dashboard.app import create_app

pytestmark = pytest.mark.browser

AXE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
FAIL_IMPACTS = ("serious", "critical")
# Serious findings in other topics' components that this topic cannot fix from outside (docs/accessibility.md, "Findings that
# remain"): page → {rule id: the number of elements measured}; more elements than that fail, so new ones are caught.
KNOWN = {"tab-scenario": {"label": 8}}
MAP_IDLE_JS = """
const gd = document.querySelector('#map-graph .js-plotly-plot');
const m = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot && gd._fullLayout.map._subplot.map;
return !!(m && m.loaded() && m.areTilesLoaded() && m.queryRenderedFeatures().length > 0);
"""
RUN_AXE_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
   .then(r => done({version: axe.version, violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}))}))
   .catch(e => done({error: String(e)}));
"""


def wait_for(driver, js: str, timeout: float = 60.0, what: str = "condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = driver.execute_script(js)
        if value:
            return value
        time.sleep(0.4)
    raise AssertionError(f"timed out waiting for {what}")


def run_axe(driver, page: str) -> list[dict]:
    """Inject the pinned axe-core and run it on the page; fail on serious/critical violations, report the rest."""
    assert AXE_JS.is_file(), f"{AXE_JS} is missing: run scripts/test.sh (it installs axe-core@{AXE_VERSION} from npm)"
    driver.set_script_timeout(120)
    driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
    result = driver.execute_async_script(RUN_AXE_JS)
    assert "error" not in result, result
    assert result["version"] == AXE_VERSION
    violations = result["violations"]
    (AXE_DIR / f"report-{page}.json").write_text(json.dumps(violations, indent=1, ensure_ascii=False), encoding="utf-8")
    known = KNOWN.get(page, {})
    serious = [f"{v['impact']} {v['id']} ({len(v['nodes'])}×): {v['help']} — {v['nodes'][0]['target']}" for v in violations
               if v["impact"] in FAIL_IMPACTS and len(v["nodes"]) > known.get(v["id"], 0)]
    assert not serious, f"{page}: " + "; ".join(serious)
    return violations


def active(driver) -> dict:
    return driver.execute_script("const e = document.activeElement; return {id: e.id, role: e.getAttribute('role'), "
                                 "text: (e.textContent || '').trim().slice(0, 60), tag: e.tagName};")


def press(driver, *keys, pause: float = 0.3) -> dict:
    ActionChains(driver).send_keys(*keys).perform()
    time.sleep(pause)
    return active(driver)


@pytest.mark.parametrize("mode", ["planner", "portal"])
def test_axe_and_keyboard_main_page(dash_duo, settings, berlin_bundle, mode):
    app = create_app(replace(settings, values={**settings.values, "mode": mode, "cache_type": "SimpleCache"}), berlin_bundle.folder)
    dash_duo.start_server(app)
    driver = dash_duo.driver
    wait_for(driver, MAP_IDLE_JS, what="the map")
    assert driver.execute_script("return document.documentElement.lang") == "de"

    # keyboard: the first Tab reaches the skip links; the table skip link leads to the toggle, Enter opens the table
    driver.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
    assert press(driver, Keys.TAB)["id"] == a11y.SKIP_MAP
    assert press(driver, Keys.TAB)["id"] == a11y.SKIP_TABLE
    press(driver, Keys.ENTER)
    assert active(driver)["id"] == a11y.TOGGLE
    press(driver, Keys.ENTER)
    assert driver.find_element("id", a11y.TOGGLE).get_attribute("aria-expanded") == "true"
    wait_for(driver, f"return document.querySelectorAll('#{a11y.TABLE} tbody tr').length >= 50", 30, "the table rows")
    status = driver.find_element("id", a11y.PAGE_STATUS).text
    assert status.startswith("Seite 1 von 11") and "von 542" in status
    # Tab moves on into the table region: filter, sort, order, the scrollable table, then the paging buttons; "next" pages
    reached = [press(driver, Keys.TAB) for _ in range(4)]
    assert [r["id"] for r in reached] == [a11y.FILTER, a11y.SORT, a11y.ORDER, a11y.TABLE]
    first = driver.execute_script(f"return document.querySelector('#{a11y.TABLE} tbody th').textContent")
    press(driver, Keys.TAB)
    nxt = press(driver, Keys.TAB, Keys.TAB)
    assert "Seite" in nxt["text"] or "Nächste" in nxt["text"], nxt
    press(driver, Keys.ENTER)
    wait_for(driver, f"return document.getElementById('{a11y.PAGE_STATUS}').textContent.startsWith('Seite 2 von')", 20, "page 2")
    assert driver.execute_script(f"return document.querySelector('#{a11y.TABLE} tbody th').textContent") != first
    if mode == "portal":
        values = driver.execute_script(f"return Array.from(document.querySelectorAll('#{a11y.SORT} option')).map(o => o.value)")
        assert [v for v in values if v] == ["name"]  # no order by value in the portal

    # section tabs: the active tab is a tab stop, arrow keys move to and activate the next tab
    driver.execute_script("document.querySelector('[role=tablist] [role=tab][aria-selected=true]').focus()")
    assert active(driver)["role"] == "tab"
    moved = press(driver, Keys.ARROW_RIGHT, pause=1.0)
    assert moved["role"] == "tab" and moved["text"] != "Überblick"
    assert driver.execute_script("return document.activeElement.getAttribute('aria-selected')") == "true"
    press(driver, Keys.HOME, pause=1.0)

    driver.execute_script(f"document.getElementById('{a11y.TOGGLE}').scrollIntoView()")
    time.sleep(1.0)
    run_axe(driver, f"main-{mode}")
    # every section tab's panel (the tab content is only in the accessibility tree while its tab is active)
    tabs = driver.execute_script("return Array.from(document.querySelectorAll('#sections-tabs > .nav-item')).map(t => t.className)")
    for cls in tabs:
        section = next(c[4:] for c in cls.split() if c.startswith("tab-"))
        if section == "overview":
            continue
        driver.execute_script(f"document.querySelector('.tab-{section} [role=tab]').click()")
        # the section computes when it becomes visible; while it does, its panel is dimmed (assets/waiting.css), which
        # axe would rightly count as too little contrast: wait until Dash has no update running
        time.sleep(1.5)
        wait_for(driver, "return document.querySelectorAll('[data-dash-is-loading]').length === 0", 90, f"the {section} tab computed")
        time.sleep(1.0)
        run_axe(driver, f"tab-{section}" if mode == "planner" else f"tab-{section}-portal")
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]]
    assert not errors, errors


def test_axe_briefing_and_area_profile(dash_duo, settings, berlin_bundle):
    app = create_app(replace(settings, values={**settings.values, "mode": "portal", "cache_type": "SimpleCache"}), berlin_bundle.folder)
    dash_duo.start_server(app)
    driver = dash_duo.driver
    region = "01100101"[:6]  # Bezirksregion 011001 (Mitte)
    for page, path in (("briefing", f"/briefing?basis=bezirksregion&sel={region}"), ("area", f"/area/{region}")):
        driver.get(dash_duo.server_url + path)
        wait_for(driver, "return document.readyState === 'complete' && document.querySelector('h1') !== null", 60, page)
        assert driver.execute_script("return document.documentElement.lang") == "de"
        run_axe(driver, page)


def test_the_table_follows_the_map_while_open_and_reopens_on_its_first_page(dash_duo, settings, berlin_bundle):
    """The table alternative asks for its rows after the map's answer, only while it is open; a change made while it is
    closed brings it back on its first page (issue 19: the views follow the map)."""
    from dashboard import ids

    dash_duo.start_server(create_app(replace(settings, values={**settings.values, "cache_type": "SimpleCache"}), berlin_bundle.folder))
    driver = dash_duo.driver
    wait_for(driver, MAP_IDLE_JS, what="the map")
    caption = f"return document.getElementById('{a11y.CAPTION}') ? document.getElementById('{a11y.CAPTION}').textContent : ''"
    driver.execute_script(f"document.getElementById('{a11y.TOGGLE}').click()")
    wait_for(driver, f"return document.getElementById('{a11y.PAGE_STATUS}').textContent.startsWith('Seite 1 von')", 30, "page 1")
    before = driver.execute_script(caption)
    assert "31.12.2024" in before
    slider = driver.find_element("css selector", f"#{ids.PERIOD} [role=slider]")
    driver.execute_script("arguments[0].focus()", slider)
    slider.send_keys(Keys.ARROW_LEFT)  # one Stichtag back, with the table open: its caption follows
    wait_for(driver, f"const c = document.getElementById('{a11y.CAPTION}'); return c && c.textContent.includes('30.06.2024')", 30,
             "the table of the older Stichtag")
    driver.execute_script("Array.from(document.querySelectorAll('button')).find(b => b.id.includes('\"to\":\"next\"')).click()")
    wait_for(driver, f"return document.getElementById('{a11y.PAGE_STATUS}').textContent.startsWith('Seite 2 von')", 30, "page 2")
    driver.execute_script(f"document.getElementById('{a11y.TOGGLE}').click()")  # closed
    driver.execute_script("arguments[0].focus()", slider)
    slider.send_keys(Keys.ARROW_RIGHT)  # back to 31.12.2024 while the table is closed
    time.sleep(3.0)  # the map's answer (under a second) arrives while the table is still closed
    driver.execute_script(f"document.getElementById('{a11y.TOGGLE}').click()")  # open again
    wait_for(driver, f"const s = document.getElementById('{a11y.PAGE_STATUS}').textContent, c = document.getElementById('{a11y.CAPTION}');"
                     " return s.startsWith('Seite 1 von') && c && c.textContent.includes('31.12.2024')", 30, "page 1 of the newest Stichtag")
