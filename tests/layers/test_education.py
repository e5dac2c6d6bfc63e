"""Education layers: hand-worked Kita demand, 2SFCA, facility deviation and city D; real Berlin and demo-city checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from layers.education import facility_segregation as fs
from layers.education import kita, schools
from layers.education.fca import fca_ratio, kernel
from layers.education.layers import KITA_FCA, KITA_RATIO, KITA_UNSERVED, compute_catchment_share
from layers.education.params import EducationParams
from layers.spatial.basis import Basis
from layers.spatial.routing import StraightLineRouter

P = EducationParams()


# --- demand × rate -----------------------------------------------------------------------------------

def test_demand_is_children_times_mean_rate():
    params = EducationParams(take_up_under_3=0.4, take_up_3_6=0.9)
    assert params.take_up_under_6 == pytest.approx(0.65)  # (3·0.4 + 3·0.9) / 6
    assert kita.demand(np.array([200.0, 0.0, 31.0]), params).tolist() == pytest.approx([130.0, 0.0, 20.15])


def test_default_rates_are_the_documented_berlin_rates():
    assert (P.take_up_under_3, P.take_up_3_6) == (0.466, 0.921)
    assert P.take_up_under_6 == pytest.approx(0.6935)


# --- 2SFCA -------------------------------------------------------------------------------------------

CELLS = np.array([[0.0, 0.0], [1000.0, 0.0], [2000.0, 0.0]])
DEMAND = np.array([10.0, 20.0, 30.0])
KITAS = np.array([[500.0, 0.0], [1800.0, 0.0]])
PLACES = np.array([30.0, 20.0])


def test_2sfca_hand_worked_two_facilities_three_cells():
    # radius 850 m, no detour: Kita 1 reaches cells 0 and 1 (500 m each), Kita 2 cells 1 (800 m) and 2 (200 m).
    r = fca_ratio(CELLS, DEMAND, KITAS, PLACES, StraightLineRouter(1.0), 850.0, "step")
    # step 1: R1 = 30 / (10 + 20) = 1.0, R2 = 20 / (20 + 30) = 0.4
    assert r.supply_ratio.tolist() == pytest.approx([1.0, 0.4])
    assert r.reach_demand.tolist() == pytest.approx([30.0, 50.0])
    # step 2: A0 = R1, A1 = R1 + R2, A2 = R2
    assert r.access.tolist() == pytest.approx([1.0, 1.4, 0.4])
    assert (r.access * DEMAND).sum() == pytest.approx(PLACES.sum())  # places shared out, not counted twice


def test_2sfca_detour_factor_shrinks_the_reach():
    # with detour 1.3 the 800 m straight line is 1,040 m on foot: Kita 2 no longer reaches cell 1
    r = fca_ratio(CELLS, DEMAND, KITAS, PLACES, StraightLineRouter(1.3), 850.0, "step")
    assert r.supply_ratio.tolist() == pytest.approx([1.0, 20 / 30])
    assert r.access.tolist() == pytest.approx([1.0, 1.0, 20 / 30])


def test_2sfca_with_decay_conserves_places():
    r = fca_ratio(CELLS, DEMAND, KITAS, PLACES, StraightLineRouter(1.0), 850.0, "gaussian")
    w = kernel(np.array([500.0, 800.0, 200.0]), 850.0, "gaussian")
    r1 = 30 / (w[0] * 10 + w[0] * 20)
    r2 = 20 / (w[1] * 20 + w[2] * 30)
    assert r.access.tolist() == pytest.approx([w[0] * r1, w[0] * r1 + w[1] * r2, w[2] * r2])
    assert (r.access * DEMAND).sum() == pytest.approx(50.0)


def test_kernels():
    d = np.array([0.0, 500.0, 1000.0, 1001.0])
    assert kernel(d, 1000, "step").tolist() == [1, 1, 1, 0]
    assert kernel(d, 1000, "linear").tolist() == pytest.approx([1, 0.5, 0, 0])
    assert kernel(d, 1000, "gaussian").tolist() == pytest.approx([1, (np.exp(-0.125) - np.exp(-0.5)) / (1 - np.exp(-0.5)), 0, 0])
    assert kernel(d, 1000, "exponential", 2.0).tolist() == pytest.approx([1, np.exp(-1), np.exp(-2), 0])
    with pytest.raises(ValueError, match="unknown distance decay"):
        kernel(d, 1000, "cubic")


# --- facility segregation on known numbers -----------------------------------------------------------

def test_deviation_ratio_z_on_known_numbers():
    dev, ratio, z = fs.deviation(np.array([100.0, 25.0, 0.0]), np.array([60.0, 5.0, 0.0]), np.array([0.4, 0.4, 0.4]))
    assert dev[:2].tolist() == pytest.approx([20.0, -20.0])  # 60 % vs 40 %; 20 % vs 40 %
    assert ratio[:2].tolist() == pytest.approx([1.5, 0.5])
    # z = (x − n p) / sqrt(n p (1 − p)): (60 − 40)/sqrt(24), (5 − 10)/sqrt(6): the small facility's z is smaller
    assert z[:2].tolist() == pytest.approx([20 / np.sqrt(24), -5 / np.sqrt(6)])
    assert np.isnan(dev[2]) and np.isnan(z[2])  # no children: no value


def test_dissimilarity_and_what_choice_adds():
    # two facilities of 100, catchments both 50 %: residence alone gives D = 0; enrolment 80/20 gives D = 0.6
    out = fs.choice_adds(np.array([100.0, 100.0]), np.array([80.0, 20.0]), np.array([0.5, 0.5]))
    assert out["d_facilities"] == pytest.approx(0.6)
    assert out["d_catchments"] == pytest.approx(0.0)
    assert out["choice_adds"] == pytest.approx(0.6)
    # catchments 70 % and 30 % mirrored exactly: choice adds nothing
    same = fs.choice_adds(np.array([100.0, 100.0]), np.array([70.0, 30.0]), np.array([0.7, 0.3]))
    assert same["d_facilities"] == pytest.approx(0.4) and same["choice_adds"] == pytest.approx(0.0)
    assert fs.dissimilarity(np.array([1.0, 3.0]), np.array([3.0, 1.0])) == pytest.approx(0.5)


# --- demo city (has compositions and school choice) --------------------------------------------------

def test_demo_facility_table_recomputes_from_the_bundle(demo_bundle):
    period = demo_bundle.periods[-1]
    t = fs.facility_table(demo_bundle, period, P, "primary_school")
    assert len(t) == len(schools.catchments(demo_bundle)) and t["catchment_id"].notna().all()
    comp = demo_bundle.table("facility_composition")
    comp = comp[comp["period"] == pd.Timestamp(period)].set_index("facility_id")
    first = t.index[0]
    share = comp.loc[first, "children_mig_bg"] / comp.loc[first, "children_total"]
    ct = schools.catchment_table(demo_bundle, period).loc[t.loc[first, "catchment_id"]]
    p = ct["mig_6_12"] / ct["children_6_12"]
    assert t.loc[first, "deviation_pp"] == pytest.approx(100 * (share - p))
    assert t.loc[first, "z"] == pytest.approx((share - p) * comp.loc[first, "children_total"]
                                              / np.sqrt(comp.loc[first, "children_total"] * p * (1 - p)))


def test_demo_choice_adds_segregation(demo_bundle):
    summary = fs.city_summary(demo_bundle, demo_bundle.periods[-1], P)
    assert set(summary) == {"kita", "primary_school"}
    for kind, s in summary.items():
        assert 0 <= s["d_catchments"] < s["d_facilities"] <= 1, kind  # the demo's choice model separates more than residence


def test_demo_kita_fca_shares_out_every_place(demo_bundle):
    period = demo_bundle.periods[-1]
    r = KITA_FCA.compute(demo_bundle, Basis(res=9), period)
    f, _ = kita.supply_demand(demo_bundle, Basis(res=9), period, _params())
    a = kita.kita_access(demo_bundle, 9, period, _params())
    reached = a.kitas.loc[a.kitas["reach_demand"] > 0, "places"].sum()
    assert (r.values["value"] / 100 * a.cells["demand"]).sum() == pytest.approx(reached)
    assert reached == pytest.approx(kita.kitas(demo_bundle)["capacity"].sum())  # every demo Kita has children in reach
    assert len(f) == len(demo_bundle.cells(9))


def _params():
    from layers.education.params import current_params

    return current_params()


def test_unit_ratio_and_unserved_add_up(demo_bundle):
    period = demo_bundle.periods[-1]
    level = Basis(level=demo_bundle.finest_level.id)
    ratio = KITA_RATIO.compute(demo_bundle, level, period).values
    sd, _ = kita.supply_demand(demo_bundle, level, period, _params())
    assert sd["places"].sum() == pytest.approx(kita.kitas(demo_bundle)["capacity"].sum())
    has = sd["demand"] > 0
    assert ratio.loc[has, "value"].to_numpy() == pytest.approx((100 * sd["places"] / sd["demand"])[has].to_numpy())
    top = Basis(level=demo_bundle.levels[0].id)
    cells = KITA_UNSERVED.compute(demo_bundle, Basis(res=9), period).values["value"].sum()
    units = KITA_UNSERVED.compute(demo_bundle, top, period).values["value"].sum()
    assert units == pytest.approx(cells, rel=1e-6)  # cells back to units conserve the count


# --- real Berlin -------------------------------------------------------------------------------------

def test_berlin_kita_places_equal_the_kita_list(berlin_bundle, berlin_dir):
    raw = pd.read_csv(berlin_dir / "berlin_social_infrastructure/kitas/berlin-daycare-centers-2026-01-details.csv", dtype=str)
    k = kita.kitas(berlin_bundle)
    assert len(k) == len(raw) == 2893
    assert k["capacity"].sum() == pd.to_numeric(raw["places"]).sum() == 199_851
    level = Basis(level="bezirk")
    assert kita.places(berlin_bundle, level).sum() == 199_851
    a = kita.kita_access(berlin_bundle, 9, berlin_bundle.periods[-1], P)
    assert (a.cells["access"] * a.cells["demand"]).sum() == pytest.approx(199_851)


def test_berlin_every_kita_in_a_planungsraum(berlin_bundle):
    k = kita.kitas(berlin_bundle)
    plr = berlin_bundle.units_of("planungsraum")
    assert k["unit_id"].notna().all() and k["unit_id"].isin(plr.index).all()
    geoms = plr.geometry.reindex(k["unit_id"].to_numpy()).to_numpy()
    assert shapely.intersects(geoms, k.geometry.to_numpy()).all()


def test_berlin_catchments_children_and_schools(berlin_bundle):
    period = berlin_bundle.periods[-1]
    t = schools.catchment_table(berlin_bundle, period)
    assert len(t) == 346
    band = berlin_bundle.counts(Basis(level="bezirk"), period).frame["age_6_15"].sum()
    assert t["children_6_15"].sum() == pytest.approx(band, rel=1e-4)  # catchments cover Berlin: the interpolation conserves
    assert t["children_6_12"].sum() == pytest.approx(band * 6 / 9, rel=1e-4)
    fac = berlin_bundle.table("facilities")
    public = fac[(fac["type"] == "primary_school") & (fac["provider"] == "öffentlich")]
    assert t["schools"].sum() == len(public) == 376  # private schools have no catchment
    assert t["pupils"].sum() == pytest.approx(pd.to_numeric(public["pupils"]).sum())
    assert t["startchancen"].sum() == int(public["startchancen"].fillna(False).sum()) > 0
    assert t["share_mig_pct"].between(0, 100).all()
    share = compute_catchment_share(berlin_bundle, Basis(res=9), period)
    assert share.interpolated_from == "planungsraum" and share.values["value"].notna().mean() > 0.9


def test_berlin_has_no_compositions_and_says_so(berlin_bundle):
    assert not fs.has_compositions(berlin_bundle)
    assert fs.facility_table(berlin_bundle, berlin_bundle.periods[-1], P, "primary_school").empty
    assert fs.city_summary(berlin_bundle, berlin_bundle.periods[-1], P) == {}
    assert "facility_composition" in berlin_bundle.manifest.notes


def test_berlin_serving_kitas_and_nearest_spare(berlin_bundle):
    period = berlin_bundle.periods[-1]
    near = kita.serving_kitas(berlin_bundle, Basis(level="bezirksregion"), "011001", period, P)
    assert len(near) > 0 and (near["dist_m"] <= P.radius_m).all() and near["dist_m"].is_monotonic_increasing
    a = kita.kita_access(berlin_bundle, 9, period, P)
    xy = a.kitas[["x", "y"]].to_numpy()[:5]
    spare = kita.nearest_spare(berlin_bundle, xy, period, P)
    assert spare["facility_id"].notna().all()
    assert (a.kitas.loc[spare["facility_id"], "supply_ratio"] > 1).all()
    with pytest.raises(KeyError, match="not a unit"):
        kita.serving_kitas(berlin_bundle, Basis(level="bezirksregion"), "999999", period, P)


def test_unit_2sfca_is_the_demand_weighted_mean_of_its_cells(berlin_bundle):
    """Issue 20: a unit's 2SFCA value is Σ_c A_c·D_c·s_cu / Σ_c D_c·s_cu over its res-9 cells (s_cu: share of the cell's
    area in the unit), so it lies within its cells' range (Nonnendammallee showed 657 while its cells range 0–263)."""
    from layers.education.kita import access_on, kita_access
    from layers.education.params import EducationParams
    from layers.settings import load_settings

    period, params = berlin_bundle.periods[-1], EducationParams.from_settings(load_settings())
    units, _ = access_on(berlin_bundle, Basis(level="planungsraum"), period, params)
    cells = kita_access(berlin_bundle, 9, period, params).cells
    w = berlin_bundle.weights(9)
    w = w[w["cell"].isin(cells.index[cells["demand"] > 0])]
    d = cells["demand"].reindex(w["cell"]).to_numpy() * w["cell_share"].to_numpy()
    a = cells["access"].reindex(w["cell"]).to_numpy()
    by_hand = pd.Series(a * d).groupby(w["unit_id"].to_numpy()).sum() / pd.Series(d).groupby(w["unit_id"].to_numpy()).sum()
    assert np.allclose(units["access"].reindex(by_hand.index), by_hand, rtol=1e-9)
    lo = pd.Series(a).groupby(w["unit_id"].to_numpy()).min()
    hi = pd.Series(a).groupby(w["unit_id"].to_numpy()).max()
    x = units["access"].reindex(lo.index)
    assert ((x >= lo - 1e-9) & (x <= hi + 1e-9)).all()


def test_cells_without_children_have_no_2sfca_value_not_zero(berlin_bundle):
    """Issue 20: 22 cells without children showed 0 places per 100 children (11 with Kitas in reach)."""
    from layers.education.layers import compute_kita_fca

    r = compute_kita_fca(berlin_bundle, Basis(res=9), berlin_bundle.periods[-1])
    v = r.values
    nobody = v["residents"] == 0
    assert nobody.sum() > 0 and v.loc[nobody, "value"].isna().all()
    assert (v.loc[~nobody, "value"].notna()).mean() > 0.99
    assert KITA_FCA.persons_en == "children under 6" and "in demand" in KITA_FCA.unit_en


def test_kita_layers_state_the_kita_list_date(berlin_bundle):
    """Issue 20: the Kita list's date (01/2026) was missing beside the population's Stichtag."""
    from layers.education.layers import compute_kita_ratio

    r = compute_kita_ratio(berlin_bundle, Basis(level="bezirk"), berlin_bundle.periods[-1])
    assert dict(r.data_dates) == {"kitas": "01/2026"}
