"""Council briefing /briefing on the tiny city: title, figures, legend, source, QR code; disclosure in the portal; 404s."""

import re
from dataclasses import replace

import pytest

from dashboard.app import create_app
from dashboard.briefing.svg import nice_length
from dashboard.pages import briefing_href, profile_href
from layers.bundle import write_bundle
from layers.registry import REGISTRY, get_layer
from layers.settings import load_settings
from tests.tiny import tiny_build

SEL_A1 = "/briefing?layer=migration_share&basis=block&sel=A1"


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None)


def client(bundle_root, tiny_folder, **overrides):
    return create_app(load_settings(bundle_dir=str(bundle_root), **overrides), tiny_folder).server.test_client()


@pytest.fixture(scope="module")
def planner(bundle_root, tiny_folder):
    return client(bundle_root, tiny_folder, mode="planner")


@pytest.fixture(scope="module")
def portal(bundle_root, tiny_folder):
    return client(bundle_root, tiny_folder, mode="portal")


def page(c, url: str) -> str:
    resp = c.get(url)
    assert resp.status_code == 200, resp.data[:500]
    return resp.get_data(as_text=True)


def test_briefing_of_one_area(planner):
    html = page(planner, SEL_A1)
    assert "<h1>Block Block A1</h1>" in html and "Anteil der Gruppe (Einwohner/innen mit Migrationshintergrund) · 31.12.2024" in html
    # key figures: A1 600/1000 = 60 %, district Nord (A1 + A2) 700/1500 = 46.7 %, city 1102/3540 = 31.1 %, 1,000 residents
    cards = re.findall(r'<div class="card-value">([^<]*)', html)
    assert cards[:4] == ["60,0 ", "46,7 ", "31,1 ", "1.000"]
    assert "Veränderung seit 31.12.2023" in html and "+30,0 " in html  # 300/1000 → 600/1000
    assert "Quelle: Test fixture" in html and "Stichtag: 31.12.2024" in html
    assert html.count('class="briefing-map"') == 2 and 'class="legend-bar"' in html and "% · 31.12.2024" in html
    assert "in Block Block A1 beträgt der Wert 60,0 %." in html  # the plain-language text
    assert "<title>QR-Code: Link zur Live-Ansicht</title>" in html  # the QR code, made offline
    # the live link (block is the default basis) from the configured address, not the request's Host header
    assert '<a href="http://127.0.0.1:8050/?layer=migration_share&amp;sel=A1">' in html
    assert "Synthetische Demo-Stadt" in html


def test_briefing_of_the_city_and_in_english(planner):
    html = page(planner, "/briefing?layer=migration_share&lang=en")
    assert "<h1>Tiny</h1>" in html and "Key figures" in html and "Source: Test fixture" in html
    assert html.count('class="briefing-map"') == 1 and "for the whole city the value is 31.1 %." in html
    assert 'lang="en"' in html


def test_paper_switch_and_print_stylesheet(planner):
    a4 = page(planner, SEL_A1)
    a3 = page(planner, SEL_A1 + "&paper=a3")
    assert "paper-a4.css" in a4 and "paper-a3.css" in a3 and "paper=a3" in a4
    css = planner.get("/briefing-static/paper-a3.css").get_data(as_text=True)
    assert "size: A3 landscape" in css
    main = planner.get("/briefing-static/briefing.css").get_data(as_text=True)
    assert "@media print" in main and ".controls" in main
    assert "<script>" not in a4 and "print.js" in a4  # no inline script (CSP)


def test_scale_bar_lengths():
    assert [nice_length(m) for m in (0, 740, 1999, 2000, 12_345)] == [1.0, 500, 1000, 2000, 10_000]


def test_portal_shows_no_value_of_a_suppressed_area(portal):
    # B2: 40 residents, 2 with migration background → suppressed: no value, no residents, no class, never 0
    html = page(portal, "/briefing?layer=migration_share&basis=block&sel=B2")
    assert "nicht ausgewiesen (weniger als 3 Fälle oder 50 Einwohner/innen)" in html
    assert not re.search(r"\b5,0\b", html) and ">40<" not in html and ">0 <" not in html
    assert "1 von 1 Gebieten werden nicht ausgewiesen" in html and "Öffentliches Portal" in html


def test_internal_layer_is_404_in_the_portal_only(bundle_root, tiny_folder, monkeypatch):
    monkeypatch.setitem(REGISTRY, "test_internal_share", replace(get_layer("migration_share"), id="test_internal_share", sensitivity="internal"))
    assert client(bundle_root, tiny_folder, mode="portal").get("/briefing?layer=test_internal_share").status_code == 404
    assert client(bundle_root, tiny_folder, mode="planner").get("/briefing?layer=test_internal_share").status_code == 200


def test_disabled_briefing_is_404(bundle_root, tiny_folder):
    c = client(bundle_root, tiny_folder, briefing_enabled=False)
    assert c.get(SEL_A1).status_code == 404 and c.get("/area/A1").status_code == 200


def test_invalid_parameters_fall_back_with_a_notice(planner):
    html = page(planner, "/briefing?layer=migration_share&basis=kiez&paper=a5")
    assert "Nicht verwendete Angaben im Link: basis=kiez" in html and "paper-a4.css" in html


def test_links_for_the_main_view():
    assert briefing_href("?layer=migration_share&sel=A1") == "/briefing?layer=migration_share&sel=A1"
    assert briefing_href("") == "/briefing"
    assert profile_href("01100101", "de") == "/area/01100101" and profile_href("A/1", "en") == "/area/A%2F1?lang=en"


def test_briefing_maps_share_one_colour_range_and_name_places(settings, berlin_bundle):
    """Both maps of a briefing use one colour range (the same colour is the same value) and carry place names."""
    import re

    from dashboard.app import create_app

    client = create_app(settings, berlin_bundle.folder).server.test_client()
    html_text = client.get("/briefing?layer=migration_share&district=08&sel=08100104").data.decode()
    bars = re.findall(r'<svg[^>]*class="legend-bar"[^>]*>.*?</svg>', html_text, flags=re.S)
    assert len(bars) == 2 and bars[0] == bars[1]
    names = re.findall(r'<g class="place-names">(.*?)</g>', html_text, flags=re.S)
    assert len(names) == 2 and "Schillerpromenade" in names[0] and "Britz" in names[1]  # detail: its Bezirksregion; overview: the district
    city = client.get("/briefing?layer=migration_share").data.decode()
    assert all(n in city for n in ("Pankow", "Spandau", "Treptow-Köpenick"))
