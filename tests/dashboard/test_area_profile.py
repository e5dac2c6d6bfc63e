"""Area profile /area/<id> (Quartiersmanager view): figures against district and city over all periods, redirect of /?area=,
choosing an area by name, disclosure in the portal, 404s; real Berlin sections (facilities, social context)."""

import re

import pytest

from dashboard.app import create_app
from layers.bundle import write_bundle
from layers.settings import load_settings
from tests.tiny import tiny_build


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None)


def client(bundle_root, folder, **overrides):
    return create_app(load_settings(bundle_dir=str(bundle_root), **overrides), folder).server.test_client()


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


def row(html: str, title: str) -> list[str]:
    """The value cells of the figures-table row whose heading starts with `title`."""
    match = re.search(re.escape(title) + r".*?</th>(.*?)<td class=\"chart\">", html, re.S)
    assert match, title
    return [c.strip() for c in re.findall(r'<td class="num">([^<]*)</td>', match.group(1))]


def test_profile_against_district_and_city_over_all_periods(planner):
    html = page(planner, "/area/A1")
    assert "<h1>Block A1</h1>" in html and "Block A1 · in" in html and "Bezirk Nord" in html
    # 2024: A1 600/1000 = 60 %, Nord 700/1500 = 46.7 %, city 1102/3540 = 31.1 %
    assert row(html, "Anteil der Gruppe (Einwohner/innen mit Migrationshintergrund)") == ["60,0 %", "46,7 %", "31,1 %"]
    # foreigners: A1 300/1000, Nord 340/1500, city 541/3540
    assert row(html, "Anteil der Gruppe (Ausländische Staatsangehörige)") == ["30,0 %", "22,7 %", "15,3 %"]
    assert "<li>31.12.2023: 30,0</li>" in html and "<li>31.12.2024: 60,0</li>" in html  # every period
    assert 'class="line-chart"' in html and "Test fixture" in html  # chart and numbered sources


def test_links_to_map_and_briefing_and_language(planner):
    html = page(planner, "/area/A1")
    assert 'href="/?layer=migration_share&amp;district=A&amp;sel=A1&amp;focus=A1"' in html  # block is the default basis
    assert 'href="/briefing?layer=migration_share' in html and ">auf der Karte zeigen<" in html
    english = page(planner, "/area/A1?lang=en")
    assert "Figures compared" in english and 'lang="en"' in english and "show on the map" in english


def test_a_district_has_no_district_column(planner):
    html = page(planner, "/area/A")
    assert "<h1>Nord</h1>" in html and row(html, "Anteil der Gruppe (Einwohner/innen mit Migrationshintergrund)") == ["46,7 %", "31,1 %"]


def test_area_link_of_the_main_view_opens_the_profile(planner, bundle_root, tiny_folder):
    resp = planner.get("/?area=A1")
    assert resp.status_code == 302 and resp.headers["Location"] == "/area/A1"
    assert planner.get("/?area=A1&lang=en").headers["Location"] == "/area/A1?lang=en"
    assert planner.get("/?area=Q9").status_code == 200  # unknown: the main view opens and says so
    assert planner.get("/?sel=A1&basis=block").status_code == 200  # selection links keep opening the map
    disabled = client(bundle_root, tiny_folder, area_profile_enabled=False)
    assert disabled.get("/?area=A1").status_code == 200 and disabled.get("/area/A1").status_code == 404
    assert disabled.get("/area?q=Nord").status_code == 404


def test_choose_an_area_by_name(planner):
    assert planner.get("/area?q=Block A2").headers["Location"] == "/area/A2"
    assert planner.get("/area?q=nord").headers["Location"] == "/area/A"
    html = page(planner, "/area?q=Block")
    assert html.count('<li><a href="/area/') == 4 and 'method="get"' in html and '<datalist id="area-names">' in html
    assert "Kein Gebiet" in page(planner, "/area?q=Atlantis")


def test_unknown_area_is_404(planner):
    assert planner.get("/area/Q9").status_code == 404


def test_scenarios_section_in_planner_mode_only(planner, portal):
    assert "Szenarien, die dieses Gebiet berühren" in page(planner, "/area/A1")
    assert "Szenarien" not in page(portal, "/area/A1")


def test_saved_scenario_touching_the_area_is_listed_with_a_link(bundle_root, tiny_folder, tmp_path):
    from layers.bundle import load_bundle
    from layers.scenario import Housing, Scenario, Site
    from layers.scenario.store import ScenarioStore

    settings = load_settings(bundle_dir=str(bundle_root), scenario_dir=str(tmp_path / "scen"))
    scenario = Scenario("40 Wohnungen Nord", (Housing(Site("unit", 13.005, 52.005, "A1"), 40),))
    ScenarioStore(tmp_path / "scen", settings).save(scenario, load_bundle(tiny_folder))
    c = create_app(settings, tiny_folder).server.test_client()
    html = page(c, "/area/A1")
    assert "40 Wohnungen Nord" in html and "1 Maßnahmen" in html and 'href="/?scenario=' in html
    assert "Keine gespeicherten Szenarien" in page(c, "/area/B1")


def test_portal_profile_shows_no_value_of_a_suppressed_area(portal):
    html = page(portal, "/area/B2")  # 40 residents: suppressed at every period
    cells = row(html, "Anteil der Gruppe (Einwohner/innen mit Migrationshintergrund)")
    assert cells[0] == "nicht ausgewiesen (weniger als 3 Fälle oder 50 Einwohner/innen)"
    text = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)  # chart axis ticks follow the district's and city's published values
    assert not re.search(r"\b5,0\b|\b2,5\b", text)  # 2/40 in 2024, 1/40 in 2023
    assert "<li>31.12.2024: –</li>" in html


def test_real_berlin_profile_has_facilities_funding_context(bundle_root, berlin_bundle):
    c = client(bundle_root, berlin_bundle.folder, mode="portal")
    html = page(c, "/area/011001")  # Bezirksregion Tiergarten Süd
    assert "<h1>Tiergarten Süd</h1>" in html and "Bezirk Mitte" in html
    assert "Sozialer Kontext" in html and "Monitoring Soziale Stadtentwicklung, Stand 31.12.2020" in html
    assert ">Kita</th>" in html and "Einwohnerregisterstatistik Berlin (LOR)" in html
    assert "Grünfläche je Einwohner/in" in html and "Förder- und Schutzgebiete" in html
    assert ">Park</th>" in html and ">Spielplatz</th>" in html and "Nettospielfläche" in html
