"""The public portal's linked views: no ranking, nothing from suppressed areas in cards, hover notes or profile tables."""

import numpy as np
import orjson
import pandas as pd
import pytest

from bench.run import _views_payload
from dashboard import ids
from dashboard.app import create_app
from layers.bundle import write_bundle
from layers.disclosure import apply_minimum_counts
from layers.publication import TableSpec, publish_table
from layers.registry import get_layer
from layers.settings import load_settings
from layers.settings import load_settings as _load
from layers.spatial.basis import Basis
from layers.spec import LayerResult
from tests.tiny import tiny_build


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None)


def views(client, district=None, selection=()):
    body = _views_payload("migration_share", "block", 1, "2023-12-31", f"{ids.SELECTION}.data", district, list(selection))
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.data[:300]
    return orjson.dumps(orjson.loads(resp.data)["response"]).decode()


def find(tree, component_id: str):
    """The component with this id in a serialised Dash layout."""
    if isinstance(tree, dict):
        if tree.get("props", {}).get("id") == component_id:
            return tree
        children = list(tree.values())
    elif isinstance(tree, list):
        children = tree
    else:
        return None
    for child in children:
        hit = find(child, component_id)
        if hit is not None:
            return hit
    return None


def test_portal_and_planner_list_areas_by_name(tiny_folder, bundle_root):
    """Neither opens the migration share's table as a ranking (BRIEF §6); the planner may order other layers by value."""
    portal = create_app(load_settings(bundle_dir=str(bundle_root), mode="portal"), tiny_folder).server.test_client()
    planner = create_app(load_settings(bundle_dir=str(bundle_root), mode="planner"), tiny_folder).server.test_client()
    by_name = [views(portal).index(f"Block {b}") for b in ("A1", "A2")]
    assert by_name == sorted(by_name)  # alphabetical (B2 is not published, nor B1: district B − B1 would reveal B2)
    a1, a2, b1, b2 = [views(planner).index(f"Block {b}") for b in ("A1", "A2", "B1", "B2")]
    assert a1 < a2 < b1 < b2  # by name, although the shares are 60 %, 20 %, 20 % and 5 %
    assert "Gebiete (Stadt)" in views(portal) and "Gebiete (Stadt)" in views(planner) and "nach Wert" not in views(planner)


def test_card_of_suppressed_areas_says_not_shown_never_zero(tiny_folder, bundle_root):
    portal = create_app(load_settings(bundle_dir=str(bundle_root), mode="portal"), tiny_folder).server.test_client()
    response = orjson.loads(views(portal, selection=["B2"]))  # B2 has 40 residents: suppressed
    card = orjson.dumps(find(response, "card-selection")).decode()
    assert "nicht ausgewiesen: keines der 1 Gebiete" in card and "Einwohner" not in card


def test_hover_notes_of_suppressed_areas_are_removed_in_the_portal():
    values = pd.DataFrame({"value": [10.0, 20.0], "numerator": [40.0, 1.0], "denominator": [400.0, 20.0], "residents": [400.0, 20.0],
                           "suppressed": False}, index=["X", "Y"])
    notes = pd.DataFrame({"de": ["Fläche 12 m²", "Fläche 3 m²"], "en": ["area 12 m²", "area 3 m²"]}, index=["X", "Y"])
    result = LayerResult("migration_share", values, Basis(level="block"), "2024-12-31", notes=notes)
    spec = get_layer("migration_share")
    published = apply_minimum_counts(result, spec, 3, 50, publish=True)
    assert published.notes.loc["Y"].tolist() == ["", ""] and published.notes.loc["X", "de"] == "Fläche 12 m²"
    assert apply_minimum_counts(result, spec, 3, 50, publish=False).notes.loc["Y", "de"] == "Fläche 3 m²"


def test_profile_tables_hide_what_rests_on_few_people():
    table = pd.DataFrame({"type": ["kita", "school"], "residents": [30.0, 500.0], "target": [5.0, 80.0], "covered_pct": [90.0, 80.0],
                          "mean_dist_m": [200.0, 300.0], "covered_target_pct": [100.0, 75.0]})
    spec = TableSpec("test", residents={"residents": ("covered_pct", "mean_dist_m"), "target": ("covered_target_pct",)}, area_name="type")
    out = publish_table(table, spec, _load(mode="portal"))
    assert np.isnan(out.loc[0, ["residents", "covered_pct", "mean_dist_m", "target", "covered_target_pct"]].astype(float)).all()
    assert out.loc[1, "covered_pct"] == 80.0 and out.loc[1, "covered_target_pct"] == 75.0
    assert publish_table(table, spec, _load(mode="planner")).equals(table)  # planners see everything


def test_an_area_without_value_and_people_reads_no_value_not_suppressed():
    values = pd.DataFrame({"value": [np.nan, np.nan], "numerator": [0.0, 2.0], "denominator": [0.0, 30.0], "residents": [0.0, 30.0],
                           "suppressed": False}, index=["empty", "few"])
    result = apply_minimum_counts(LayerResult("migration_share", values, Basis(level="block"), "2024-12-31"), get_layer("migration_share"),
                                  3, 50, publish=True)
    assert result.values["suppressed"].tolist() == [False, True]  # nothing rests on "empty"; "few" has 30 residents
