"""Key figures, comparisons, selection across bases and area lookups, on the hand-made city and real Berlin."""

import numpy as np
import pytest

from layers.area import facilities_near, funding_areas_of
from layers.bundle import load_bundle, write_bundle
from layers.query import ParameterError, check_query, run_query
from layers.settings import load_settings
from layers.spatial.basis import Basis
from layers.spatial.selection import district_of, ids_in_district, translate_selection
from layers.summary import area_history, key_figures
from tests.tiny import tiny_build

BLOCK = Basis(level="block")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_bundle(write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None))


def figures(bundle, mode, layer="migration_share", selection=("A1", "A2"), district="B", compare_from=None):
    settings = load_settings(mode=mode)
    query = check_query(bundle, settings, layer, "block", "2024-12-31", "mig_bg", compare_from=compare_from)
    return key_figures(bundle, settings, query, list(selection), district)


def test_key_figures_are_shares_of_the_sums(tiny):
    f = figures(tiny, "planner")
    assert f["selection"].value == pytest.approx(100 * 700 / 1500)
    assert f["district"].value == pytest.approx(100 * 402 / 2040)
    assert f["city"].value == pytest.approx(100 * 1102 / 3540)
    assert (f["city"].residents, f["city"].areas, f["city"].left_out) == (3540, 4, 0)


def test_portal_key_figures_leave_out_suppressed_areas_and_say_so(tiny):
    from layers.publication import computing_bundle

    f = figures(tiny, "portal")
    # B2 (40 residents) is not published; the city figure is the share of the published counts of A1, A2 and B1
    pub = computing_bundle(tiny, load_settings(mode="portal")).counts(BLOCK, "2024-12-31").frame.loc[["A1", "A2", "B1"]]
    assert f["city"].value == pytest.approx(100 * pub["pop_mig_bg"].sum() / pub["pop_total"].sum(), abs=1e-3)
    assert abs(f["city"].value - 100 * 1100 / 3500) < 0.5  # the noise moves it by a few persons at most
    assert (f["city"].areas, f["city"].left_out, f["district"].left_out) == (4, 1, 1)


def test_location_quotient_and_count_of_a_set(tiny):
    assert figures(tiny, "planner", "migration_lq")["selection"].value == pytest.approx((700 / 1500) / (1102 / 3540))
    assert figures(tiny, "planner", "migration_count")["district"].value == pytest.approx(402)


def test_change_figures_are_changes_of_the_sets_not_means_of_changes(tiny):
    compared = figures(tiny, "planner", compare_from="2023-12-31")
    assert compared["selection"].value == pytest.approx(100 * 700 / 1500 - 100 * 350 / 1500)
    change_layer = figures(tiny, "planner", "migration_change")  # the dedicated change layer agrees (period_from = first period)
    assert change_layer["selection"].value == pytest.approx(compared["selection"].value)


def test_comparison_query_subtracts_and_keeps_suppression(tiny):
    portal = load_settings(mode="portal")
    query = check_query(tiny, portal, "migration_share", "block", "2024-12-31", "mig_bg", compare_from="2023-12-31")
    v = run_query(tiny, portal, query).values
    assert v.loc["A1", "value"] == pytest.approx(60 - 30, abs=2.0)  # published counts: 600/1000 and 300/1000 ± 5 persons each
    assert bool(v.loc["B2", "suppressed"]) and np.isnan(v.loc["B2", "value"])
    with pytest.raises(ParameterError, match="compare_from"):
        check_query(tiny, portal, "migration_share", "block", "2024-12-31", "mig_bg", compare_from="1999-12-31")
    with pytest.raises(ParameterError, match="compare_from"):
        check_query(tiny, portal, "migration_change", "block", "2024-12-31", "mig_bg", compare_from="2023-12-31")


def test_area_history_has_every_period(tiny):
    settings = load_settings()
    query = check_query(tiny, settings, "migration_share", "block", None, "mig_bg")
    history = area_history(tiny, settings, query, "A1")
    assert history["period"].tolist() == ["2023-12-31", "2024-12-31"] and history["value"].tolist() == pytest.approx([30, 60])


def test_selection_moves_between_levels_and_cells(tiny):
    assert translate_selection(tiny, ["A1", "A2"], BLOCK, Basis(level="district")) == ["A"]
    assert translate_selection(tiny, ["B"], Basis(level="district"), BLOCK) == ["B1", "B2"]
    cells = translate_selection(tiny, ["A1"], BLOCK, Basis(res=9))
    assert cells and set(district_of(tiny, Basis(res=9)).reindex(cells)) == {"A"}
    assert translate_selection(tiny, cells, Basis(res=9), BLOCK) == ["A1"]
    finer = translate_selection(tiny, cells, Basis(res=9), Basis(res=8))
    assert finer and all(c in set(tiny.cells(8)) for c in finer)


def test_districts_of_units_and_cells(tiny):
    assert district_of(tiny, BLOCK).to_dict() == {"A1": "A", "A2": "A", "B1": "B", "B2": "B"}
    assert sorted(ids_in_district(tiny, BLOCK, "B")) == ["B1", "B2"]
    assert len(ids_in_district(tiny, Basis(res=9), None)) == len(tiny.cells(9))


def test_berlin_selection_round_trip_and_facilities(berlin_bundle):
    plr = Basis(level="planungsraum")
    chosen = ["01100101", "01100102", "01100103"]
    cells = translate_selection(berlin_bundle, chosen, plr, Basis(res=9))
    assert 20 < len(cells) < 200
    assert translate_selection(berlin_bundle, cells, Basis(res=9), plr) == chosen
    assert sorted(translate_selection(berlin_bundle, ["01"], Basis(level="bezirk"), plr)) == sorted(ids_in_district(berlin_bundle, plr, "01"))
    near = facilities_near(berlin_bundle, plr, "01100101")
    assert len(near) > 0 and (near["distance_m"] <= 500).all() and (near["distance_m"] >= 0).all()
    assert list(funding_areas_of(berlin_bundle, plr, "01100101").columns) == ["area_id", "programme", "name", "share"]
