"""A view being updated shows it (assets/waiting.css): its box dims and a spinner turns once the update has taken half a
second, from Dash's own data-dash-is-loading attribute; only the innermost box with a running update does. Driven in
headless Chromium with a slow answer: the page's fetch holds back the answers of one callback."""

from __future__ import annotations

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
# How the waiting box around `selector` looks: its content's opacity, and its spinner's visibility and animation.
LOOK_FUNCTION = """(selector) => {
  const box = document.querySelector(selector).closest('.qa-waiting'), spinner = getComputedStyle(box, '::after');
  return {opacity: Number(getComputedStyle(box.firstElementChild).opacity), spinner: spinner.visibility, turning: spinner.animationName};
}"""
LOOK_JS = f"return ({LOOK_FUNCTION})(arguments[0]);"


# From the moment Dash marks `arguments[0]` as loading, how the boxes of the selectors `arguments[1]` look (LOOK_JS),
# sampled in the page every 50 ms for 1.5 s with the page's own clock (ms since the mark): a test that looked from
# outside, polling through WebDriver, could come too late while the page was busy (plotly.js evaluating after the map)
# and see the half second gone.
SAMPLE_JS = """
const marked = arguments[0], selectors = arguments[1], samples = window.__waitingSamples = [];
const look = %s;
const sample = (at) => samples.push([at, Object.fromEntries(selectors.map((selector) => [selector, look(selector)]))]);
const observer = new MutationObserver(() => {
  const el = document.getElementById(marked);
  if (!el || !el.hasAttribute('data-dash-is-loading')) return;
  observer.disconnect();
  const start = performance.now();
  sample(0);
  const timer = setInterval(() => {
    const at = performance.now() - start;
    sample(at);
    if (at > 1500) clearInterval(timer);
  }, 50);
});
observer.observe(document.body, {attributes: true, subtree: true, attributeFilter: ['data-dash-is-loading']});
""" % LOOK_FUNCTION


def look(dash_duo, selector: str) -> dict:
    return dash_duo.driver.execute_script(LOOK_JS, selector)


def plotly_drawn(dash_duo) -> bool:
    """The overview's histogram drawn: plotly.js, which loads after the map, has been evaluated and the page is quiet."""
    return bool(dash_duo.driver.find_elements("css selector", f"#{ids.HISTOGRAM} .js-plotly-plot .main-svg"))


def test_a_slow_map_answer_dims_the_map_after_half_a_second_and_only_the_map(dash_duo, webgl, berlin_bundle):
    dash_duo.start_server(create_app(webgl, berlin_bundle.folder))
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script(
        "const el = document.getElementById(arguments[0]); return el && el.__deckmap && el.__deckmap.state().idle;", ids.MAP),
        "the map drawn", 90)
    assert look(dash_duo, f"#{ids.MAP}") == {"opacity": 1, "spinner": "hidden", "turning": "none"}
    wait_for(dash_duo, lambda: plotly_drawn(dash_duo), "the overview drawn", 60)
    dash_duo.driver.execute_script(HOLD_BACK_JS, f"{ids.MAP}.figure", 4000)
    the_map, histogram = f"#{ids.MAP}", f"#{ids.HISTOGRAM}"
    dash_duo.driver.execute_script(SAMPLE_JS, ids.LEGEND, [the_map, histogram])
    dash_duo.wait_for_element(f"#{ids.PERIOD} [role=slider]").send_keys("\ue012")  # one Stichtag back
    samples = wait_for(dash_duo, lambda: (s := dash_duo.driver.execute_script("return window.__waitingSamples")) and s[-1][0] > 1500 and s,
                       "the map's box sampled for 1.5 s after Dash marked the map callback's legend as loading", 10)
    early = [looks[the_map] for at, looks in samples if at < 450]
    late = [looks[the_map] for at, looks in samples if 600 <= at <= 1500]
    # not in the first half second (quick answers do not flicker), sampled until late in it
    assert any(300 <= at < 450 for at, _ in samples), samples
    assert early and all(look["opacity"] == 1 and look["spinner"] == "hidden" for look in early), samples
    # then dimmed with a turning spinner, while the answer is still held back
    assert late and all(look["opacity"] == pytest.approx(0.55) and look["spinner"] == "visible" and look["turning"] == "qa-waiting-turn"
                        for look in late), samples
    assert all(looks[histogram]["opacity"] == 1 for _, looks in samples)  # the views wait for the map; their box stays as it is
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
