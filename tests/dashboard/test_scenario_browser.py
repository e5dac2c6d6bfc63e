"""The scenario panel in headless Chromium on the real Berlin bundle: place 200 dwellings by a map click, see Kita demand rise."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys

from dashboard import ids
from dashboard.app import create_app
from dashboard.sections import scenario as sc
from tests.dashboard.test_browser import choose, map_state
from tests.dashboard.test_linked_views_browser import CLICK_JS, VIEW_JS, text, wait_for

pytestmark = pytest.mark.browser

EFFECT_JS = """
// the cells of the first effects-table row of a figure (class scenario-effect-<key>) for the area scope
const row = Array.from(document.querySelectorAll('tr.scenario-effect-' + arguments[0])).find(r => r.id.includes('-area-'));
return row ? Array.from(row.querySelectorAll('td')).map(td => td.textContent) : null;
"""

def german_number(cell: str) -> float:
    return float(cell.replace("+", "").replace(".", "").replace(",", ".").replace("−", "-"))


def test_place_200_dwellings_by_clicking_the_map(dash_duo, settings, berlin_bundle):
    dash_duo.start_server(create_app(settings, berlin_bundle.folder))
    map_state(dash_duo, lambda s: s["drawn"] > 400)

    # zoom to Neukölln, so the click lands on one of its Planungsräume
    before = dash_duo.driver.execute_script(VIEW_JS)
    choose(dash_duo, ids.DISTRICT, "Neukölln")
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script(VIEW_JS)["zoom"] > before["zoom"] + 0.5, "the map zoomed to Neukölln")

    # the scenario tab: new housing, 200 dwellings, "place on the map"
    dash_duo.driver.execute_script("document.querySelector('.tab-scenario .nav-link').click();")
    dash_duo.wait_for_element(f"#{sc.PLACE}")
    assert "Noch keine Maßnahmen" in text(dash_duo, sc.LIST)
    housing = dash_duo.driver.find_element("xpath", f"//*[@id='{sc.KIND}']//label[normalize-space()='Neue Wohnungen']")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", housing)
    dwellings = dash_duo.find_element(f"#{sc.DWELLINGS}")
    dwellings.send_keys(Keys.CONTROL, "a")
    dwellings.send_keys("200")
    dash_duo.driver.execute_script("document.getElementById('%s').click();" % sc.PLACE)
    wait_for(dash_duo, lambda: "Klicken Sie jetzt in die Karte" in text(dash_duo, sc.HINT), "the hint to click the map")

    # click the map: the intervention lands in the clicked Planungsraum, the hint goes, nothing is selected
    dash_duo.driver.execute_script("window.scrollTo(0, 0);")
    dash_duo.driver.execute_script(CLICK_JS, 0.5, 0.5)
    listed = wait_for(dash_duo, lambda: (lambda s: s if s.startswith("1.") else None)(text(dash_duo, sc.LIST)), "the intervention in the list")
    assert "200 Wohnungen × 2,0 Personen" in listed and "(08" in listed  # a Neukölln Planungsraum (ids 08…)
    wait_for(dash_duo, lambda: text(dash_duo, sc.HINT) == "", "the hint cleared")
    assert "Keine Auswahl" in text(dash_duo, ids.SELECTION_INFO)  # the placing click did not select the area

    # the effects: Kita demand in the area and in the district rise; 400 new residents
    cells = wait_for(dash_duo, lambda: dash_duo.driver.execute_script(EFFECT_JS, "kita_demand"), "the Kita rows of the effects table",
                     timeout=240)
    baseline, scenario, difference = german_number(cells[1]), german_number(cells[2]), german_number(cells[3])
    assert difference > 0 and scenario > baseline and abs(scenario - baseline - difference) < 1.5
    assert "Kita-Bedarf" in cells[0] and "Kinder · Gebiet " in cells[0]  # unit and scope under the figure's title
    residents = dash_duo.driver.execute_script(EFFECT_JS, "residents")
    assert german_number(residents[3]) == 400
    assert "+400" in text(dash_duo, "scenario-card-residents")
    severe = [entry for entry in dash_duo.get_logs() if entry["level"] == "SEVERE"]
    assert severe == [], severe
