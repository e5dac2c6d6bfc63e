"""Local segregation measures: H3 ring and contiguity weights, EB smoothing, FDR, Gi* / local Moran classes, local entropy, layers."""

from __future__ import annotations

import h3
import numpy as np
import pytest

from layers.query import check_query, run_query
from layers.registry import REGISTRY
from layers.segregation import layers as sl
from layers.segregation import local
from layers.settings import load_settings
from layers.spatial.basis import Basis


def test_h3_ring_weights_binary_row_standardised(demo_bundle):
    centre = "891f1d48a13ffff"
    cells = list(h3.grid_disk(centre, 1))
    w = local.spatial_weights(demo_bundle, Basis(res=9), cells)
    assert w.cardinalities[centre] == 6 and all(v == pytest.approx(1 / 6) for v in w.weights[centre])
    edge = next(c for c in cells if c != centre)
    assert w.cardinalities[edge] == 3  # centre + two ring neighbours inside the set
    star = local.spatial_weights(demo_bundle, Basis(res=9), cells, star=True)
    assert centre in star.neighbors[centre] and all(v == pytest.approx(1 / 7) for v in star.weights[centre])


def test_unit_weights_are_queen_contiguity(berlin_bundle):
    ids = list(berlin_bundle.units_of("bezirk").index)
    w = local.spatial_weights(berlin_bundle, Basis(level="bezirk"), ids)
    assert "02" in w.neighbors["01"] and "12" in w.neighbors["01"]  # Mitte borders Friedrichshain-Kreuzberg and Reinickendorf
    assert "09" not in w.neighbors["01"] and not w.islands


def test_eb_rate_by_hand_and_clamped():
    x, t = np.array([2.0, 30.0, 5.0]), np.array([10.0, 100.0, 50.0])
    m = x.sum() / t.sum()
    s2 = (t * (x / t - m) ** 2).sum() / t.sum() - m / t.mean()
    expected = m + s2 / (s2 + m / t) * (x / t - m)
    assert local.eb_rate(x, t) == pytest.approx(expected)
    flat = local.eb_rate(np.array([1.0, 1.0]), np.array([10.0, 11.0]))  # no spread beyond Poisson noise: all get the mean
    assert flat == pytest.approx([2 / 21, 2 / 21])


def test_fdr_by_hand():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    # Benjamini–Hochberg at 5 %: largest k with p_(k) ≤ 0.05·k/10 is k = 2
    assert local.fdr_significant(p).tolist() == [True, True] + [False] * 8
    assert not local.fdr_significant(np.array([0.5, 0.9])).any()


def test_hot_spots_reproducible_and_classes(demo_bundle):
    period = demo_bundle.periods[-1]
    a = local.hot_spots.__wrapped__(demo_bundle, "h3_8", period, "mig_bg", 999, 7)
    b = local.hot_spots.__wrapped__(demo_bundle, "h3_8", period, "mig_bg", 999, 7)
    assert a.equals(b)
    used = a["t"] > 0
    assert set(a.loc[used, "gi_class"].unique()) <= {0, 1, 2} and set(a.loc[used, "moran_class"].unique()) <= {0, 1, 2, 3, 4}
    hot = a[a["gi_class"] == 1]
    assert (hot["gi_z"] > 0).all() and (a.loc[a["gi_class"] == 2, "gi_z"] < 0).all()
    assert len(hot) > 0 and hot["gi_p"].max() <= 0.05 and a.loc[~used, "gi_class"].isna().all()


def test_local_entropy_matches_formula(demo_bundle):
    period = demo_bundle.periods[-1]
    e = local.local_entropy(demo_bundle, "h3_8", period)
    counts = demo_bundle.counts(Basis(res=8), period).frame
    cols = [c for c in counts.columns if c.startswith("origin_")]
    cell = counts["pop_mig_bg"].idxmax()
    p = counts.loc[cell, cols].to_numpy(dtype=float) / counts.loc[cell, "pop_mig_bg"]
    p = p[p > 0]
    K = len(cols) + 1  # leaves + remainder
    assert e.loc[cell, "value"] == pytest.approx(-(p * np.log(p)).sum() / np.log(K))
    assert e["value"].dropna().between(0, 1).all()


@pytest.mark.parametrize("spec", sl.LAYERS, ids=lambda s: s.id)
def test_layers_registered_with_counts_for_disclosure(spec, demo_bundle):
    assert REGISTRY[spec.id] is spec and spec.section == "segregation"
    settings = load_settings(mode="portal")
    result = run_query(demo_bundle, settings, check_query(demo_bundle, settings, spec.id, demo_bundle.finest_level.id, None))
    v = result.values
    assert list(v.columns) == ["value", "numerator", "denominator", "residents", "suppressed", "fallback_from"]  # portal: where a value comes from
    assert v.loc[v["suppressed"], "value"].isna().all()
    shown = v[~v["suppressed"]]
    assert shown["residents"].min() >= settings.min_residents
    if spec.categories:
        assert set(shown["value"].dropna().unique()) <= {c.value for c in spec.categories}
        assert result.notes is not None and result.notes.index.equals(v.index)


def test_gi_star_layer_equals_hot_spots_function(berlin_bundle):
    period = berlin_bundle.periods[-1]
    result = sl.compute_gi_star(berlin_bundle, Basis(level="planungsraum"), period, group="mig_bg")
    h = local.hot_spots(berlin_bundle, "planungsraum", period, "mig_bg")
    assert result.values["value"].equals(h["gi_class"].astype(float))
    assert (result.values["value"] == 1).sum() > 20  # the inner city shows clusters of high shares


def test_gi_star_z_is_the_standard_statistic_by_hand():
    """Gi* z for four areas in a row, each with itself and its neighbours, by the textbook formula computed here."""
    import math

    from libpysal.weights import W

    from layers.segregation.local import gi_star_z

    x = np.array([1.0, 2.0, 3.0, 10.0])
    nbrs = {0: [0, 1], 1: [1, 0, 2], 2: [2, 1, 3], 3: [3, 2]}
    mean, s, n = x.mean(), math.sqrt((x ** 2).mean() - x.mean() ** 2), len(x)
    by_hand = [(x[nb].sum() - mean * len(nb)) / (s * math.sqrt((n * len(nb) - len(nb) ** 2) / (n - 1))) for nb in nbrs.values()]
    assert gi_star_z(x, W(nbrs, silence_warnings=True)) == pytest.approx(by_hand)
    # row-standardised weights give the same z (the statistic does not change when a row is scaled)
    w = W(nbrs, silence_warnings=True)
    w.transform = "R"
    assert gi_star_z(x, w) == pytest.approx(by_hand)


def test_gi_star_z_on_berlin_agrees_with_significance(berlin_bundle):
    """Issue 20: no area showed |z| > 1.96 although 158 are significant at FDR 5 %; Stülerstraße read z = 1.37, p = 0.002
    (the classic z is 3.38)."""
    h = local.hot_spots(berlin_bundle, "planungsraum", berlin_bundle.periods[-1], "mig_bg")
    significant = h["gi_class"] > 0
    assert significant.sum() > 100
    assert (h.loc[significant, "gi_z"].abs() > 1.96).all()
    assert h.loc["01100101", "gi_z"] == pytest.approx(3.38, abs=0.01)


def test_cluster_colours_are_not_the_colours_of_status_or_need():
    """Issue 20: 'cluster of high shares' used the colour of MSS 'very low', so maps read as judgements."""
    from layers.funding.layers import ATTENTION_LAYER, DYNAMICS_LAYER, NEED_FUNDING_LAYER, STATUS_LAYER
    from layers.segregation.layers import GI_STAR, LOCAL_MORAN

    judged = {c.colour.upper() for spec in (STATUS_LAYER, DYNAMICS_LAYER, ATTENTION_LAYER, NEED_FUNDING_LAYER) for c in spec.categories
              if c.value != 0 and c.colour.upper() not in ("#F0F0F0",)}
    clusters = {c.colour.upper() for spec in (GI_STAR, LOCAL_MORAN) for c in spec.categories if c.value in (1, 2)}
    assert clusters and not clusters & judged
