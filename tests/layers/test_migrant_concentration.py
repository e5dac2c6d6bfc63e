"""Migrant concentration on the hand-made tiny city: shares, counts, LQ and change by hand."""

import pytest

from layers import migrant_concentration as mc
from layers.bundle import load_bundle, write_bundle
from layers.disclosure import apply_minimum_counts
from layers.spatial.basis import Basis
from tests.tiny import tiny_build

BLOCK = Basis(level="block")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_bundle(write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None))


def test_share_in_percent(tiny):
    v = mc.compute_share(tiny, BLOCK, "2024-12-31", group="mig_bg").values["value"]
    assert v["A1"] == pytest.approx(60.0)
    assert v["B1"] == pytest.approx(20.0)


def test_count(tiny):
    v = mc.compute_count(tiny, Basis(level="district"), "2024-12-31", group="foreign").values["value"]
    assert v["A"] == 340 and v["B"] == 201


def test_location_quotient(tiny):
    v = mc.compute_location_quotient(tiny, BLOCK, "2024-12-31", group="mig_bg").values["value"]
    city = (600 + 100 + 400 + 2) / (1000 + 500 + 2000 + 40)
    assert v["A1"] == pytest.approx(0.6 / city)
    assert v["A2"] == pytest.approx(0.2 / city)


def test_change_in_percentage_points(tiny):
    r = mc.compute_change(tiny, BLOCK, "2024-12-31", group="mig_bg", period_from="2023-12-31")
    assert r.values["value"]["A1"] == pytest.approx(60.0 - 30.0)
    assert r.period_from == "2023-12-31"


def test_groups_follow_the_bundle_columns(tiny):
    ids = [g.id for g in mc.available_groups(tiny)]
    assert ids == ["mig_bg", "foreign"]
    with pytest.raises(KeyError, match="unknown group"):
        mc.compute_share(tiny, BLOCK, "2024-12-31", group="origin_turkey")


def test_h3_values_carry_interpolation_badge(tiny):
    r = mc.compute_share(tiny, Basis(res=9), "2024-12-31", group="mig_bg")
    assert r.interpolated_from == "block"
    assert r.values["numerator"].sum() == pytest.approx(1102)


@pytest.mark.parametrize("publish", [True, False])
def test_small_counts_suppressed_in_portal_only(tiny, publish):
    r = apply_minimum_counts(mc.compute_share(tiny, BLOCK, "2024-12-31", group="mig_bg"), mc.SHARE, 3, 50, publish)
    assert r.values.loc["B2", "suppressed"]  # 40 residents < 50
    assert not r.values.loc["A1", "suppressed"]
    assert pytest.approx(r.values.loc["A1", "value"]) == 60.0
    assert (r.values.loc["B2", "value"] != r.values.loc["B2", "value"]) == publish  # NaN only when published


def test_small_counts_rules():
    import pandas as pd

    from layers.disclosure import small_counts

    v = pd.DataFrame({"numerator": [0, 2, 3, 59, 30, 30], "denominator": [100, 100, 100, 60, 40, 100],
                      "residents": [100, 100, 100, 500, 500, 45]})
    # zero is publishable; 1–2 cases are not; 1–2 *not* in the group are not; a denominator or area under 50 is not
    assert small_counts(v, 3, 50).tolist() == [False, True, False, True, True, True]


def test_portal_suppresses_cells_fed_by_suppressed_units(tiny, settings):
    from dataclasses import replace

    from layers.query import LayerQuery, run_query

    portal = replace(settings, values={**settings.values, "mode": "portal"})
    cells = run_query(tiny, portal, LayerQuery("migration_share", Basis(res=9), "2024-12-31", "mig_bg")).values
    fed_by_b2 = set(tiny.weights(9).query("unit_id == 'B2'")["cell"])
    assert fed_by_b2 and cells.loc[list(fed_by_b2), "suppressed"].all()
    assert cells.loc[list(fed_by_b2), "value"].isna().all()
    others = cells.index.difference(list(fed_by_b2))
    assert cells.loc[others, "value"].notna().any()
    planner = run_query(tiny, settings, LayerQuery("migration_share", Basis(res=9), "2024-12-31", "mig_bg")).values
    assert planner["value"].notna().sum() > cells["value"].notna().sum()
