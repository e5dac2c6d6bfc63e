"""The briefing of one Bezirksregion and its area profile in headless Chromium on real Berlin, printed to PDF (A4)."""

from __future__ import annotations

import base64
import subprocess

import pytest

from dashboard.app import create_app

pytestmark = pytest.mark.browser


def print_pdf(dash_duo, url: str, tmp_path, name: str) -> tuple[str, int]:
    """Open `url`, print it with Chromium's print-to-PDF (CDP Page.printToPDF, the page's own @page size) and return
    the PDF's text (pdftotext) and its number of pages."""
    dash_duo.driver.get(url)
    dash_duo.wait_for_element("h1", timeout=60)
    pdf = dash_duo.driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(base64.b64decode(pdf["data"]))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return text, int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_briefing_and_area_profile_print_to_pdf(dash_duo, settings, berlin_bundle, tmp_path):
    app = create_app(settings, berlin_bundle.folder)
    dash_duo.start_server(app)
    base = dash_duo.server_url

    text, pages = print_pdf(dash_duo, f"{base}/briefing?layer=migration_share&basis=bezirksregion&sel=011001", tmp_path, "briefing")
    assert dash_duo.driver.find_element("css selector", ".controls").is_displayed()  # on screen; hidden in print
    assert "Bezirksregion Tiergarten Süd" in text and "Kennzahlen" in text and "Kurz gesagt" in text
    assert "Anteil der Gruppe (Einwohner/innen mit" in text and "% · 31.12.2024" in text  # legend: topic, unit, period
    assert "Quelle: Einwohnerregisterstatistik Berlin (LOR)" in text and "65,6" in text
    assert "Drucken" not in text and "Zur Live-Ansicht" not in text  # no controls in print
    assert pages == 1  # A4 (the default paper) on one page
    for url in ("/briefing?layer=migration_share", "/briefing?layer=migration_share&district=08&sel=08100104",
                "/briefing?layer=education_kita_fca&basis=h3_9&district=02"):
        _, pages = print_pdf(dash_duo, base + url, tmp_path, "more")
        assert pages == 1, url

    text, pages = print_pdf(dash_duo, f"{base}/area/011001", tmp_path, "area")
    assert "Tiergarten Süd" in text and "Kennzahlen im Vergleich" in text and "Sozialer Kontext" in text
    assert "Einwohnerregisterstatistik Berlin (LOR)" in text and "Profil öffnen" not in text
    assert pages >= 1
    assert not [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
