"""What a person waits for, measured where the person is: the map in headless Chromium against a real server.

`quartiersatlas bench --only browser` starts the planner (`quartiersatlas serve`, gunicorn, Berlin) and drives Debian's
Chromium (software WebGL, 1366×768) through Selenium. Per basis (Planungsraum, H3 res 9, H3 res 10), median of
`--repeat` loads and switches: first map drawn (navigation start → MapLibre idle with the values trace on screen), callback
requests on page load, and after a period switch the time until the new values arrive in the figure and until the map is
idle again, with the bytes of the map's update per cell. Every other view of the page stays open as a user has it.

This is the baseline of issue 19 ("the map at the speed of thought"): the engine column names the map engine measured,
so a new engine can be printed beside it in the same table.
"""

from __future__ import annotations

import signal
import statistics
import sys
import time
from pathlib import Path

from dashboard import ids
from dashboard.figures import VALUES_TRACE

from .common import Row
from .load import HOST, PORT, _free_port, _serve

ENGINE = "Plotly choroplethmap (MapLibre)"
BASES = (("planungsraum", 542), ("h3_9", 9878), ("h3_10", 67388))
TARGETS = {"first": {"planungsraum": 1.5}, "recolour": {"h3_9": 0.3, "h3_10": 1.0}}  # issue 19's targets (s)

# The map's state as the page has it: values on screen and MapLibre idle (loaded, tiles in, not moving).
STATE_JS = """
const gd = document.querySelector('#%s .js-plotly-plot');
const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
const m = sub && sub.map;
if (!m) return null;
const now = performance.now();
const v = gd._fullData[%d];
const z = v && v.z ? Array.from(v.z.slice(0, 8)) : [];
const idle = m.loaded() && m.areTilesLoaded() && !m.isMoving();
// rendered fill features only once idle: querying 67,000 features on every poll would itself load the page
const drawn = idle ? m.queryRenderedFeatures({layers: m.getStyle().layers.filter(l => l.type === 'fill').map(l => l.id)}).length : 0;
return {idle: idle, locations: v && v.locations ? v.locations.length : 0, z: z.join(','), drawn: drawn, now: now};
""" % (ids.MAP, VALUES_TRACE)
CALLBACKS_JS = """
return performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-update-component'))
  .map(e => ({start: e.startTime, end: e.responseEnd, bytes: e.encodedBodySize || e.transferSize || 0}));
"""


def _driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--window-size=1366,768", "--use-gl=angle", "--use-angle=swiftshader",
                "--disable-dev-shm-usage"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_script_timeout(120)
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
    return driver


def _poll(driver, until, timeout: float = 180.0, every: float = 0.05) -> dict:
    deadline, state = time.time() + timeout, None
    while time.time() < deadline:
        state = driver.execute_script(STATE_JS)
        if state and until(state):
            return state
        time.sleep(every)
    raise RuntimeError(f"the map did not reach the expected state; last: {state}")


def _one(driver, url: str, cells: int) -> dict:
    """One page load and one period switch on a basis: seconds (performance.now() counts from navigation start) and bytes."""
    driver.get(url)
    first = _poll(driver, lambda s: s["idle"] and s["locations"] == cells and s["drawn"] > 0)
    loaded = driver.execute_script(CALLBACKS_JS)
    time.sleep(1.0)  # let the other views settle, as a user's page has them
    before = _poll(driver, lambda s: s["idle"])
    handle = driver.find_element("css selector", f"#{ids.PERIOD} [role=slider]")
    t0 = driver.execute_script("arguments[0].focus(); return performance.now();", handle)
    handle.send_keys("\ue012")  # the left-arrow key (selenium's Keys.LEFT): one Stichtag back, as a keyboard user does
    arrived = _poll(driver, lambda s: s["z"] != before["z"])
    idle = _poll(driver, lambda s: s["idle"] and s["z"] == arrived["z"])
    updates = [c for c in driver.execute_script(CALLBACKS_JS) if c["start"] >= t0 - 1]
    biggest = max((c["bytes"] for c in updates), default=0)
    return {"first_s": first["now"] / 1000.0, "load_callbacks": len(loaded), "arrive_s": (arrived["now"] - t0) / 1000.0,
            "idle_s": (idle["now"] - t0) / 1000.0, "bytes_per_cell": biggest / cells, "switch_callbacks": len(updates)}


def bench_browser(settings, folder: Path, repeat: int = 3) -> list[Row]:
    if not Path("/usr/bin/chromium").exists():
        return [Row("browser benchmark", "Chromium", "not installed", False, "scripts/test.sh installs Debian's chromium and chromium-driver")]
    PORT[0] = port = _free_port()
    proc = _serve(folder, {}, mode="planner")
    rows: list[Row] = []
    try:
        for key, cells in BASES:
            url = f"http://{HOST}:{port}/?layer=migration_share&basis={key}"
            runs = []
            for _ in range(max(1, repeat)):
                driver = _driver()  # a fresh tab per run: a first visit, nothing cached in the page
                try:
                    runs.append(_one(driver, url, cells))
                except Exception as exc:  # noqa: BLE001 - a crashed tab is a result, not a reason to lose the table
                    print(f"browser bench {key}: {type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
                finally:
                    driver.quit()
            if not runs:
                rows.append(Row(f"{ENGINE}: {key} ({cells:,} areas)", "a map", "failed", False, "the tab crashed or timed out every time"))
                continue
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            first_target = TARGETS["first"].get(key)
            rows.append(Row(f"{ENGINE}: first map drawn, {key} ({cells:,} areas)", f"≤ {first_target} s" if first_target else "–",
                            f"{med['first_s']:.2f} s", med["first_s"] <= first_target if first_target else None,
                            f"{med['load_callbacks']:.0f} callback requests on page load (target ≤ 5)"))
            target = TARGETS["recolour"].get(key)
            rows.append(Row(f"{ENGINE}: period switch {key}, values arrive / map idle again", f"idle ≤ {target} s" if target else "–",
                            f"{med['arrive_s']:.2f} s / {med['idle_s']:.2f} s", med["idle_s"] <= target if target else None,
                            f"{med['bytes_per_cell']:.1f} bytes per cell on the wire (largest compressed answer after the switch; "
                            f"target ≤ 6); {med['switch_callbacks']:.0f} callback requests; median of {len(runs)}"))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    return rows
