"""The synthetic demo city: determinism, plausibility, built-in facility segregation, and validation of written bundles."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers.bundle.check import validate_bundle_folder
from layers.bundle.schema import AGE_BANDS, FACILITY_TYPES, TABLES
from layers.bundle.store import BundleBuild, weights_file, write_bundle
from layers.bundle.validate import BundleValidationError, validate_tables
from layers.sources.demo import PERIODS, build_demo
from layers.sources.demo_population import ORIGINS

LATEST = PERIODS[-1]


@pytest.fixture(scope="module")
def small() -> BundleBuild:
    return build_demo("small", seed=42)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bundle(build_demo("small", seed=42), tmp_path_factory.mktemp("bundle") / "demo", log=lambda *_: None)


def dissimilarity(x: np.ndarray, y: np.ndarray) -> float:
    """D = ½ Σ |x_i/X − y_i/Y|, written out by hand."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return 0.5 * float(np.abs(x / x.sum() - y / y.sum()).sum())


# --- determinism ---------------------------------------------------------------------------------


def test_same_seed_gives_identical_tables(small: BundleBuild) -> None:
    again = build_demo("small", seed=42)
    assert again.tables.keys() == small.tables.keys()
    for name, df in small.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], df, obj=name)
    assert again.manifest == small.manifest


def test_different_seed_gives_different_tables(small: BundleBuild) -> None:
    other = build_demo("small", seed=7)
    for name in ("population_points", "units", "facilities", "facility_composition"):
        with pytest.raises(AssertionError):
            pd.testing.assert_frame_equal(other.tables[name], small.tables[name])
    assert "seed 7" in other.manifest.sources[0].attribution


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown demo size"):
        build_demo("huge")


# --- size small: plausible and consistent --------------------------------------------------------


def test_small_city_validates_and_is_labelled_synthetic(small: BundleBuild) -> None:
    validate_tables(small.tables, small.manifest)
    m = small.manifest
    assert m.synthetic and m.city == "demo-small" and "synthetisch" in m.title
    assert m.periods == ["2023-12-31", "2024-12-31"] and m.id_prefix_nesting
    assert m.h3_resolutions == [7, 8, 9, 10]
    assert build_demo("small", h3_resolutions=[8, 9]).manifest.h3_resolutions == [8, 9]
    assert set(m.indicators) == set(small.tables["indicators"]["indicator"])
    assert all({"title_de", "title_en", "unit", "source", "period"} <= set(v) for v in m.indicators.values())


def test_small_city_units(small: BundleBuild) -> None:
    units = small.tables["units"]
    assert units.crs.equals("EPSG:4326") and units.geometry.is_valid.all()
    counts = units["level"].value_counts()
    assert counts["bezirk"] == 2 and counts["quartier"] == 6 and 40 <= counts["block"] <= 80
    for level in small.manifest.levels:
        ids = units.loc[units["level"] == level.id, "unit_id"]
        assert ids.map(level.matches).all()
    children = units[units["parent_id"].notna()]
    assert all(c.startswith(p) for c, p in zip(children["unit_id"], children["parent_id"]))
    # children tile their parent: no overlap, no gap (planar areas in degrees², exact for this check)
    area = pd.Series(shapely.area(units.geometry.to_numpy()), index=units["unit_id"].to_numpy())
    child_sum = area[children["unit_id"].to_numpy()].groupby(children["parent_id"].to_numpy()).sum()
    np.testing.assert_allclose(child_sum.to_numpy(), area[child_sum.index].to_numpy(), rtol=1e-9)
    for parent, kids in children.groupby("parent_id"):
        union = shapely.union_all(kids.geometry.to_numpy())
        assert shapely.area(union) == pytest.approx(shapely.area(kids.geometry.to_numpy()).sum(), rel=1e-9), parent


def test_small_city_population(small: BundleBuild) -> None:
    pts = small.tables["population_points"]
    assert list(pts.columns) == [c.name for c in TABLES["population_points"].columns] + list(ORIGINS)
    assert sorted(pts["period"].unique()) == list(PERIODS)
    by_period = pts.groupby("period")
    totals = by_period["pop_total"].sum()
    assert ((18_000 <= totals) & (totals <= 24_000)).all()
    assert 0.0 < totals[LATEST] / totals[PERIODS[0]] - 1 < 0.05  # some growth
    assert 0.2 < pts["pop_mig_bg"].sum() / pts["pop_total"].sum() < 0.55
    # address points identical across periods
    a, b = (pts[pts["period"] == p].reset_index(drop=True) for p in PERIODS)
    pd.testing.assert_frame_equal(a[["point_id", "lon", "lat", "unit_id"]], b[["point_id", "lon", "lat", "unit_id"]])
    assert 7.0 <= a["pop_total"].mean() <= 11.0
    # groups never exceed totals, and the counts add up
    assert (pts["pop_foreign"] <= pts["pop_mig_bg"]).all() and (pts["pop_mig_bg"] <= pts["pop_total"]).all()
    assert (pts["pop_german_mig_bg"] + pts["pop_foreign"] == pts["pop_mig_bg"]).all()
    assert (pts["pop_german_no_mig_bg"] + pts["pop_mig_bg"] == pts["pop_total"]).all()
    assert (pts["pop_female"] <= pts["pop_total"]).all()
    assert (pts[list(AGE_BANDS)].sum(axis=1) == pts["pop_total"]).all()
    assert (pts[[f"mig_bg_{b}" for b in AGE_BANDS]].sum(axis=1) == pts["pop_mig_bg"]).all()
    assert (pts[list(ORIGINS)].sum(axis=1) == pts["pop_mig_bg"]).all()
    for band in AGE_BANDS:
        assert (pts[f"mig_bg_{band}"] <= pts[band]).all()
    # composition varies in space: some blocks with low, some with high migration-background share
    share = a.groupby("unit_id")["pop_mig_bg"].sum() / a.groupby("unit_id")["pop_total"].sum()
    assert share.min() < 0.2 and share.max() > 0.6
    # every point lies in its unit
    geom = small.tables["units"].set_index("unit_id").geometry
    assert all(shapely.contains_xy(geom[u], g["lon"].to_numpy(), g["lat"].to_numpy()).all() for u, g in a.groupby("unit_id"))


def test_small_city_facilities_and_other_tables(small: BundleBuild) -> None:
    t = small.tables
    fac = t["facilities"]
    assert set(fac["type"]) == set(FACILITY_TYPES)
    assert fac["facility_id"].is_unique and (fac["source"] == "demo").all()
    comp = t["facility_composition"]
    choice = fac.loc[fac["type"].isin(["kita", "primary_school"]), "facility_id"]
    assert set(comp["facility_id"]) == set(choice) and len(comp) == 2 * len(choice)
    assert (comp["children_mig_bg"] <= comp["children_total"]).all() and (comp["children_mig_bg"] >= 0).all()
    kita = fac[fac["type"] == "kita"].merge(comp[comp["period"] == LATEST], on="facility_id")
    assert (kita["children_total"] <= kita["capacity"]).all()
    primary = fac[fac["type"] == "primary_school"]
    cat = t["catchments"]
    assert sorted(cat["facility_id"]) == sorted(primary["facility_id"]) and (cat["kind"] == "primary_school").all()
    funding = t["funding_areas"]
    assert 3 <= len(funding) <= 6
    assert set(funding["programme"]) <= {"Sozialer Zusammenhalt", "Quartiersmanagement", "soziale Erhaltungsgebiet"}
    assert set(funding["status"]) <= {"laufend", "abgeschlossen"}
    green = t["green_spaces"]
    assert set(green["kind"]) == {"park", "playground"}
    play = green[green["kind"] == "playground"]
    assert (play["net_area_m2"] <= play["area_m2"]).all() and (green["area_m2"] > 0).all()
    use = t["space_use"]
    assert set(use["method"]) <= {"counter", "observation"} and set(use["space_id"]) <= set(green["space_id"])
    day = pd.to_datetime(use["timestamp"]).dt.day_of_week
    counters = use["method"] == "counter"
    assert use.loc[counters & (day >= 5), "count"].mean() > use.loc[counters & (day < 5), "count"].mean()
    ind = t["indicators"].pivot(index="unit_id", columns="indicator", values="value")
    assert set(ind["mss_status_class"]) <= {1, 2, 3, 4} and set(ind["mss_dynamics_class"]) <= {1, 3, 5}
    pts = t["population_points"]
    pts = pts[pts["period"] == LATEST].groupby("unit_id")[["pop_mig_bg", "pop_total"]].sum()
    mig_share = (pts["pop_mig_bg"] / pts["pop_total"]).reindex(ind.index)
    r = np.corrcoef(mig_share, ind["mss_child_poverty_pct"])[0, 1]
    assert 0.2 < r < 0.95  # correlated with, but not a function of, the migration share


# --- built-in facility segregation ----------------------------------------------------------------


@pytest.mark.parametrize("seed", [42, 1, 2])
def test_primary_schools_are_more_segregated_than_their_catchments(seed: int) -> None:
    t = build_demo("small", seed=seed).tables
    pts = t["population_points"]
    pts = pts[pts["period"] == LATEST]
    lon, lat = pts["lon"].to_numpy(), pts["lat"].to_numpy()
    x_c, y_c, covered = [], [], 0
    for geom in t["catchments"].geometry:
        inside = shapely.contains_xy(geom, lon, lat)
        mig, kids = pts.loc[inside, "mig_bg_age_6_15"].sum(), pts.loc[inside, "age_6_15"].sum()
        x_c.append(mig)
        y_c.append(kids - mig)
        covered += kids
    assert covered == pts["age_6_15"].sum()  # catchments cover every child once
    comp = t["facility_composition"]
    comp = comp[(comp["period"] == LATEST) & comp["facility_id"].isin(t["catchments"]["facility_id"])]
    x_f = comp["children_mig_bg"].to_numpy()
    y_f = (comp["children_total"] - comp["children_mig_bg"]).to_numpy()
    assert dissimilarity(x_f, y_f) > dissimilarity(x_c, y_c)


def test_dissimilarity_by_hand() -> None:
    assert dissimilarity([10, 0], [0, 10]) == 1.0
    assert dissimilarity([5, 5], [1, 1]) == 0.0
    assert dissimilarity([3, 1], [1, 3]) == pytest.approx(0.5)


# --- writing and validating the bundle folder ------------------------------------------------------


def test_written_bundle_validates(written: Path) -> None:
    manifest = validate_bundle_folder(written)
    assert manifest.city == "demo-small"
    for res in manifest.h3_resolutions:
        assert (written / weights_file(res)).exists()
    assert set(manifest.tables) >= {"units", "population_points", "facilities", "h3_weights_r9"}


def _set(column: str, row: int, value) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df.loc[df.index[row - 1], column] = value
        return df
    return mutate


def _group_above_total(df: pd.DataFrame) -> pd.DataFrame:
    df.loc[df.index[3], "pop_mig_bg"] = df.loc[df.index[3], "pop_total"] + 5
    return df


def _bow_tie(df: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    df.loc[df.index[1], "geometry"] = shapely.Polygon([(13.0, 52.0), (13.01, 52.01), (13.01, 52.0), (13.0, 52.01)])
    return df


def _empty_geometry(df: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    df.loc[df.index[0], "geometry"] = shapely.Point()
    return df


def _duplicate_id(df: pd.DataFrame) -> pd.DataFrame:
    df.loc[df.index[1], "facility_id"] = df.loc[df.index[0], "facility_id"]
    return df


def _not_a_date(df: pd.DataFrame) -> pd.DataFrame:
    df["period"] = df["period"].dt.strftime("%Y-%m-%d").astype(object)  # the written column is datetime64
    df.loc[df.index[5], "period"] = "not-a-date"
    return df


# (table, corruption, row (1-based) or None for a whole-file problem, column, message fragment)
CORRUPTIONS = {
    "missing column": ("population_points", lambda df: df.drop(columns=["pop_total"]), None, "pop_total", "required column is missing"),
    "id of the wrong form": ("facilities", _set("facility_id", 3, "KITA 00003!"), 3, "facility_id", "has the wrong form"),
    "id matching no unit": ("population_points", _set("unit_id", 5, "D99Q99B99"), 5, "unit_id", "matches no unit"),
    "negative count": ("population_points", _set("pop_female", 7, -1), 7, "pop_female", "negative count -1"),
    "group above total": ("population_points", _group_above_total, 4, "pop_mig_bg", "is above its total 'pop_total'"),
    "invalid geometry": ("units", _bow_tie, 2, "geometry", "invalid geometry (Self-intersection"),
    "empty geometry": ("facilities", _empty_geometry, 1, "geometry", "empty geometry"),
    "wrong CRS": ("units", lambda df: df.set_crs(3857, allow_override=True), None, "geometry", "wrong CRS EPSG:3857"),
    "missing CRS": ("catchments", lambda df: df.set_crs(None, allow_override=True), None, "geometry", "missing CRS"),
    "duplicate ids": ("facilities", _duplicate_id, 2, "facility_id", "duplicate id"),
    "period not a date": ("population_points", _not_a_date, 6, "period", "'not-a-date' is not a date"),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_corrupted_bundle_names_file_row_and_column(case: str, written: Path, tmp_path: Path) -> None:
    table, corrupt, row, column, fragment = CORRUPTIONS[case]
    folder = Path(shutil.copytree(written, tmp_path / "demo"))
    path = folder / TABLES[table].file
    df = gpd.read_parquet(path) if TABLES[table].geometry else pd.read_parquet(path)
    df = corrupt(df)
    df.to_parquet(path, index=False)

    with pytest.raises(BundleValidationError) as info:
        validate_bundle_folder(folder)
    message = str(info.value)
    where = f"{TABLES[table].file}, " + (f"row {row}, " if row is not None else "") + f"column {column!r}: "
    assert re.search(re.escape(where) + ".*" + re.escape(fragment), message), message
    # the corrupted file is reported first; dependants (e.g. compositions of a renamed facility) may follow
    assert info.value.problems[0].file == TABLES[table].file, message


@pytest.mark.parametrize("table, column, value, fragment", [
    ("facilities", "type", "bar", "'bar' is not one of kita"),
    ("facility_composition", "facility_id", "nowhere", "'nowhere' matches no facility"),
    ("space_use", "method", "guess", "'guess' is not one of counter, observation"),
])
def test_vocabularies_and_facility_references(small: BundleBuild, table: str, column: str, value: str, fragment: str) -> None:
    tables = dict(small.tables)
    df = tables[table].copy()
    df.loc[df.index[0], column] = value
    tables[table] = df
    with pytest.raises(BundleValidationError, match=re.escape(fragment)):
        validate_tables(tables, small.manifest)
