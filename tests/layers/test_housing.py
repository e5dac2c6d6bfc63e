"""Housing stock: the subsidised share and rent layers, the evenness of subsidised housing, and the import.

Expected values are recomputed from the raw housing parquet file with the textbook formulas."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from layers.bundle import Bundle, BundleValidationError
from layers.housing import evenness, stock_on
from layers.housing.layers import RENT, SOCIAL_SHARE
from layers.settings import using_settings
from layers.sources.user_files import import_file
from layers.spatial.basis import Basis


@pytest.fixture(scope="module")
def raw(demo_bundle) -> pd.DataFrame:
    h = pd.read_parquet(demo_bundle.folder / "housing.parquet")
    h["period"] = pd.to_datetime(h["period"]).dt.strftime("%Y-%m-%d")
    return h[h["period"] == demo_bundle.periods[-1]]


def test_subsidised_share_and_rent_per_district(demo_bundle, raw, settings):
    level = demo_bundle.levels[0].id
    period = demo_bundle.periods[-1]
    with using_settings(settings):
        share = SOCIAL_SHARE.compute(demo_bundle, Basis(level=level), period).values["value"]
        rent = RENT.compute(demo_bundle, Basis(level=level), period).values["value"]
    district = raw["unit_id"].str[:3]
    g = raw.assign(rw=raw["rent_eur_m2"] * raw["dwellings"]).groupby(district)
    for d in share.index:
        assert share[d] == pytest.approx(100.0 * g["social_dwellings"].sum()[d] / g["dwellings"].sum()[d])
        assert rent[d] == pytest.approx(g["rw"].sum()[d] / g["dwellings"].sum()[d])


def test_h3_cells_get_the_stock_by_area_share(demo_bundle, raw):
    cells = stock_on(demo_bundle, Basis(res=8), demo_bundle.periods[-1])
    assert cells["dwellings"].sum() == pytest.approx(raw["dwellings"].sum(), rel=1e-6)  # areal weights sum to 1 per unit


def test_a_cell_inside_one_unit_gets_its_area_share_of_the_stock_and_its_rent(demo_bundle, raw):
    w = demo_bundle.weights(10)
    inside = w[w.groupby("cell")["unit_id"].transform("size") == 1].set_index("cell")  # cells no border crosses
    cells = stock_on(demo_bundle, Basis(res=10), demo_bundle.periods[-1]).reindex(inside.index)
    unit = raw.set_index("unit_id").reindex(inside["unit_id"])
    assert len(inside) > 10 and unit["rent_eur_m2"].notna().all()
    assert cells["dwellings"].to_numpy() == pytest.approx((unit["dwellings"] * inside["unit_share"].to_numpy()).to_numpy())
    assert cells["rent_eur_m2"].to_numpy() == pytest.approx(unit["rent_eur_m2"].to_numpy())


def test_dissimilarity_of_subsidised_housing_by_hand(demo_bundle, raw):
    table = evenness(demo_bundle, demo_bundle.periods[-1]).set_index("area")
    s, w = raw["social_dwellings"].to_numpy(float), raw["dwellings"].to_numpy(float)
    keep = w > 0
    s, o = s[keep], (w - raw["social_dwellings"].to_numpy(float))[keep]
    d = 0.5 * np.abs(s / s.sum() - o / o.sum()).sum()
    assert table.loc["city", "dissim"] == pytest.approx(d)
    assert table.loc["city", "social_share"] == pytest.approx(100.0 * s.sum() / w[keep].sum())
    assert len(table) == 1 + len(demo_bundle.units_of(demo_bundle.levels[0].id))


def test_housing_import_refusals_and_replacement(demo_bundle, tmp_path):
    folder = shutil.copytree(demo_bundle.folder, tmp_path / "demo")
    unit = demo_bundle.units_of(demo_bundle.finest_level.id).index[0]
    bad = tmp_path / "wohnungen.csv"
    bad.write_text("unit_id;period;dwellings;social_dwellings;rent_eur_m2;wohnlage\n"
                   f"{unit};2024-12-31;100;20;9,50;mittel\n"       # row 1 fine (decimal comma)
                   f"{unit}X;2024-12-31;100;20;9,50;mittel\n"      # row 2: no such unit
                   f"{unit};2023-12-31;100;120;9,50;mittel\n"      # row 3: more subsidised than dwellings
                   f"{unit};2022-12-31;100;20;-1;mittel\n"         # row 4: negative rent
                   f"{unit};2021-12-31;100;20;9,50;luxus\n",       # row 5: unknown Wohnlage
                   encoding="utf-8")
    before = (folder / "housing.parquet").read_bytes()
    with pytest.raises(BundleValidationError) as err:
        import_file(folder, "housing", bad)
    found = {(p.file, p.row, p.column) for p in err.value.problems}
    assert {("wohnungen.csv", 2, "unit_id"), ("wohnungen.csv", 3, "social_dwellings"), ("wohnungen.csv", 4, "rent_eur_m2"),
            ("wohnungen.csv", 5, "wohnlage")} <= found
    assert (folder / "housing.parquet").read_bytes() == before
    good = tmp_path / "bestand.csv"
    good.write_text(f"unit_id,period,dwellings,social_dwellings,rent_eur_m2\n{unit},2024-12-31,400,100,8.25\n", encoding="utf-8")
    import_file(folder, "housing", good)
    s = stock_on(Bundle(folder), Basis(level=demo_bundle.finest_level.id), "2024-12-31")
    assert s.loc[unit, "dwellings"] == 400 and s.loc[unit, "rent_eur_m2"] == pytest.approx(8.25)
    assert s.drop(index=unit)["dwellings"].isna().all()  # the file replaced the stock: other units have none now
