"""Social layers (issue 20): every MSS indicator as a layer with its own date, resident-weighted on coarser units and
interpolated on H3; the social context beside migration figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers import social
from layers.bundle import load_bundle, write_bundle
from layers.registry import REGISTRY
from layers.spatial.basis import Basis

from .infrastructure_tiny import CHILD_POVERTY, POINTS, block_areas_in_cells, tiny_infra_build


def test_every_social_indicator_of_berlin_is_a_layer_group(berlin_bundle):
    continuous = {k for k, m in berlin_bundle.manifest.indicators.items() if m.get("unit") in ("%", "pp", "% p.a.")}
    offered = {g.id for spec in social.LAYERS for g in spec.groups(berlin_bundle)}
    assert len(continuous) >= 18 and offered == continuous
    assert all(spec.id in REGISTRY for spec in social.LAYERS)


def test_child_poverty_of_a_district_is_the_child_weighted_mean_of_its_planning_areas(berlin_bundle):
    period = berlin_bundle.periods[-1]
    r = social.SHARES.compute(berlin_bundle, Basis(level="bezirk"), period, group="mss_child_poverty_pct")
    ind = berlin_bundle.table("indicators")
    v = ind[ind["indicator"] == "mss_child_poverty_pct"].set_index("unit_id")["value"]
    counts = berlin_bundle.counts(Basis(level="planungsraum"), period).frame
    children = (counts["age_0_6"] + counts["age_6_15"]).reindex(v.index)
    district = pd.Series(v.index.str[:2], index=v.index)
    by_hand = (v * children).groupby(district).sum() / children.groupby(district).sum()
    assert np.allclose(r.values["value"].reindex(by_hand.index), by_hand)
    assert dict(r.data_dates) == {"mss": "2020-12-31"} and r.interpolated_from is None


def test_cells_lie_between_the_planning_areas_that_feed_them_and_say_interpolated(berlin_bundle):
    period = berlin_bundle.periods[-1]
    r = social.SHARES.compute(berlin_bundle, Basis(res=9), period, group="mss_unemployment_pct")
    assert r.interpolated_from == "planungsraum"
    ind = berlin_bundle.table("indicators")
    v = ind[ind["indicator"] == "mss_unemployment_pct"].set_index("unit_id")["value"]
    w = berlin_bundle.weights(9)
    w = w[w["unit_id"].isin(v.index)].assign(v=lambda d: v.reindex(d["unit_id"]).to_numpy())
    lo, hi = w.groupby("cell")["v"].min(), w.groupby("cell")["v"].max()
    x = r.values["value"].reindex(lo.index)
    assert ((x >= lo - 1e-9) & (x <= hi + 1e-9)).all()


def test_context_columns_for_downloads(berlin_bundle):
    frame, dates = social.context_columns(berlin_bundle, Basis(level="bezirksregion"), berlin_bundle.periods[-1])
    assert list(frame.columns) == list(social.CONTEXT) and set(dates.values()) == {"2020-12-31"}
    assert frame.notna().all().all() and (frame >= 0).all().all() and len(frame) == 143


def test_a_bundle_without_indicators_offers_no_social_groups(demo_bundle, tmp_path):
    from layers.bundle import load_bundle, write_bundle
    from tests.tiny import tiny_build

    tiny = load_bundle(write_bundle(tiny_build(), tmp_path / "tiny", log=lambda *_: None))
    assert social.indicators_with_unit(tiny, ("%",)) == ()
    frame, dates = social.context_columns(tiny, Basis(level="block"), "2024-12-31")
    assert frame.shape[1] == 0 and dates == {}
    with pytest.raises(KeyError):
        tiny.table("indicators")


def test_combined_map_classes_by_hand(berlin_bundle):
    """Issue 20: a migration layer and a social indicator together; class = [mig share > city] + 2·[social > city]."""
    period = berlin_bundle.periods[-1]
    r = social.COMBINED.compute(berlin_bundle, Basis(level="bezirk"), period, group="mss_child_poverty_pct")
    f = berlin_bundle.counts(Basis(level="bezirk"), period).frame
    mig = f["pop_mig_bg"] / f["pop_total"]
    city_mig = f["pop_mig_bg"].sum() / f["pop_total"].sum()
    child = social.SHARES.compute(berlin_bundle, Basis(level="bezirk"), period, group="mss_child_poverty_pct").values["value"]
    ind = berlin_bundle.table("indicators")
    v = ind[ind["indicator"] == "mss_child_poverty_pct"].set_index("unit_id")["value"]
    plr = berlin_bundle.counts(Basis(level="planungsraum"), period).frame.reindex(v.index)
    kids = plr["age_0_6"] + plr["age_6_15"]
    city_child = (v * kids).sum() / kids.sum()  # the city value: weighted by children under 15 (whom the share counts among)
    expected = (mig > city_mig).astype(float) + 2.0 * (child > city_child)
    assert r.values["value"].reindex(expected.index).tolist() == expected.tolist()
    assert set(r.values["value"].unique()) <= {0.0, 1.0, 2.0, 3.0} and dict(r.data_dates) == {"mss": "2020-12-31"}


def test_cells_weight_child_poverty_by_the_children_their_blocks_bring_by_hand(tmp_path):
    # v_c = Σ_u w_uc · k_u · v_u / Σ_u w_uc · k_u over the blocks with a value, w_uc = |u ∩ c| / |u|, k_u children under 15.
    tiny = load_bundle(write_bundle(tiny_infra_build(), tmp_path / "tiny-social", log=lambda *_: None))
    cells = tiny.ids(Basis(res=9))
    area = block_areas_in_cells(cells)
    share = (area / area.sum()).where(area > 0.01, 0.0)[list(CHILD_POVERTY)]  # the weights leave out slivers under 0.01 m²
    children = pd.Series({b: POINTS[b][3] + POINTS[b][4] for b in CHILD_POVERTY})
    den = (share * children).sum(axis=1)
    by_hand = (share * children * pd.Series(CHILD_POVERTY)).sum(axis=1) / den.where(den > 0)
    got, interp = social.indicator_on(tiny, Basis(res=9), "2024-12-31", ("mss_child_poverty_pct",))
    assert interp == "block" and got.index.tolist() == list(cells)
    assert np.isnan(got["mss_child_poverty_pct"]).tolist() == np.isnan(by_hand).tolist()  # B1 alone: no value, not 0
    assert np.isnan(by_hand).any() and (by_hand.dropna() % 10 != 0).any()  # the case has empty and mixed cells
    assert got["mss_child_poverty_pct"].dropna().to_numpy() == pytest.approx(by_hand.dropna().to_numpy(), rel=1e-9)
