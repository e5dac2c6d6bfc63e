"""Segregation indices (BRIEF §3.2): PySAL kernels against the formulas on hand-computed examples, the origin partition,
city and district tables on real Berlin data, and seeded inference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from layers.segregation import groups as sg
from layers.segregation import indices as si
from layers.segregation import inference as inf
from layers.spatial.basis import Basis

# Three units: x = group, t = all (persons). X = 60, T = 200, P = 0.3.
X3 = pd.DataFrame({"x": [40.0, 15.0, 5.0], "t": [80.0, 50.0, 70.0]})


def test_single_group_indices_match_the_brief_formulas_by_hand():
    d = si.single_indices(X3)
    x, t = X3["x"].to_numpy(), X3["t"].to_numpy()
    y = t - x
    X, Y, T = 60.0, 140.0, 200.0
    P = X / T
    # D = ½ Σ |x_i/X − y_i/Y| = ½ (|40/60 − 40/140| + |15/60 − 35/140| + |5/60 − 65/140|)
    assert d["dissim"] == pytest.approx(0.5 * (abs(40 / 60 - 40 / 140) + 0 + abs(5 / 60 - 65 / 140)))
    assert d["dissim"] == pytest.approx(0.5 * np.abs(x / X - y / Y).sum())
    # xPx* = Σ (x_i/X)(x_i/t_i) = (40/60)(0.5) + (15/60)(0.3) + (5/60)(5/70)
    xpx = 40 / 60 * 0.5 + 15 / 60 * 0.3 + 5 / 60 * 5 / 70
    assert d["isolation"] == pytest.approx(xpx)
    assert d["interaction"] == pytest.approx(1 - xpx)  # xPy* = Σ (x_i/X)(y_i/t_i)
    assert d["correlation_ratio"] == pytest.approx((xpx - P) / (1 - P))
    # Theil's H = Σ t_i (E − E_i) / (E T), E = entropy of the city
    ent = lambda p: 0.0 if p in (0, 1) else -(p * math.log(p) + (1 - p) * math.log(1 - p))  # noqa: E731
    E = ent(P)
    assert d["theil_h"] == pytest.approx(sum(ti * (E - ent(xi / ti)) for xi, ti in zip(x, t)) / (E * T))
    # Gini = Σ_i Σ_j t_i t_j |p_i − p_j| / (2 T² P (1 − P))
    p = x / t
    gini = sum(t[i] * t[j] * abs(p[i] - p[j]) for i in range(3) for j in range(3)) / (2 * T * T * P * (1 - P))
    assert d["gini"] == pytest.approx(gini)


def test_kernels_equal_pysal_public_classes():
    from segregation import singlegroup as s

    rng = np.random.default_rng(3)
    t = rng.integers(50, 900, 60).astype(float)
    frame = pd.DataFrame({"x": np.floor(t * rng.uniform(0.05, 0.8, 60)), "t": t})
    d = si.single_indices(frame)
    for index_id, cls in {"dissim": s.Dissim, "isolation": s.Isolation, "interaction": s.Interaction,
                          "correlation_ratio": s.CorrelationR, "theil_h": s.Entropy}.items():
        assert d[index_id] == pytest.approx(cls(frame, "x", "t").statistic, rel=1e-12), index_id


def test_gini_fast_path_equals_pysal_kernel():
    from segregation.singlegroup import gini

    rng = np.random.default_rng(5)
    t = rng.integers(1, 500, si.GINI_EXACT_MAX_UNITS + 500).astype(float)
    frame = pd.DataFrame({"x": np.floor(t * rng.uniform(0, 1, len(t))), "t": t})
    fast = si.gini_kernel(frame, "x", "t")[0]
    assert fast == pytest.approx(gini._gini_vecp.py_func(frame["x"].to_numpy(), t), rel=1e-9)


def test_zero_population_units_are_left_out_and_degenerate_areas_give_nan():
    with_empty = pd.concat([X3, pd.DataFrame({"x": [0.0], "t": [0.0]})], ignore_index=True)
    assert si.single_indices(with_empty) == pytest.approx(si.single_indices(X3))
    assert all(np.isnan(v) for v in si.single_indices(X3.iloc[:1]).values())  # one unit: no distribution to compare


def test_multigroup_indices_by_hand():
    parts = pd.DataFrame({"a": [30.0, 10.0], "b": [10.0, 30.0], "c": [0.0, 20.0]})
    m = si.multi_indices(parts)
    n = parts.to_numpy()
    T, ti, Pk = n.sum(), n.sum(axis=1), n.sum(axis=0) / n.sum()
    pik = n / ti[:, None]
    Is = (Pk * (1 - Pk)).sum()
    assert m["simpson_interaction"] == pytest.approx(Is)
    assert m["multi_dissim"] == pytest.approx((ti[:, None] * np.abs(pik - Pk)).sum() / (2 * T * Is))
    E = -(Pk * np.log(Pk)).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.nansum(ti[:, None] * pik * np.log(pik / Pk)) / (T * E)
    assert m["multi_theil_h"] == pytest.approx(h)


def test_origin_partition_of_berlin_t4_is_exclusive_and_sums_to_the_total(berlin_bundle):
    leaves = sg.origin_partition(berlin_bundle.count_columns)
    for agg in sg.T4_PARTS:
        assert agg not in leaves
    assert "origin_united_kingdom" in leaves and "origin_undefined" in leaves and len(leaves) == 22
    pop = berlin_bundle.table("population")
    parts = sg.partition_frame(pop)
    assert (parts >= 0).all().all()
    assert np.allclose(parts.sum(axis=1), pop["pop_mig_bg"])
    # The T4 blocks themselves overlap: their sum exceeds the total somewhere, so they cannot be the partition.
    blocks = ["origin_european_union", "origin_former_yugoslavia", "origin_former_soviet_union", "origin_islamic_countries",
              "origin_vietnam", "origin_united_states", "origin_undefined"]
    assert (pop[blocks].sum(axis=1) > pop["pop_mig_bg"]).any()
    with pytest.raises(ValueError, match="negative"):
        sg.check_partition(pop[blocks].astype(float).assign(rest=pop["pop_mig_bg"] - pop[blocks].sum(axis=1)), pop["pop_mig_bg"])


def test_demo_partition_uses_all_origin_columns(demo_bundle):
    leaves = sg.origin_partition(demo_bundle.count_columns)
    assert set(leaves) == {c for c in demo_bundle.count_columns if c.startswith("origin_")}
    parts = sg.partition_frame(demo_bundle.counts(Basis(res=8), demo_bundle.periods[-1]).frame)
    assert parts[sg.REMAINDER].abs().max() < 1e-6


def test_berlin_index_table_city_and_districts(berlin_bundle):
    b = berlin_bundle
    table = si.index_table(b, "planungsraum", "mig_bg_under_18")
    assert len(table) == len(b.periods) * 13 and set(table["area"]) == {"city", *b.units_of("bezirk").index}
    city = table[(table["area"] == "city") & (table["period"] == "2024-12-31")].iloc[0]
    f = b.counts(Basis(level="planungsraum"), "2024-12-31").frame
    x = f[["mig_bg_age_0_6", "mig_bg_age_6_15", "mig_bg_age_15_18"]].sum(axis=1)
    t = f[["age_0_6", "age_6_15", "age_15_18"]].sum(axis=1)
    keep = t > 0
    X, Y = x[keep].sum(), (t - x)[keep].sum()
    assert city["dissim"] == pytest.approx(0.5 * np.abs(x[keep] / X - (t - x)[keep] / Y).sum())
    assert city["comparison_total"] == t.sum() and 0.2 < city["dissim"] < 0.4
    mitte = table[(table["area"] == "01") & (table["period"] == "2024-12-31")].iloc[0]
    assert mitte["n_units"] == (b.units_of("planungsraum").index.str[:2] == "01").sum()
    assert si.index_table(b, "planungsraum", "mig_bg_under_18") is table  # cached


def test_h3_cells_are_assigned_to_one_district(berlin_bundle):
    district = si.district_of(berlin_bundle, Basis(res=8))
    assert district.notna().all() and set(district) == set(berlin_bundle.units_of("bezirk").index)
    table = si.index_table(berlin_bundle, "h3_8", "mig_bg")
    assert table["interpolated_from"].eq("planungsraum").all()


def test_multigroup_table_berlin(berlin_bundle):
    m = si.multigroup_table(berlin_bundle, "planungsraum")
    city = m[(m["area"] == "city") & (m["period"] == "2024-12-31")].iloc[0]
    assert city["population"] == berlin_bundle.counts(Basis(level="planungsraum"), "2024-12-31").frame["pop_mig_bg"].sum()
    assert 0 < city["multi_dissim"] < 1 and 0 < city["multi_theil_h"] < 1 and city["n_groups"] == 23


def test_inference_is_seeded_and_matches_the_table(berlin_bundle):
    b = berlin_bundle
    frame0 = inf._area_frame(b, Basis(level="planungsraum"), b.periods[0], "mig_bg_under_18", "02")
    frame1 = inf._area_frame(b, Basis(level="planungsraum"), b.periods[-1], "mig_bg_under_18", "02")
    a = inf.two_value_test(frame0, frame1, "dissim", iterations=39, seed=1)
    assert a == inf.two_value_test(frame0, frame1, "dissim", iterations=39, seed=1)
    table = si.index_table(b, "planungsraum", "mig_bg_under_18").set_index(["period", "area"])
    assert a[0] == pytest.approx(table.loc[(b.periods[-1], "02"), "dissim"] - table.loc[(b.periods[0], "02"), "dissim"])
    assert 0 <= a[1] <= 1
    p = inf.single_value_test(frame1, "dissim", iterations=39, seed=2)
    assert p == inf.single_value_test(frame1, "dissim", iterations=39, seed=2) and p < 0.1  # far from even at these sizes
    bc = inf.bias_corrected_dissim(frame1, draws=50, seed=3)
    assert bc < table.loc[(b.periods[-1], "02"), "dissim"]  # the correction removes the upward small-unit bias


def test_seeding_restores_the_global_generator():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    with inf._seeded(9):
        np.random.random()
    assert np.random.random() == expected


def test_social_groups_segregation_by_hand(berlin_bundle):
    """Issue 20: D for children under 15 in transfer receipt (MSS child poverty × children under 15 per Planungsraum),
    computed here from the raw indicator and counts, next to the ethnic indices."""
    import numpy as np

    from layers.segregation import available_groups, index_table

    assert {"children_transfer", "unemployed", "transfer"} <= {g.id for g in available_groups(berlin_bundle)}
    period = berlin_bundle.periods[-1]
    ind = berlin_bundle.table("indicators")
    share = ind[ind["indicator"] == "mss_child_poverty_pct"].set_index("unit_id")["value"]
    f = berlin_bundle.counts(Basis(level="planungsraum"), period).frame.reindex(share.index)
    t = (f["age_0_6"] + f["age_6_15"]).to_numpy(dtype=float)
    x = t * share.to_numpy() / 100
    y = t - x
    d = 0.5 * np.abs(x / x.sum() - y / y.sum()).sum()
    table = index_table(berlin_bundle, "planungsraum", "children_transfer")
    city = table[(table["area"] == "city") & (table["period"] == period)].iloc[0]
    assert city["dissim"] == pytest.approx(d, rel=1e-9)
    mig = index_table(berlin_bundle, "planungsraum", "mig_bg")
    assert city["dissim"] > mig[(mig["area"] == "city") & (mig["period"] == period)].iloc[0]["dissim"]  # mainly social
