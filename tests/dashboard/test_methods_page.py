"""`/methods` serves docs/methods.md with the anchors the layers' method links name, in planner and portal alike."""

from __future__ import annotations

import re

import pytest

from dashboard.app import create_app
from layers.registry import LAYERS
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
    assert {methods_link(spec).partition("#")[2] for spec in LAYERS} <= ids
    assert "two-step-floating-catchment-area-2sfca" in ids and "<table>" in html
    assert "<script" not in html.split("<article", 1)[1].split("</article>", 1)[0]  # Markdown rendered without raw HTML
