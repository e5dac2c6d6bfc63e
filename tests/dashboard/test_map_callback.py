"""The map callback through Dash's real endpoint: geometry by URL, values by Patch, disclosure in portal mode."""

import orjson
import pytest

from bench.run import _payload
from dashboard import ids
from dashboard.app import create_app
from layers.bundle import write_bundle
from layers.settings import load_settings
from tests.tiny import tiny_build


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None)


def post(client, changed: str, basis: str = "block", layer: str = "migration_share", period: str = "2024-12-31"):
    resp = client.post("/_dash-update-component", json=_payload(layer, "mig_bg", basis, period, "2023-12-31", changed))
    assert resp.status_code == 200, resp.data[:500]
    return orjson.loads(resp.data)["response"]


def test_basis_change_sends_full_figure_with_geometry_url(settings, tiny_folder):
    client = create_app(settings, tiny_folder).server.test_client()
    fig = post(client, ids.BASIS)[ids.MAP]["figure"]
    trace = fig["data"][0]
    assert trace["geojson"].startswith("geo/block.json")
    assert trace["locations"] == ["A1", "A2", "B1", "B2"]
    assert trace["z"][0] == pytest.approx(60.0)
    assert "%" in trace["hovertemplate"] and "31.12.2024" in trace["hovertemplate"]
    assert isinstance(trace["colorscale"], list)  # explicit stops, not a name plotly.js may not know


def test_period_change_sends_values_only(settings, tiny_folder):
    client = create_app(settings, tiny_folder).server.test_client()
    patch = post(client, ids.PERIOD, period="2023-12-31")[ids.MAP]["figure"]
    assert patch["__dash_patch_update"] == "__dash_patch_update"
    changed = {tuple(op["location"]) for op in patch["operations"]}
    assert ("data", 0, "z") in changed
    assert not any(loc[:3] in (("data", 0, "geojson"), ("data", 0, "locations"), ("data", 0, "text")) for loc in changed)
    z = next(op["params"]["value"] for op in patch["operations"] if tuple(op["location"]) == ("data", 0, "z"))
    assert z[0] == pytest.approx(30.0)


def test_planner_shows_small_counts_with_a_note(settings, tiny_folder):
    client = create_app(settings, tiny_folder).server.test_client()
    values, small, hidden = post(client, ids.BASIS)[ids.MAP]["figure"]["data"][:3]
    assert values["z"][values["locations"].index("B2")] is None  # drawn by the small-count trace instead
    assert small["locations"] == ["B2"] and small["z"] == [pytest.approx(5.0)]
    assert "kleine Fallzahl" in small["hovertemplate"] and hidden["locations"] == []


def test_portal_never_sends_suppressed_values(tiny_folder, bundle_root):
    portal = load_settings(bundle_dir=str(bundle_root), mode="portal")
    client = create_app(portal, tiny_folder).server.test_client()
    fig = post(client, ids.BASIS)[ids.MAP]["figure"]
    values, small, hidden = fig["data"][:3]
    b2 = values["locations"].index("B2")  # 40 residents < 50
    assert values["z"][b2] is None and values["customdata"][b2] is None
    assert small["locations"] == []  # the portal has no "small count" trace: those values are not shown at all
    assert hidden["locations"] == ["B2"] and "nicht ausgewiesen" in hidden["hovertemplate"]
    assert hidden["text"] == ["Block B2 (B2)"]
    body = client.get("/api/v1/layers/migration_share?level=block").get_json()
    row = next(r for r in body["values"] if r["id"] == "B2")
    assert row["value"] is None and row["residents"] is None and row["suppressed"]
