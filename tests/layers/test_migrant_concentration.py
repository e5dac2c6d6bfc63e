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
