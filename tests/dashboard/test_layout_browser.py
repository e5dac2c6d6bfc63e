"""The dashboard layout at 1366×768 (a laptop) and at 200 % zoom (1366×768 device pixels, 683×384 CSS pixels), on the real
Berlin bundle in headless Chromium: the topic tab row takes at most two lines, the key figures are compact, the table
alternative of the map and the topics' tables fit their column without sideways scrolling, and no number is broken."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from dashboard import accessibility as a11y
from dashboard import ids
from dashboard.app import create_app
from dashboard.i18n import catalogue
from tests.dashboard.test_browser import map_state, poll_script

pytestmark = pytest.mark.browser

TABS_JS = """
const nav = document.getElementById('%s'), links = Array.from(nav.querySelectorAll('.nav-link'));
return {height: nav.getBoundingClientRect().height, line: links[0].getBoundingClientRect().height,
        rows: new Set(links.map(a => Math.round(a.getBoundingClientRect().top))).size,
        labels: links.map(a => [a.textContent.trim(), a.getAttribute('title'), a.getAttribute('aria-label')])};
""" % ids.SECTION_TABS
# elements that scroll sideways (overflow auto/scroll and wider content), and cells holding one number that the browser
# broke over more than one line
SIDEWAYS_JS = """
return Array.from(document.querySelectorAll('*')).filter(e => {
  const c = getComputedStyle(e);
  return (c.overflowX === 'auto' || c.overflowX === 'scroll') && e.scrollWidth > e.clientWidth + 1 && e.getBoundingClientRect().height > 0;
}).map(e => `${e.id || e.className} ${e.scrollWidth} > ${e.clientWidth}`);
"""
BROKEN_NUMBERS_JS = """
return Array.from(document.querySelectorAll('td, th, .dash-cell-value'))
  .filter(e => /^[−+-]?[0-9.,]+ ?%?$/.test(e.textContent.trim()) && e.getBoundingClientRect().height > 0)
  .filter(e => { const r = document.createRange(); r.selectNodeContents(e);
                 return new Set(Array.from(r.getClientRects()).map(q => Math.round(q.top))).size > 1; })
  .map(e => e.textContent.trim());
"""
# column heads broken inside a word: a word (between spaces, after a hyphen or slash, or at a soft hyphen or zero-width
# space) whose letters do not all stand on one line (on one column where the head stands upright)
BROKEN_HEADS_JS = r"""
const out = [];
for (const th of document.querySelectorAll('th')) {
  if (th.getBoundingClientRect().height === 0) continue;
  const walk = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (n.parentElement.closest('.visually-hidden')) continue;
    const upright = getComputedStyle(n.parentElement).writingMode.startsWith('vertical'), words = /[^\s\u00ad\u200b\/-]+[\/-]?/g;
    for (let m = words.exec(n.nodeValue); m; m = words.exec(n.nodeValue)) {
      const lines = new Set();
      for (let i = m.index; i < m.index + m[0].length; i++) {
        const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
        const q = Array.from(r.getClientRects()).pop();  // the last box: a soft hyphen's dash shows on the line before
        if (q) lines.add(Math.round(upright ? q.left + q.width / 2 : q.top + q.height / 2));
      }
      if (lines.size > 1) out.push(`${th.textContent.trim()}: ${m[0]}`);
    }
  }
}
return out;
"""
TABLE_ROWS_JS = "return document.querySelectorAll('#%s tbody tr').length" % a11y.TABLE


def viewport(dash_duo, width: int, height: int, scale: float = 1.0) -> None:
    """The page's CSS viewport `width`×`height` at `scale` device pixels per CSS pixel (2: the browser's 200 % zoom)."""
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False})


def open_tab(dash_duo, section: str, ready_js: str) -> None:
    dash_duo.driver.execute_script(f"document.querySelector('.tab-{section} .nav-link').click()")
    poll_script(dash_duo, ready_js, bool, 40, f"the {section} tab did not fill")


def tab_row(dash_duo) -> dict:
    return poll_script(dash_duo, TABS_JS, lambda s: s["labels"] and s["line"] > 0, 20, "no tab row")


def open_table_alternative(dash_duo) -> None:
    dash_duo.driver.execute_script(f"document.getElementById('{a11y.TOGGLE}').click()")
    poll_script(dash_duo, TABLE_ROWS_JS, lambda n: n > 10, 30, "the table alternative did not open")


def test_dashboard_fits_1366(dash_duo, settings, berlin_bundle):
    """German at 1366×768: one tab row (short labels, full names as tooltip and accessible name), compact key figures, the
    table alternative and the segregation, infrastructure and education tables within their column, every number whole."""
    viewport(dash_duo, 1366, 768)
    dash_duo.start_server(create_app(settings, berlin_bundle.folder))
    map_state(dash_duo, lambda s: s["drawn"] > 400)
    de = catalogue()["de"]
    tabs = poll_script(dash_duo, TABS_JS, lambda s: any(label[1] for label in s["labels"]), 20, "no full name on a short tab label")
    assert tabs["rows"] == 1 and tabs["height"] <= 1.5 * tabs["line"], tabs
    names = {label: (title, aria) for label, title, aria in tabs["labels"]}
    assert names[de["infrastructure_title"]] == (de["infrastructure_title_full"],) * 2
    assert names[de["accommodation_title"]] == (de["accommodation_title_full"],) * 2
    assert names[de["overview"]] == (None, None)

    cards = dash_duo.driver.execute_script(
        "const s = document.querySelector('.qa-key-figures'); return {height: s.getBoundingClientRect().height,"
        " cut: Array.from(s.querySelectorAll('.card-body *')).filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)};")
    assert cards["height"] <= 130 and cards["cut"] == [], cards  # three lines of the city card wrapped to six before

    open_table_alternative(dash_duo)
    assert dash_duo.driver.execute_script(SIDEWAYS_JS) == []
    open_tab(dash_duo, "segregation", "return document.querySelectorAll('#segregation-table td').length > 20")
    open_tab(dash_duo, "infrastructure", "return document.querySelectorAll('#infrastructure-panel table td').length > 20")
    assert dash_duo.driver.execute_script(SIDEWAYS_JS) == []
    assert dash_duo.driver.execute_script(BROKEN_NUMBERS_JS) == []
    assert dash_duo.driver.execute_script(BROKEN_HEADS_JS) == []
    dash_duo.driver.execute_script("document.querySelector('.tab-segregation .nav-link').click()")
    assert poll_script(dash_duo, "return document.querySelector('#segregation-table').getBoundingClientRect().height > 0", bool, 10, "")
    assert dash_duo.driver.execute_script(SIDEWAYS_JS) == []
    assert dash_duo.driver.execute_script(BROKEN_NUMBERS_JS) == []
    assert dash_duo.driver.execute_script(BROKEN_HEADS_JS) == []
    # the education tables: the Kita view, then the primary schools (the longest heads)
    open_tab(dash_duo, "education", "return document.querySelectorAll('#education-table td').length > 20")
    kita_title = dash_duo.driver.execute_script("return document.getElementById('education-table-title').textContent")
    dash_duo.driver.execute_script("document.querySelector('#education-view input[value=primary_school]').click()")
    poll_script(dash_duo, f"return document.getElementById('education-table-title').textContent !== {json.dumps(kita_title)}"
                " && document.querySelectorAll('#education-table td').length > 20", bool, 40, "the school table did not fill")
    assert dash_duo.driver.execute_script(SIDEWAYS_JS) == []
    assert dash_duo.driver.execute_script(BROKEN_NUMBERS_JS) == []
    assert dash_duo.driver.execute_script(BROKEN_HEADS_JS) == []


@pytest.mark.parametrize("scale", [1, 2])
def test_english_tab_row_and_table_fit(dash_duo, settings, berlin_bundle, scale):
    """English, at 1366×768 and at 200 % zoom: the tab row takes at most two lines (three before), the table alternative
    does not scroll sideways, its heads break only between words."""
    viewport(dash_duo, 1366 // scale, 768 // scale, scale)
    dash_duo.start_server(create_app(settings, berlin_bundle.folder))
    map_state(dash_duo, lambda s: s["drawn"] > 400)
    dash_duo.driver.get(dash_duo.server_url + "/?lang=en")
    map_state(dash_duo, lambda s: s["drawn"] > 400)
    tabs = poll_script(dash_duo, TABS_JS, lambda s: s["labels"][0][0] == catalogue()["en"]["overview"], 20, "no English tabs")
    assert tabs["rows"] <= 2 and tabs["height"] <= 2.5 * tabs["line"], tabs
    open_table_alternative(dash_duo)
    assert dash_duo.driver.execute_script(SIDEWAYS_JS) == []
    assert dash_duo.driver.execute_script(BROKEN_NUMBERS_JS) == []
    assert dash_duo.driver.execute_script(BROKEN_HEADS_JS) == []


def test_portal_tab_row_is_one_line(dash_duo, settings, berlin_bundle):
    viewport(dash_duo, 1366, 768)
    dash_duo.start_server(create_app(replace(settings, values={**settings.values, "mode": "portal"}), berlin_bundle.folder))
    map_state(dash_duo, lambda s: s["drawn"] > 400)
    tabs = tab_row(dash_duo)
    assert tabs["rows"] == 1, tabs
