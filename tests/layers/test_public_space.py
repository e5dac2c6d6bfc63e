"""Public space: m² per resident against hand-worked figures and Berlin's official lists, usage pressure, observed use."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers.bundle import load_bundle, write_bundle
from layers.public_space.layers import compute_ej_green, compute_green, compute_play, compute_pressure
from layers.public_space.supply import per_resident, pressure_on_basis, space_pressure, supply, unit_areas
from layers.public_space.use import use_series, use_summary
from layers.spatial.basis import Basis

from .infrastructure_tiny import PARAMS, block_areas_in_cells, tiny_infra_build

PERIOD = "2024-12-31"


@pytest.fixture(scope="module")
def tiny(settings):
    return load_bundle(write_bundle(tiny_infra_build(), settings.path("bundle_dir") / "tiny-public", log=lambda *_: None))


def test_per_resident():
    assert per_resident(np.array([600.0, 10.0]), np.array([100.0, 0.0])).tolist()[0] == 6.0
    assert np.isnan(per_resident(np.array([10.0]), np.array([0.0]))[0])


def test_green_and_play_per_resident_hand_worked(tiny):
    green = compute_green(tiny, Basis(level="block"), PERIOD).values["value"]
    assert green["A1"] == pytest.approx(1800 / 100) and green["A2"] == 0.0  # two parks, 1,200 + 600 m², 100 residents
    assert compute_green(tiny, Basis(level="district"), PERIOD).values.loc["A", "value"] == pytest.approx(1800 / 400)
    play = compute_play(tiny, Basis(level="block"), PERIOD)
    assert play.values.loc["A2", "value"] == pytest.approx(90 / 300) and play.values.loc["B2", "value"] == pytest.approx(1.0)
    assert play.notes.loc["B2", "de"].endswith("erreicht 100 %") and "30 % reached" in play.notes.loc["A2", "en"]
    assert compute_play(tiny, Basis(level="district"), PERIOD).values.loc["B", "value"] == pytest.approx(60 / 260)
    cells = compute_green(tiny, Basis(res=9), PERIOD)
    assert cells.interpolated_from == "block"


def test_usage_pressure_hand_worked(tiny):
    sp = space_pressure(tiny, PERIOD, PARAMS).set_index("space_id")
    # Both parks sit at A1's centre (park2 has no coordinates: the representative point of A1); within 500 m walking
    # live A1's 100 residents only (A2's point is 891 m away).
    assert sp.loc["park1", "located"] and not sp.loc["park2", "located"]
    assert sp["residents_within"].to_dict() == {"park1": 100.0, "park2": 100.0}
    r = compute_pressure(tiny, Basis(level="block"), PERIOD).values["value"]
    assert r["A1"] == pytest.approx(200 / 1800) and np.isnan(r["B1"])


def test_observed_use(tiny):
    s = use_series(tiny, "park1")
    assert s["count"].tolist() == [120, 80, 95]
    summary = use_summary(tiny).set_index("space_id")
    assert summary.loc["park1", "days"] == 3 and summary.loc["park1", "mean_count"] == pytest.approx(98.3)
    assert summary.loc["park1", "name"] == "Park Eins"
    assert use_series(tiny, "nowhere").empty


def _raw_areas(berlin_dir) -> tuple[pd.DataFrame, pd.DataFrame]:
    base = berlin_dir / "berlin_public_space"
    parks = pd.read_csv(base / "orig_gruenanlagenbestand_public_parks.csv", sep=";", dtype=str, encoding="utf-8-sig")
    play = pd.read_csv(base / "orig_spielplatzbestand_playgrounds.csv", dtype=str, encoding="utf-8-sig")
    parks["area"] = pd.to_numeric(parks["Größe in m² (Kataster)"].str.replace(".", "", regex=False).str.replace(",", ".", regex=False), errors="coerce")
    play["net"] = pd.to_numeric(play["Nettospielfläche in m²"], errors="coerce")
    return parks, play


def test_berlin_areas_match_official_lists(berlin_bundle, berlin_dir):
    """The sum of park areas and net play areas per Planungsraum equals the raw official lists (read here by hand)."""
    parks, play = _raw_areas(berlin_dir)
    areas = unit_areas(berlin_bundle)
    raw_park = parks.groupby(parks["Nummer des Planungsraumes"].str.zfill(8))["area"].sum()
    # The import keeps only list rows with a gross area (the schema needs one; the bundle notes count the dropped
    # rows). One playground (00008100_0035a96b, PLR 08401244) has a net play area of 1,194.55 m² but no gross area.
    gross = pd.to_numeric(play["Größe in m² (Kataster)"], errors="coerce")
    dropped = play[gross.isna() & play["net"].notna()]
    assert dropped["Technischer Schlüssel"].tolist() == ["00008100_0035a96b"]
    play = play[gross.notna()]
    raw_net = play.groupby(play["Nummer des Planungsraumes"].str.zfill(8))["net"].sum()
    ids = areas.index
    assert areas["park_m2"].to_numpy() == pytest.approx(raw_park.reindex(ids).fillna(0.0).to_numpy(), abs=0.01)
    assert areas["play_net_m2"].to_numpy() == pytest.approx(raw_net.reindex(ids).fillna(0.0).to_numpy(), abs=0.01)
    assert areas["park_m2"].sum() > 5e7  # about 59 km² of public parks
    period = berlin_bundle.periods[-1]
    play_city = compute_play(berlin_bundle, Basis(level="bezirk"), period).values
    net_per_resident = areas["play_net_m2"].sum() / play_city["residents"].sum()
    assert 0.4 < net_per_resident < 1.0  # Berlin falls short of the 1 m² standard
    assert (play_city["value"] < 1.0).all()


def test_berlin_ej_class_and_no_use(berlin_bundle):
    period = berlin_bundle.periods[-1]
    ej = compute_ej_green(berlin_bundle, Basis(level="planungsraum"), period).values["value"]
    assert set(ej.dropna().unique()) <= {1.0, 2.0, 3.0} and ej.notna().sum() == 540
    assert use_summary(berlin_bundle).empty  # Berlin has no measured use
    assert "space_use" in berlin_bundle.manifest.notes
    pressure = compute_pressure(berlin_bundle, Basis(level="bezirk"), period).values["value"]
    assert (pressure > 0).all()


def test_space_use_must_refer_to_a_known_green_space():
    from layers.bundle import BundleValidationError
    from layers.bundle.validate import validate_tables
    from tests.tiny import tiny_build

    build = tiny_build()
    tables = dict(build.tables)
    tables["green_spaces"] = pd.DataFrame({"space_id": ["park-1"], "kind": ["park"], "name": ["Park"], "area_m2": [1000.0],
                                           "unit_id": ["A1"], "lon": [13.005], "lat": [52.005]})
    tables["space_use"] = pd.DataFrame({"space_id": ["park-1", "park-9"], "timestamp": ["2024-06-01", "2024-06-01"], "count": [10, 5],
                                        "method": ["counter", "counter"]})
    tables["space_use"].attrs["source_file"] = "zaehlung.csv"
    with pytest.raises(BundleValidationError) as err:
        validate_tables(tables, build.manifest)
    assert [(p.file, p.row, p.column) for p in err.value.problems] == [("zaehlung.csv", 2, "space_id")]


def test_no_green_space_list_means_no_value_not_zero(tmp_path):
    """Issue 20: green and play space per resident showed 0.0 where the bundle has no green-space data."""
    from layers.bundle import load_bundle, write_bundle
    from layers.public_space.layers import compute_green, compute_play
    from layers.spatial.basis import Basis
    from tests.tiny import tiny_build

    tiny = load_bundle(write_bundle(tiny_build(), tmp_path / "tiny", log=lambda *_: None))  # the hand-made city has no green spaces
    assert not tiny.has("green_spaces")
    for compute in (compute_green, compute_play):
        v = compute(tiny, Basis(level="block"), "2024-12-31").values
        assert v["value"].isna().all() and (v["residents"] == 0).all()  # "no value", resting on nobody


def test_cells_get_the_areas_of_their_blocks_by_area_share_by_hand(tiny):
    # Parks (1,800 m²) lie in A1, net play area in A2 (90 m²) and B2 (60 m²): a cell gets w_uc = |u ∩ c| / |u| of each.
    cells = tiny.ids(Basis(res=9))
    area = block_areas_in_cells(cells)
    share = area / area.sum()
    got, interp = supply(tiny, Basis(res=9), PERIOD)
    assert interp == "block" and got.index.tolist() == list(cells)
    assert got["park_m2"].to_numpy() == pytest.approx((1800 * share["A1"]).to_numpy(), rel=1e-6, abs=1e-6)
    assert got["play_net_m2"].to_numpy() == pytest.approx((90 * share["A2"] + 60 * share["B2"]).to_numpy(), rel=1e-6, abs=1e-6)
    # Pressure: A1's 200 residents within reach over its 1,800 m², the same ratio in every cell touching A1; NaN elsewhere.
    pressure = pressure_on_basis(tiny, Basis(res=9), PERIOD, PARAMS)[0]["pressure"]
    touches = (area["A1"] > 0.01).to_numpy()
    assert 0 < touches.sum() < len(cells)
    assert pressure.to_numpy()[touches] == pytest.approx(200 / 1800) and np.isnan(pressure.to_numpy()[~touches]).all()
