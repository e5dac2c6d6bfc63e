"""A view being updated shows it (assets/waiting.css): its box dims and a spinner turns once the update has taken half a
second, from Dash's own data-dash-is-loading attribute; only the innermost box with a running update does. Driven in
headless Chromium with a slow answer: the page's fetch holds back the answers of one callback."""

from __future__ import annotations

import time

import pytest

from dashboard import ids
from dashboard.app import create_app
from tests.dashboard.test_linked_views_browser import wait_for

pytestmark = pytest.mark.browser

HOLD_BACK_JS = """
// answers to callbacks whose outputs include `arguments[0]` arrive `arguments[1]` ms late
const output = arguments[0], late = arguments[1], before = window.fetch;
window.fetch = function (url, options) {
  const body = options && typeof options.body === 'string' ? options.body : '';
  const answer = before.apply(this, arguments);
  return body.includes(output) ? answer.then((r) => new Promise((done) => setTimeout(() => done(r), late))) : answer;
};
"""
LOOK_JS = """
const box = document.querySelector(arguments[0]).closest('.qa-waiting');
const spinner = getComputedStyle(box, '::after');
return {opacity: Number(getComputedStyle(box.firstElementChild).opacity), spinner: spinner.visibility,
        turning: spinner.animationName};
"""


def look(dash_duo, selector: str) -> dict:
    return dash_duo.driver.execute_script(LOOK_JS, selector)


def test_a_slow_map_answer_dims_the_map_after_half_a_second_and_only_the_map(dash_duo, webgl, berlin_bundle):
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script(
        "const el = document.getElementById(arguments[0]); return el && el.__deckmap && el.__deckmap.state().idle;", ids.MAP),
        "the map drawn", 90)
    assert look(dash_duo, f"#{ids.MAP}") == {"opacity": 1, "spinner": "hidden", "turning": "none"}
    dash_duo.driver.execute_script(HOLD_BACK_JS, f"{ids.MAP}.figure", 2500)
    dash_duo.wait_for_element(f"#{ids.PERIOD} [role=slider]").send_keys("\ue012")  # one Stichtag back
    wait_for(dash_duo, lambda: dash_duo.driver.find_elements("css selector", f"#{ids.LEGEND}[data-dash-is-loading]"),
             "Dash marking the map callback's legend as loading", 5)
    assert look(dash_duo, f"#{ids.MAP}")["opacity"] == 1  # not in the first half second: quick answers do not flicker
    time.sleep(0.9)
    waiting = look(dash_duo, f"#{ids.MAP}")
    assert waiting["opacity"] == pytest.approx(0.55) and waiting["spinner"] == "visible" and waiting["turning"] == "qa-waiting-turn"
    assert look(dash_duo, f"#{ids.HISTOGRAM}")["opacity"] == 1  # the views wait for the map; their box stays as it is
    wait_for(dash_duo, lambda: look(dash_duo, f"#{ids.MAP}")["opacity"] == 1, "the map undimmed once its answer is in", 10)
    assert look(dash_duo, f"#{ids.MAP}")["spinner"] == "hidden"


def test_a_slow_view_dims_its_panel_and_not_the_map(dash_duo, webgl, berlin_bundle):
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script(
        "const el = document.getElementById(arguments[0]); return el && el.__deckmap && el.__deckmap.state().idle;", ids.MAP),
        "the map drawn", 90)
    dash_duo.driver.execute_script(HOLD_BACK_JS, f"{ids.HISTOGRAM}.figure", 2500)
    dash_duo.wait_for_element(f"#{ids.PERIOD} [role=slider]").send_keys("\ue012")
    wait_for(dash_duo, lambda: look(dash_duo, f"#{ids.HISTOGRAM}")["spinner"] == "visible", "the overview panel waiting", 10)
    assert look(dash_duo, f"#{ids.HISTOGRAM}")["opacity"] == pytest.approx(0.55)
    assert look(dash_duo, f"#{ids.MAP}") == {"opacity": 1, "spinner": "hidden", "turning": "none"}
    wait_for(dash_duo, lambda: look(dash_duo, f"#{ids.HISTOGRAM}")["opacity"] == 1, "the panel undimmed once its answer is in", 10)
