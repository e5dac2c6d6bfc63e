"""`/methods` serves docs/methods.md with the anchors the layers' method links name, in planner and portal alike."""

from __future__ import annotations

import doctest
import re

import pytest

from dashboard import methods_page
from dashboard.app import create_app
from dashboard.legend import legend
from layers.query import check_query, run_query
from layers.registry import LAYERS, get_layer
from layers.settings import load_settings
from layers.topics import methods_link


@pytest.mark.parametrize("mode", ["planner", "portal"])
def test_every_layer_link_opens_its_section(demo_bundle, settings, tmp_path, mode):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode=mode, access_log=False, rate_limit_api="",
                      rate_limit_downloads="", rate_limit_callbacks="", cell_key_secret_file=str(tmp_path / "secret"))
    page = create_app(s, demo_bundle.folder).server.test_client().get("/methods")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    ids = set(re.findall(r'<h[1-6] id="([^"]+)"', html))
    shown = [spec for spec in LAYERS if mode == "planner" or spec.sensitivity == "public"]
    assert {methods_link(spec).partition("#")[2] for spec in shown} <= ids
    assert ("accommodation-places" in ids) is (mode == "planner")  # the portal names no internal layer
    assert "two-step-floating-catchment-area-2sfca" in ids and "<table>" in html
    article = html.split("<article", 1)[1].split("</article>", 1)[0]
    assert "<script" not in article  # Markdown rendered without raw HTML
    links = re.findall(r'href="([^"]*)"', article)
    assert links and not [link for link in links if not link.startswith(("#", "http://", "https://"))]  # nothing that 404s
    assert [anchor for anchor in (link[1:] for link in links if link.startswith("#")) if anchor not in ids] == []


def _text(component) -> str:
    """All text and link targets of a Dash component tree, in order."""
    if isinstance(component, (list, tuple)):
        return " ".join(_text(c) for c in component)
    if isinstance(component, str):
        return component
    children = getattr(component, "children", None)
    href = getattr(component, "href", None)
    return (f"[{href}] " if href else "") + (_text(children) if children is not None else "")


@pytest.mark.parametrize("layer, anchor, dated", [
    ("education_kita_ratio", "kita-demand-and-supply-per-area", "Datenstand 01/2026"),
    ("social_indicator", "social-situation", "Datenstand 31.12.2020"),
])
def test_the_legend_links_the_method_and_dates_every_input(berlin_bundle, settings, tmp_path, layer, anchor, dated):
    """Real Berlin data: the legend names the Kitaliste's and the MSS's own dates beside the Stichtag of the counts."""
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), access_log=False, cell_key_secret_file=str(tmp_path / "secret"))
    app = create_app(s, berlin_bundle.folder)
    query = check_query(berlin_bundle, s, layer, "planungsraum", berlin_bundle.periods[-1])
    with app.server.test_request_context("/"):
        text = _text(legend(run_query(berlin_bundle, s, query), query, get_layer(layer), "de", s))
    assert f"[methods#{anchor}]" in text and dated in text


def test_page_links_keep_anchors_and_web_addresses_only():
    result = doctest.testmod(methods_page)
    assert result.attempted >= 2 and result.failed == 0
