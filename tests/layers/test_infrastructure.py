"""Social infrastructure: nearest distance, coverage, capacity and need-weighted gap against hand-worked examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers.bundle import load_bundle, write_bundle
from layers.infrastructure.access import _cell_poverty, access, cell_distances, facility_points, facility_types, nearest_by_type, need_weight
from layers.infrastructure.layers import compute_capacity, compute_coverage, compute_distance, compute_gap
from layers.spatial.basis import Basis
from layers.spatial.routing import StraightLineRouter
from layers.standards import Params, current_params

from .infrastructure_tiny import CHILD_POVERTY, PARAMS, block_areas_in_cells, tiny_infra_build

PERIOD = "2024-12-31"
LON_M = 0.01 * 111_320 * np.cos(np.radians(52.005))  # 0.01° of longitude at 52.005° N: 685 m


@pytest.fixture(scope="module")
def tiny(settings):
    return load_bundle(write_bundle(tiny_infra_build(), settings.path("bundle_dir") / "tiny-infra", log=lambda *_: None))


def test_nearest_by_type_hand_worked():
    fac = pd.DataFrame({"type": ["kita", "kita", "library"], "x": [0.0, 1000.0, 0.0], "y": [0.0, 0.0, 3000.0]})
    origins = np.array([[300.0, 400.0], [900.0, 0.0], [0.0, 2000.0]])
    d = nearest_by_type(origins, fac, ["kita", "library", "park"], StraightLineRouter(1.3))
    # 3-4-5 triangle: 500 m straight, 650 m walking; 100 m → 130 m; library at 3 km: 3000 − 2000 = 1000 → 1300 m
    assert d["kita"].tolist() == pytest.approx([650.0, 130.0, 2000.0 * 1.3])
    assert d["library"].tolist() == pytest.approx([np.hypot(300, 2600) * 1.3, np.hypot(900, 3000) * 1.3, 1300.0])
    assert np.isinf(d["park"]).all()  # no park: infinitely far, never "covered"


def test_need_weight():
    assert need_weight(np.array([0.0, 25.0, np.nan])).tolist() == [1.0, 1.25, 1.0]


def test_unit_distance_and_coverage_hand_worked(tiny):
    a = access(tiny, Basis(level="block"), PERIOD, "kita", PARAMS).frame
    # The Kita stands on A1's only address point; A2's point is 0.01° east: 685 m × 1.3 = 891 m (LAEA within 0.5 %).
    assert a.loc["A1", "dist_m"] == pytest.approx(0.0, abs=1e-6)
    assert a.loc["A2", "dist_m"] == pytest.approx(LON_M * 1.3, rel=5e-3)
    assert a["covered"].to_dict() == {"A1": 100.0, "A2": 0.0, "B1": 0.0, "B2": 0.0}
    d = access(tiny, Basis(level="district"), PERIOD, "kita", PARAMS).frame
    assert d.loc["A", "dist_m"] == pytest.approx((100 * 0 + 300 * a.loc["A2", "dist_m"]) / 400)
    assert d.loc["A", "covered"] == 100 and d.loc["A", "residents"] == 400
    cov = compute_coverage(tiny, Basis(level="district"), PERIOD, group="kita").values
    assert cov.loc["A", "value"] == pytest.approx(25.0)  # 100 of 400 residents
    assert cov.loc["B", "value"] == 0.0


def test_gap_and_capacity_hand_worked(tiny):
    gap = compute_gap(tiny, Basis(level="district"), PERIOD, group="kita").values
    # unserved children under 6 × (1 + child poverty/100): A2 30 × 1.4 = 42; B1 20 × 1 (no MSS) + B2 6 × 1.1 = 26.6
    assert gap.loc["A", "value"] == pytest.approx(42.0)
    assert gap.loc["B", "value"] == pytest.approx(26.6)
    assert gap.loc["B", "numerator"] == 26  # unweighted unserved children: disclosure looks at persons
    cap = compute_capacity(tiny, Basis(level="district"), PERIOD, group="kita").values
    assert cap.loc["A", "value"] == pytest.approx(100 * 50 / 40)  # 50 places per 40 children under 6
    assert cap.loc["B", "value"] == 0.0


def test_h3_cells_measured_from_centre(tiny):
    dist = cell_distances(tiny, 10, PARAMS)
    fac = facility_points(tiny)
    kita = fac[fac["type"] == "kita"][["x", "y"]].to_numpy()
    from layers.infrastructure.access import cell_centres

    cells, xy = cell_centres(tiny, 10)
    brute = np.sqrt(((xy - kita[0]) ** 2).sum(axis=1)) * 1.3  # all pairs by hand: one Kita
    assert dist.loc[cells, "kita"].to_numpy() == pytest.approx(brute)
    r = compute_distance(tiny, Basis(res=9), PERIOD, group="kita")
    assert r.notes is not None and list(r.notes.columns) == ["de", "en"] and r.notes.index.equals(r.values.index)
    assert r.notes["de"].str.contains("Kita").all() and r.notes["en"].str.contains("Playground").all()


def test_types_and_params(tiny, settings):
    assert facility_types(tiny) == ["kita", "playground"]
    p = Params.from_settings(settings)
    assert p.coverage("kita") == 500 and p.coverage("primary_school") == 1000
    assert p.detour_factor == settings.values.get("detour_factor", 1.3)
    assert current_params().playground_standard_m2 == 1.0


def test_berlin_nearest_and_coverage(berlin_bundle):
    period = berlin_bundle.periods[-1]
    types = facility_types(berlin_bundle)
    assert {"kita", "primary_school", "playground", "library", "youth_club", "health"} <= set(types)
    dist = cell_distances(berlin_bundle, 10, current_params())
    assert len(dist) == len(berlin_bundle.cells(10)) and np.isfinite(dist["kita"]).all()
    # Against a brute-force check on a sample of cells: the KD-tree finds the true nearest Kita.
    from layers.infrastructure.access import cell_centres

    cells, xy = cell_centres(berlin_bundle, 10)
    fac = facility_points(berlin_bundle)
    kitas = fac.loc[fac["type"] == "kita", ["x", "y"]].to_numpy()
    sample = np.random.default_rng(1).choice(len(cells), 200, replace=False)
    brute = np.sqrt(((xy[sample, None, :] - kitas[None, :, :]) ** 2).sum(axis=2)).min(axis=1) * current_params().detour_factor
    assert dist["kita"].to_numpy()[sample] == pytest.approx(brute)
    cov = compute_coverage(berlin_bundle, Basis(level="bezirk"), period, group="kita").values
    assert ((cov["value"] > 50) & (cov["value"] <= 100)).all()  # most Berliners live within 500 m of a Kita
    city = cov["numerator"].sum() / cov["denominator"].sum()
    assert 0.7 < city < 1.0
    assert cov["denominator"].sum() == pytest.approx(berlin_bundle.counts(Basis(level="bezirk"), period).frame["pop_total"].sum())


def test_cell_child_poverty_is_the_mean_over_the_cells_area_by_hand(tiny):
    # Each cell: Σ |block ∩ cell| · poverty / Σ |block ∩ cell| over the blocks with a value (B1 has none).
    cells = tiny.cells(9)
    area = block_areas_in_cells(cells)
    area = area.where(area > 0.01, 0.0)[list(CHILD_POVERTY)]  # the weights leave out slivers under 0.01 m²
    covered = area.sum(axis=1)
    by_hand = (area * pd.Series(CHILD_POVERTY)).sum(axis=1) / covered.where(covered > 0)
    got = _cell_poverty(tiny, 9)
    assert got.index.tolist() == list(cells)
    assert np.isnan(got.to_numpy()).tolist() == np.isnan(by_hand.to_numpy()).tolist()  # cells of B1 alone: no value, not 0
    assert np.isnan(by_hand).any() and (by_hand.dropna() % 10 != 0).any()  # the case has empty and mixed cells
    assert got.dropna().to_numpy() == pytest.approx(by_hand.dropna().to_numpy(), rel=1e-9)
