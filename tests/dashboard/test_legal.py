"""Legal pages (issue 16 item 5): Impressum, Datenschutzerklärung and Erklärung zur Barrierefreiheit in German and English
from the deployment's Markdown files, linked from the footer of the map, the briefing and the area profile."""

from __future__ import annotations

import json
import logging

import pytest

from dashboard.app import create_app
from dashboard.layout import sources_line
from layers.settings import load_settings

LINKS_DE = ('href="/impressum"', 'href="/datenschutz"', 'href="/barrierefreiheit"')


def _client(settings, bundle, tmp_path, mode="portal", **extra):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode=mode, access_log=False, rate_limit_api="",
                      rate_limit_downloads="", rate_limit_callbacks="", cell_key_secret_file=str(tmp_path / "secret"), **extra)
    return create_app(s, bundle.folder).server.test_client()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    folder = tmp_path_factory.mktemp("legal")
    for lang, text in (("de", "# Musterstadt\n\nBezirksamt Musterstadt, Rathausplatz 1"), ("en", "# Musterstadt\n\nDistrict office")):
        (folder / f"impressum.{lang}.md").write_text(text + "\n\n<script>alert(1)</script>\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("mode", ["portal", "planner"])
@pytest.mark.parametrize("path, lang, heading", [
    ("/impressum", "de", "Impressum"), ("/impressum?lang=en", "en", "Legal notice"),
    ("/datenschutz", "de", "Datenschutz"), ("/datenschutz?lang=en", "en", "Privacy"),
    ("/barrierefreiheit", "de", "Barrierefreiheit"), ("/barrierefreiheit?lang=en", "en", "Accessibility"),
])
def test_every_page_in_both_languages_with_the_footer_links(demo_bundle, settings, tmp_path, deployment, mode, path, lang, heading):
    client = _client(settings, demo_bundle, tmp_path, mode, legal_dir=str(deployment), legal_contact="barrieren@musterstadt.de")
    answer = client.get(path)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and f'<html lang="{lang}">' in html and f"<h1>{heading}</h1>" in html
    links = LINKS_DE if lang == "de" else tuple(link[:-1] + '?lang=en"' for link in LINKS_DE)
    assert all(link in html for link in links)
    if "impressum" in path:
        assert "Musterstadt" in html
    else:  # the shipped texts, with the deployment's contact
        assert "barrieren@musterstadt.de" in html


def test_a_deployments_markdown_never_brings_raw_html(demo_bundle, settings, tmp_path, deployment):
    html = _client(settings, demo_bundle, tmp_path, legal_dir=str(deployment)).get("/impressum").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_missing_page_says_so_and_the_portal_warns(demo_bundle, settings, tmp_path, caplog):
    empty = tmp_path / "nothing"
    empty.mkdir()
    with caplog.at_level(logging.WARNING, logger="quartiersatlas.legal"):
        client = _client(settings, demo_bundle, tmp_path, legal_dir=str(empty))
    html = client.get("/impressum").get_data(as_text=True)
    assert "noch nicht hinterlegt" in html and "impressum.de.md" in html
    assert any("impressum.de.md" in r.getMessage() and "impressum.en.md" in r.getMessage() for r in caplog.records)
    contact = client.get("/barrierefreiheit").get_data(as_text=True)
    assert "Kontakt noch nicht hinterlegt" in contact  # no empty "Schreiben Sie uns:"


def test_a_complete_portal_does_not_warn(demo_bundle, settings, tmp_path, deployment, caplog):
    with caplog.at_level(logging.WARNING, logger="quartiersatlas.legal"):
        _client(settings, demo_bundle, tmp_path, legal_dir=str(deployment))
    assert not [r for r in caplog.records if r.name == "quartiersatlas.legal"]


def test_the_briefing_and_the_area_profile_link_them(demo_bundle, settings, tmp_path):
    client = _client(settings, demo_bundle, tmp_path)
    area = demo_bundle.units_of(demo_bundle.finest_level.id).index[0]
    for path in ("/briefing", f"/area/{area}", "/area"):
        html = client.get(path).get_data(as_text=True)
        assert all(link in html for link in LINKS_DE), path
    english = client.get(f"/area/{area}?lang=en").get_data(as_text=True)
    assert 'href="/impressum?lang=en"' in english and ">Legal notice<" in english


@pytest.mark.parametrize("lang, first", [("de", "Impressum"), ("en", "Legal notice")])
def test_the_maps_footer_links_them_in_the_language_shown(demo_bundle, settings, lang, first):
    footer = json.dumps([c.to_plotly_json() if hasattr(c, "to_plotly_json") else c for c in sources_line(demo_bundle, settings, lang)],
                        default=lambda c: c.to_plotly_json())
    query = "" if lang == "de" else "?lang=en"
    assert all(f'"/{page}{query}"' in footer for page in ("impressum", "datenschutz", "barrierefreiheit"))
    assert f'"{first}"' in footer
