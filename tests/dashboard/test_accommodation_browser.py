"""The planner's accommodation flow in headless Chromium on the demo city: see how places are spread, screen three
suggested sites, place one as a scenario and see the layers respond; Berlin says it has no open list of sites."""

from __future__ import annotations

import pytest

from dashboard.app import create_app
from dashboard.sections import accommodation as acc
from tests.dashboard.test_browser import map_state
from tests.dashboard.test_linked_views_browser import text, wait_for
from tests.dashboard.test_scenario_browser import EFFECT_JS, german_number

pytestmark = pytest.mark.browser


def _click(dash_duo, selector: str) -> None:
    dash_duo.driver.execute_script("const e = document.querySelector(arguments[0]); e.scrollIntoView({block: 'center'}); e.click();",
                                   selector)


def test_spread_screen_three_sites_and_place_one(dash_duo, settings, demo_bundle):
    dash_duo.start_server(create_app(settings, demo_bundle.folder))
    map_state(dash_duo, lambda s: s["drawn"] > 10)
    _click(dash_duo, ".tab-accommodation .nav-link")
    gini = wait_for(dash_duo, lambda: text(dash_duo, "accommodation-gini"), "the concentration line", timeout=60)
    assert "Gini = 0," in gini
    rows = dash_duo.driver.find_elements("css selector", "#accommodation-area-table tbody tr")
    assert len(rows) == len(demo_bundle.units_of(demo_bundle.levels[1].id))  # one row per area of the second level

    _click(dash_duo, "#accommodation-tabs .nav-item:nth-child(2) .nav-link")
    _click(dash_duo, f"#{acc.SUGGEST}")
    wait_for(dash_duo, lambda: len(dash_duo.driver.find_elements("css selector", f"#{acc.SCREENING} .card")) == 3, "three screened sites",
             timeout=150)
    first = text(dash_duo, "accommodation-screening-table-1")
    for component in ("Kita mit freien Plätzen", "Haltestelle ÖPNV", "Unterkunftsplätze in der Nähe"):
        assert component in first
    assert "Punktzahl" in text(dash_duo, acc.SCREENING)

    _click(dash_duo, f"button[id*='{acc.PLACE}']")
    wait_for(dash_duo, lambda: "ins Szenario übernommen" in text(dash_duo, acc.MESSAGE), "the placed site")
    _click(dash_duo, ".tab-scenario .nav-link")
    listed = wait_for(dash_duo, lambda: (lambda s: s if s.startswith("1.") else None)(text(dash_duo, "scenario-list")), "the site in the list")
    assert "200 Plätze" in listed
    cells = wait_for(dash_duo, lambda: dash_duo.driver.execute_script(EFFECT_JS, "residents"), "the effects table", timeout=120)
    assert german_number(cells[3]) == pytest.approx(180)  # 200 places × 90 % occupancy
    places = wait_for(dash_duo, lambda: dash_duo.driver.execute_script(
        "const r = document.querySelector('tr.scenario-effect-accommodation_per_1000');"
        "return r ? Array.from(r.querySelectorAll('td')).map(td => td.textContent) : null;"), "the accommodation row")
    assert german_number(places[3]) > 0
    severe = [entry for entry in dash_duo.get_logs() if entry["level"] == "SEVERE"]
    assert severe == [], severe


def test_berlin_says_it_has_no_open_list_of_sites(dash_duo, settings, berlin_bundle):
    dash_duo.start_server(create_app(settings, berlin_bundle.folder))
    map_state(dash_duo, lambda s: s["drawn"] > 400)
    _click(dash_duo, ".tab-accommodation .nav-link")
    note = wait_for(dash_duo, lambda: text(dash_duo, "accommodation-no-sites"), "the notice")
    assert "keine offene Liste der Unterkünfte" in note and "Import-Art „accommodation“" in note
    _click(dash_duo, "#accommodation-tabs .nav-item:nth-child(3) .nav-link")
    housing = wait_for(dash_duo, lambda: text(dash_duo, acc.HOUSING), "the housing tab", timeout=60)
    assert "keinen Wohnungsbestand" in housing and "einfacher Wohnlage" in housing  # MSS housing indicators shown
