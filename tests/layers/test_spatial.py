"""Spatial core: roll-up, exact areal weights, interpolation that conserves totals, cells back to units."""

import numpy as np
import pandas as pd
import pytest

from layers.bundle import load_bundle, write_bundle
from layers.spatial import aggregate, dominant_unit
from layers.spatial.basis import Basis
from tests.tiny import BLOCKS, tiny_build


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_bundle(write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None))


def test_units_roll_up_to_districts(tiny):
    counts = tiny.counts(Basis(level="district"), "2024-12-31").frame
    assert counts.loc["A", "pop_total"] == 1500
    assert counts.loc["B", "pop_mig_bg"] == 402


@pytest.mark.parametrize("res", [8, 9])
def test_weights_sum_to_one_per_unit(tiny, res):
    w = tiny.weights(res)
    np.testing.assert_allclose(w.groupby("unit_id")["unit_share"].sum(), 1.0)
    np.testing.assert_allclose(w.groupby("cell")["cell_share"].sum(), 1.0)
    # intersection areas add up to the unit areas: 0.01° × 0.01° at 52° N ≈ 1.113 km × 0.685 km
    np.testing.assert_allclose(w.groupby("unit_id")["area_m2"].sum(), 1113.2 * 685.4 * np.ones(4), rtol=0.01)


@pytest.mark.parametrize("res", [8, 9])
def test_interpolation_conserves_totals_and_is_badged(tiny, res):
    counts = tiny.counts(Basis(res=res), "2024-12-31")
    assert counts.interpolated_from == "block"
    assert counts.frame["pop_total"].sum() == pytest.approx(sum(b[2] for b in BLOCKS.values()))
    assert counts.frame["pop_mig_bg"].sum() == pytest.approx(sum(b[3] for b in BLOCKS.values()))
    assert len(counts.frame) > 1


def test_cells_back_to_units_conserve_totals(tiny):
    cells = tiny.counts(Basis(res=9), "2024-12-31").frame
    back = aggregate.cells_to_units(cells, tiny.weights(9))
    assert back["pop_total"].sum() == pytest.approx(cells["pop_total"].sum())
    # A block's count comes back approximately: cells straddling borders mix neighbours.
    assert back.loc["B1", "pop_total"] == pytest.approx(2000, rel=0.35)


def test_interpolation_by_hand():
    import pandas as pd

    counts = pd.DataFrame({"n": [10.0, 20.0]}, index=["u", "v"])
    weights = pd.DataFrame({"unit_id": ["u", "u", "v"], "cell": ["c1", "c2", "c2"], "unit_share": [0.25, 0.75, 1.0]})
    out = aggregate.CellInterpolation(weights).apply(counts)
    assert out.loc["c1", "n"] == 2.5
    assert out.loc["c2", "n"] == 27.5


def test_interpolation_leaves_out_cells_only_missing_units_reach_and_a_missing_count_adds_nothing():
    import numpy as np
    import pandas as pd

    weights = pd.DataFrame({"unit_id": ["u", "u", "v", "w"], "cell": ["c1", "c2", "c2", "c3"], "unit_share": [0.25, 0.75, 1.0, 1.0]})
    counts = pd.DataFrame({"n": [10.0, np.nan], "m": [4.0, 8.0]}, index=["u", "v"])  # no count for w; v's n missing
    out = aggregate.CellInterpolation(weights).apply(counts)
    assert list(out.index) == ["c1", "c2"]  # c3 is reached only by w
    assert out.loc["c2", "n"] == 7.5 and out.loc["c2", "m"] == 11.0
    assert out.loc["c1", "m"] == 1.0


def test_interpolation_refuses_counts_that_name_a_unit_twice():
    import pandas as pd

    weights = pd.DataFrame({"unit_id": ["u"], "cell": ["c1"], "unit_share": [1.0]})
    with pytest.raises(ValueError, match="twice"):
        aggregate.CellInterpolation(weights).apply(pd.DataFrame({"n": [1.0, 2.0]}, index=["u", "u"]))


def test_pieces_by_hand_keep_the_weights_order_and_sum_to_the_cells():
    import pandas as pd

    weights = pd.DataFrame({"unit_id": ["u", "v", "u", "w"], "cell": ["c1", "c2", "c2", "c3"], "unit_share": [0.25, 1.0, 0.75, 1.0]})
    counts = pd.DataFrame({"n": [10.0, 20.0]}, index=["v", "u"])  # no count for w
    interpolation = aggregate.CellInterpolation(weights)
    pieces = interpolation.pieces(counts)
    assert pieces["unit_id"].tolist() == ["u", "v", "u", "w"] and pieces["cell"].tolist() == ["c1", "c2", "c2", "c3"]
    assert pieces["n"].tolist() == [5.0, 10.0, 15.0, 0.0]  # 0.25 × 20, 1 × 10, 0.75 × 20; w has no count
    assert pieces.groupby("cell")["n"].sum()[["c1", "c2"]].tolist() == interpolation.apply(counts)["n"].tolist()


def test_cell_mean_by_hand_weights_by_the_part_of_the_cell_each_unit_covers():
    import pandas as pd

    # c1: u covers 1/4 of it, v 3/4; c2: v alone (w covers the rest but has no value); c3: w alone, which has none.
    weights = pd.DataFrame({"unit_id": ["u", "v", "v", "w", "w"], "cell": ["c1", "c1", "c2", "c2", "c3"],
                            "unit_share": [1.0, 0.6, 0.4, 0.5, 0.5], "cell_share": [0.25, 0.75, 0.5, 0.5, 1.0]})
    rates = pd.DataFrame({"pct": [10.0, 30.0, np.nan]}, index=["u", "v", "w"])
    out = aggregate.CellInterpolation(weights).cell_mean(rates)
    assert list(out.index) == ["c1", "c2", "c3"]
    assert out.loc["c1", "pct"] == pytest.approx(0.25 * 10 + 0.75 * 30)  # 25 %, not the unit-share mean
    assert out.loc["c2", "pct"] == 30.0
    assert np.isnan(out.loc["c3", "pct"])  # no value is never shown as 0


class _WeightsOnly:
    """A bundle of areal weights alone, with two levels: finest units u1–u4, districts D (u1, u2) and E (u3, u4)."""

    def __init__(self, weights):
        self._weights = weights

    def weights(self, res):
        return self._weights

    def ancestor(self, level):
        return pd.Series({"u1": "D", "u2": "D", "u3": "E", "u4": "E"} if level == "district" else {})


@pytest.mark.parametrize("reverse", [False, True])
def test_the_dominant_unit_of_a_cell_is_the_largest_area_then_the_smallest_id_whatever_the_row_order(reverse):
    # c1: u2 covers most; c2: u1 and u3 tie (the smaller id wins); c3: u4 covers most, but district D (u1 + u2) more than E
    w = pd.DataFrame({"unit_id": ["u1", "u2", "u1", "u3", "u1", "u2", "u4"], "cell": ["c1", "c1", "c2", "c2", "c3", "c3", "c3"],
                      "area_m2": [10.0, 30.0, 20.0, 20.0, 15.0, 15.0, 25.0]})
    w["cell_share"] = w["area_m2"] / w.groupby("cell")["area_m2"].transform("sum")
    bundle = _WeightsOnly(w.iloc[::-1].reset_index(drop=True) if reverse else w)
    assert dominant_unit(bundle, 9).sort_index().to_dict() == {"c1": "u2", "c2": "u1", "c3": "u4"}
    assert dominant_unit(bundle, 9, "district").sort_index().to_dict() == {"c1": "D", "c2": "D", "c3": "D"}
