"""English is complete: with ?lang=en every tab, control and footer is English, no internal key shows, and switching
back gives German again (real Berlin, headless Debian Chromium)."""

from __future__ import annotations

import re
import time

import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.i18n import catalogue
from tests.dashboard.test_browser import poll_script

pytestmark = pytest.mark.browser

TAB_TEXT_JS = """
const panes = Array.from(document.querySelectorAll('#%s ~ .tab-content .tab-pane, .tab-content .tab-pane'));
return {labels: Array.from(document.querySelectorAll('#%s .nav-link')).map(e => e.textContent.trim()),
        panes: panes.map(p => p.innerText), footer: (document.getElementById('%s') || {innerText: ''}).innerText};
""" % (ids.SECTION_TABS, ids.SECTION_TABS, ids.SOURCES)

# German texts of the panels' own controls (the catalogue's, so this follows the wording) and internal keys
INTERNAL_KEYS = ("soziale_erhaltungsgebiet", "gaussian", "sehr niedrig", "not verified", "quartiersatlas import", "facility_composition")


def _panel_texts(lang: str) -> list[str]:
    keys = ("segregation_group", "education_show_facilities", "table_order", "scenario_form_title", "infrastructure_area")
    return [catalogue()[lang][k] for k in keys if k in catalogue()[lang] and catalogue()["de"][k] != catalogue()["en"][k]]


def _page(dash_duo, until, timeout: float = 40.0) -> dict:
    return poll_script(dash_duo, TAB_TEXT_JS, until, timeout, "page did not reach the expected language")


def test_english_is_complete_and_switches_back(dash_duo, settings, berlin_bundle):
    dash_duo.start_server(create_app(settings, berlin_bundle.folder))
    dash_duo.wait_for_element(f"#{ids.MAP}")
    dash_duo.driver.get(dash_duo.server_url + "/?lang=en")
    english = _page(dash_duo, lambda p: p["labels"] and p["labels"][0] == catalogue()["en"]["overview"]
                    and all(text in "\n".join(p["panes"]) for text in _panel_texts("en")[:3]))
    assert english["labels"][:4] == ["Overview", "Segregation", "Education", catalogue()["en"]["infrastructure_title"]]
    shown = "\n".join(english["panes"]) + english["footer"]
    for german in _panel_texts("de"):
        assert german not in shown, german
    for key in INTERNAL_KEYS:
        assert key not in shown, key
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", "\n".join(english["panes"])), re.findall(r"\b[a-z]+_[a-z_]+\b", shown)[:5]

    search = poll_script(dash_duo, "const e = document.querySelector('#%s'); return e && e.innerText;" % ids.AREA_SEARCH,
                         lambda text: text.strip() == catalogue()["en"]["area_search_placeholder"], 20,
                         "the area search does not speak English")
    assert search.strip() == "Name or number"

    time.sleep(2)
    # the rebuilt scenario panel's buttons fire with no clicks: that must not start placing a site
    assert dash_duo.driver.find_element("css selector", f"#{ids.MAP_HINT}").text == ""
    assert "Förder" not in dash_duo.driver.find_element("css selector", f"#{ids.LEGEND}").text

    dash_duo.driver.execute_script("document.querySelector('#%s input[value=de]').click()" % ids.LANGUAGE)
    german = _page(dash_duo, lambda p: p["labels"] and p["labels"][0] == catalogue()["de"]["overview"])
    assert all(text in "\n".join(german["panes"]) for text in _panel_texts("de")[:3])


def test_no_view_scrolls_sideways(dash_duo, settings, berlin_bundle):
    """At 1366×768 no tab widens the page beyond the window (wide tables scroll inside their own box)."""
    dash_duo.driver.set_window_size(1366, 768)
    dash_duo.start_server(create_app(settings, berlin_bundle.folder))
    dash_duo.wait_for_element(f"#{ids.MAP}")
    tabs = dash_duo.driver.find_elements("css selector", f"#{ids.SECTION_TABS} .nav-link")
    assert len(tabs) >= 4
    for tab in tabs:
        dash_duo.driver.execute_script("arguments[0].click()", tab)
        deadline, widths = time.time() + 15, None
        while time.time() < deadline:
            time.sleep(1.0)
            widths = dash_duo.driver.execute_script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
                " document.querySelectorAll('.tab-pane.active table, .tab-pane.active .js-plotly-plot').length]")
            if widths[2]:
                break
        assert widths[0] <= widths[1], (tab.text, widths)
