"""Screenshot a running dashboard in headless Chromium once the map is drawn.

`python scripts/screenshot.py URL OUT.png [HEIGHT_PX] [TAB_ID]`: HEIGHT_PX for a taller window (whole page), TAB_ID to open a
section tab first (e.g. `overview`, `segregation`).
"""

import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options

MAP_IDLE_JS = """
const gd = document.querySelector('.js-plotly-plot');
const m = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot && gd._fullLayout.map._subplot.map;
if (!m || !m.loaded() || !m.areTilesLoaded()) return -1;
return m.queryRenderedFeatures().length;
"""


def main(url: str, out: str, height: int = 1000, tab: str | None = None, wait_s: float = 60) -> None:
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size=1400,{height}",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options)
    try:
        driver.get(url)
        deadline = time.time() + wait_s
        features = -1
        while time.time() < deadline:
            features = driver.execute_script(MAP_IDLE_JS)
            if features and features > 0:
                break
            time.sleep(0.5)
        if tab:  # section tabs carry the class tab-<section id>
            driver.execute_script(f"document.querySelector('.tab-{tab} .nav-link').click();")
            time.sleep(8)  # the section computes when it becomes visible
        time.sleep(2.5)
        driver.save_screenshot(out)
        logs = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        print(f"rendered features: {features}; severe console messages: {len(logs)}")
        for entry in logs:
            print("  ", entry["message"][:300])
    finally:
        driver.quit()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1000, sys.argv[4] if len(sys.argv) > 4 else None)
