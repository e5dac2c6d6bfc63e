"""Berlin open-data source: the build from the real Berlin folder, and clear errors for broken raw files."""

from __future__ import annotations

import csv
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from layers.bundle.store import read_manifest, read_table, write_bundle
from layers.bundle.validate import BundleValidationError
from layers.settings import load_settings
from layers.sources.berlin import build_berlin

POP = "berlin_population_lor"
LOR = "berlin_lor_2021"
INFRA = "berlin_social_infrastructure"
SPACE = "berlin_public_space"
MSS = "berlin_mss_2021"


def pop_file(folder: str, table: int, level: str = "planning-areas") -> str:
    return f"{POP}/{folder}/berlin-lor-population-{folder}-t{table}-{level}.csv"


@pytest.fixture(scope="module")
def berlin_dir() -> Path:
    path = load_settings().path("berlin_dir")
    if not (path / LOR).is_dir():
        pytest.fail(f"Berlin data folder not found at {path} (setting berlin_dir in config.toml or "
                    "QUARTIERSATLAS_BERLIN_DIR); these tests need the real Berlin open data")
    return path


@pytest.fixture(scope="module")
def timed_build(berlin_dir):
    t0 = time.perf_counter()
    result = build_berlin(berlin_dir, [8])
    return result, time.perf_counter() - t0


@pytest.fixture(scope="module")
def build(timed_build):
    return timed_build[0]


# --- the real build -------------------------------------------------------------------------------

def test_build_is_fast(timed_build):
    seconds = timed_build[1]
    print(f"build_berlin: {seconds:.1f} s")
    assert seconds < 60, f"build_berlin took {seconds:.1f} s"


def test_units_per_level(build):
    units = build.tables["units"]
    assert units.groupby("level").size().to_dict() == {"bezirk": 12, "prognoseraum": 58, "bezirksregion": 143,
                                                       "planungsraum": 542}
    assert [lvl.id for lvl in build.manifest.levels] == ["bezirk", "prognoseraum", "bezirksregion", "planungsraum"]
    assert build.manifest.id_prefix_nesting
    assert units.crs.to_epsg() == 4326 and units.is_valid.all()
    plr = units[units["level"] == "planungsraum"]
    assert (plr["unit_id"].str.len() == 8).all() and (plr["parent_id"] == plr["unit_id"].str[:6]).all()
    assert units.loc[units["level"] == "bezirk", "parent_id"].isna().all()


def test_eight_periods(build):
    periods = [f"{y}-{md}" for y in (2021, 2022, 2023, 2024) for md in ("06-30", "12-31")]
    assert build.manifest.periods == periods
    population = build.tables["population"]
    assert sorted(population["period"].unique()) == periods
    assert population.groupby("period").size().eq(542).all()


@pytest.mark.parametrize("folder", ["2021-01", "2021-02", "2022-01", "2022-02", "2023-01", "2023-02", "2024-01", "2024-02"])
def test_population_sums_match_city_and_district_tables(build, berlin_dir, folder):
    period = f"{folder[:4]}-{'06-30' if folder.endswith('01') else '12-31'}"
    pop = build.tables["population"]
    pop = pop[pop["period"] == period]
    city = pd.read_csv(berlin_dir / pop_file(folder, 1, "city"))
    assert pop["pop_total"].sum() == city["inhabitants"].iloc[0]
    districts = pd.read_csv(berlin_dir / pop_file(folder, 1, "districts"), dtype={"district_id": str})
    per_district = pop.groupby(pop["unit_id"].str[:2])["pop_total"].sum()
    expected = dict(zip(districts["district_id"].str.zfill(2), districts["inhabitants"]))
    assert {str(k): int(v) for k, v in per_district.items()} == expected and len(expected) == 12
    assert pop["pop_mig_bg"].sum() == city["inhabitants_with_migration_background"].iloc[0]


def test_population_columns(build):
    pop = build.tables["population"]
    last = pop[pop["period"] == "2024-12-31"]
    assert last["pop_total"].sum() == 3_897_145
    age = [c for c in pop.columns if c.startswith("age_")]
    assert len(age) == 8 and (pop[age].sum(axis=1) == pop["pop_total"]).all()
    mig_age = [c for c in pop.columns if c.startswith("mig_bg_age_")]
    assert (pop[mig_age].sum(axis=1) == pop["pop_mig_bg"]).all()
    origin = [c for c in pop.columns if c.startswith("origin_")]
    assert {"origin_european_union", "origin_france", "origin_turkey", "origin_undefined"} <= set(origin)
    assert "origin_" not in origin and all(pop[c].dtype == "int64" for c in origin + mig_age)
    # T4 counts residents with migration background (they exceed the foreigners in places, never pop_mig_bg)
    assert (pop[origin].le(pop["pop_mig_bg"], axis=0)).all().all()
    assert (pop["origin_european_union"] > pop["pop_foreign"]).any()


def test_facilities(build):
    f = build.tables["facilities"]
    counts = f.groupby("type").size().to_dict()
    assert counts == {"kita": 2893, "primary_school": 430, "secondary_school": 267, "school_other": 205, "youth_club": 407,
                      "library": 105, "community_centre": 416, "place_of_worship": 190, "sports": 143,
                      "playground": 886, "health": 2108,
                      # OSM bus 6,206 + tram 895 + U-Bahn 178 + S-Bahn 83 stops, Wuhletal listed as U- and S-Bahn: one stop
                      "transit_stop": 6206 + 895 + 178 + 83 - 1, "shop": 873 + 80}  # supermarkets + marketplaces
    kitas = f[f["type"] == "kita"]
    assert kitas["capacity"].sum() == 199_851
    assert f["facility_id"].is_unique and f["unit_id"].notna().mean() > 0.99
    assert set(f["source"]) == {"kitas", "schools", "youth", "osm"} <= {s.key for s in build.manifest.sources}
    schools = f[f["source"] == "schools"]
    assert schools["startchancen"].sum() == 179 and schools["pupils"].notna().sum() == 693
    assert f.crs.to_epsg() == 4326 and (f.geom_type == "Point").all()


def test_areas_and_indicators(build):
    assert len(build.tables["catchments"]) == 346
    assert len(build.tables["funding_areas"]) == 81
    green = build.tables["green_spaces"]
    assert set(green["kind"]) == {"park", "playground"} and green["space_id"].is_unique
    ind = build.tables["indicators"]
    mss = ind[ind["indicator"].str.startswith("mss_")]
    assert mss.groupby("indicator")["unit_id"].nunique().eq(536).all()
    assert {"mss_status_class", "mss_dynamics_class", "mss_unemployment_pct", "mss_transfer_pct",
            "mss_child_poverty_pct", "ej_green_supply_class"} <= set(ind["indicator"])
    assert set(ind["indicator"]) == set(build.manifest.indicators)
    assert set(mss["period"]) == {"2020-12-31"}


def test_manifest(build):
    m = build.manifest
    assert (m.city, m.title, m.synthetic, m.h3_resolutions) == ("berlin", "Berlin", False, [8])
    assert {"quartiersmanagement", "facility_composition", "space_use"} <= set(m.notes)
    osm = next(s for s in m.sources if s.key == "osm")
    assert osm.licence == "ODbL 1.0" and "OpenStreetMap" in osm.attribution


def test_write_bundle(build, tmp_path):
    target = write_bundle(build, tmp_path / "berlin", log=lambda *_: None)
    assert read_manifest(target).city == "berlin"
    assert len(read_table(target, "population")) == 8 * 542


# --- broken raw files -------------------------------------------------------------------------------

def sandbox(src: Path, dst: Path, rel: str) -> Path:
    """Mirror `src` in `dst` by symlinks, except `rel`: its folders are real and `rel` itself is a copy.

    Only the copy is edited, so the real Berlin folder is never touched. Returns the copied path.
    """
    parts = Path(rel).parts
    cur_src, cur_dst = src, dst
    cur_dst.mkdir(parents=True, exist_ok=True)
    for i, part in enumerate(parts):
        for child in cur_src.iterdir():
            if child.name != part:
                (cur_dst / child.name).symlink_to(child)
        cur_src, cur_dst = cur_src / part, cur_dst / part
        if i < len(parts) - 1:
            cur_dst.mkdir()
        elif cur_src.is_dir():
            shutil.copytree(cur_src, cur_dst)
        else:
            shutil.copyfile(cur_src, cur_dst)
    assert not cur_dst.is_symlink()
    return cur_dst


def _rewrite_csv(path: Path, edit: Callable[[list[list[str]]], None], sep: str = ",") -> None:
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    rows = list(csv.reader(raw.decode(encoding).splitlines(), delimiter=sep))
    edit(rows)
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=sep, lineterminator="\n").writerows(rows)


def set_cell(row: int, column: str, value: str, sep: str = ","):
    """Edit: data row `row` (1-based, header not counted), raw column `column`."""
    def edit(path: Path) -> None:
        def change(rows):
            rows[row][rows[0].index(column)] = value
        _rewrite_csv(path, change, sep)
    return edit


def copy_cell(row: int, from_row: int, column: str):
    def edit(path: Path) -> None:
        def change(rows):
            i = rows[0].index(column)
            rows[row][i] = rows[from_row][i]
        _rewrite_csv(path, change)
    return edit


def drop_column(column: str):
    def edit(path: Path) -> None:
        def change(rows):
            i = rows[0].index(column)
            for r in rows:
                del r[i]
        _rewrite_csv(path, change)
    return edit


def geojson(change: Callable[[dict], None]):
    def edit(path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data), encoding="utf-8")
    return edit


def set_property(feature: int, name: str, value):
    return geojson(lambda d: d["features"][feature - 1]["properties"].__setitem__(name, value))


def set_geometry(feature: int, geometry):
    return geojson(lambda d: d["features"][feature - 1].__setitem__("geometry", geometry))


def declare_crs(epsg: int | None):
    def change(data):
        data.pop("crs", None)
        if epsg:
            data["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}}
    return geojson(change)


BOWTIE = {"type": "Polygon", "coordinates": [[[13.40, 52.50], [13.41, 52.51], [13.41, 52.50], [13.40, 52.51], [13.40, 52.50]]]}
KITAS = f"{INFRA}/kitas/berlin-daycare-centers-2026-01-details.csv"
PARKS = f"{SPACE}/orig_gruenanlagenbestand_public_parks.csv"

CASES = [
    # population tables T1–T4
    pytest.param(pop_file("2024-02", 1), set_cell(5, "inhabitants_with_migration_background", "-5"),
                 ["row 5", "'inhabitants_with_migration_background'", "negative"], id="negative-count"),
    pytest.param(pop_file("2023-01", 1), set_cell(7, "inhabitants_foreigners", "99999999"),
                 ["row 7", "'inhabitants_foreigners'", "above its total 'inhabitants'"], id="group-above-total"),
    pytest.param(pop_file("2022-02", 2), set_cell(3, "id", "ABC"), ["row 3", "'id'", "wrong form"], id="plr-id-letters"),
    pytest.param(pop_file("2021-01", 3), set_cell(10, "id", "011001011"), ["row 10", "'id'", "wrong form"],
                 id="plr-id-9-digits"),
    pytest.param(pop_file("2024-01", 4), set_cell(12, "id", "99999999"), ["row 12", "'id'", "matches no unit"],
                 id="plr-id-unknown"),
    pytest.param(pop_file("2022-01", 1), copy_cell(9, 8, "id"), ["row 9", "'id'", "duplicate"], id="plr-id-duplicate"),
    pytest.param(pop_file("2021-02", 2), set_cell(4, "inhabitants_female", "abc"),
                 ["row 4", "'inhabitants_female'", "not a count"], id="not-a-count"),
    pytest.param(pop_file("2021-01", 1), set_cell(3, "inhabitants_germans_with_migration_background", ""),
                 ["row 3", "'inhabitants_germans_with_migration_background'", "empty value"], id="empty-count"),
    pytest.param(pop_file("2022-01", 3), set_cell(8, "inhabitants_with_migration_background_age_27_45", "12.5"),
                 ["row 8", "'inhabitants_with_migration_background_age_27_45'", "whole number"], id="fractional-count"),
    pytest.param(pop_file("2023-02", 3), set_cell(2, "inhabitants_with_migration_background_age_below_6", "99999"),
                 ["row 2", "'inhabitants_with_migration_background_age_below_6'", "inhabitants_age_below_6"],
                 id="mig-age-above-age"),
    pytest.param(pop_file("2021-02", 4), set_cell(6, "inhabitants_from_turkey", "999999"),
                 ["row 6", "'inhabitants_from_turkey'", "inhabitants_with_migration_background"], id="origin-above-mig-bg"),
    pytest.param(pop_file("2024-02", 1), drop_column("inhabitants_foreigners"), ["'inhabitants_foreigners'", "missing"],
                 id="missing-column"),
    # LOR geometries
    pytest.param(f"{LOR}/lor_planungsraeume_2021.geojson", set_geometry(5, BOWTIE),
                 ["row 5", "'geometry'", "invalid geometry"], id="invalid-geometry"),
    pytest.param(f"{LOR}/lor_bezirksregionen_2021.geojson", set_geometry(3, None),
                 ["row 3", "'geometry'", "empty geometry"], id="empty-geometry"),
    pytest.param(f"{LOR}/lor_prognoseraeume_2021.geojson", declare_crs(25833),
                 ["'geometry'", "EPSG:25833", "expected EPSG:4326"], id="wrong-crs"),
    pytest.param(f"{LOR}/lor_planungsraeume_2021.geojson", set_property(9, "PLR_ID", "ABC"),
                 ["row 9", "'PLR_ID'", "wrong form"], id="unit-id-form"),
    pytest.param(f"{LOR}/bezirke.geojson", set_property(2, "BEZ_ID", "01"), ["row 2", "'BEZ_ID'", "duplicate"],
                 id="unit-id-duplicate"),
    pytest.param(f"{LOR}/lor_bezirksregionen_2021.geojson", set_property(4, "BZR_ID", "999901"),
                 ["row 4", "'BZR_ID'", "'9999'"], id="unit-without-parent"),
    # facilities
    pytest.param(KITAS, set_cell(11, "places", "-3"), ["row 11", "'places'", "negative"], id="kita-negative-places"),
    pytest.param(KITAS, set_cell(13, "lat", "north"), ["row 13", "'lat'", "not a number"], id="kita-bad-latitude"),
    pytest.param(KITAS, copy_cell(8, 7, "id"), ["row 8", "'id'", "duplicate"], id="kita-duplicate-id"),
    pytest.param(f"{INFRA}/schools/orig_berlin_schools_2024-25_webeet.csv", set_cell(20, "students_total", "-1"),
                 ["row 20", "'students_total'", "negative"], id="school-negative-pupils"),
    pytest.param(f"{INFRA}/schools/orig_schulen_fisbroker_2023-10_epsg25833.geojson", declare_crs(None),
                 ["'geometry'", "EPSG:4326", "expected EPSG:25833"], id="school-crs"),
    pytest.param(f"{INFRA}/youth/jugendfreizeiteinrichtungen_2022-12.geojson", set_property(4, "e_platz", "-7"),
                 ["row 4", "'e_platz'", "negative"], id="youth-negative-places"),
    pytest.param(f"{INFRA}/osm_poi/osm_poi_berlin_2025-09.csv", copy_cell(2, 1, "id"), ["row 2", "'id'", "duplicate"],
                 id="osm-duplicate-id"),
    # catchments, funding areas, green spaces
    pytest.param(f"{INFRA}/schools/einschulbereiche_2019-20.geojson", set_geometry(6, None),
                 ["row 6", "'geometry'", "empty"], id="catchment-empty"),
    pytest.param(f"{SPACE}/soziale_erhaltungsgebiete_milieuschutz_em.geojson", declare_crs(25833),
                 ["'geometry'", "EPSG:25833"], id="erhaltungsgebiet-mislabelled-crs"),
    pytest.param(f"{SPACE}/soziale_erhaltungsgebiete_milieuschutz_em.geojson", set_property(3, "f_in_kraft", "soon"),
                 ["row 3", "'f_in_kraft'", "DD.MM.YYYY"], id="erhaltungsgebiet-bad-date"),
    pytest.param(PARKS, set_cell(10, "Größe in m² (Kataster)", "viel", sep=";"),
                 ["row 10", "'Größe in m² (Kataster)'", "not a number"], id="park-bad-area"),
    pytest.param(PARKS, set_cell(11, "Nummer des Planungsraumes", "XYZ", sep=";"),
                 ["row 11", "'Nummer des Planungsraumes'", "wrong form"], id="park-bad-plr"),
    pytest.param(f"{SPACE}/orig_spielplatzbestand_playgrounds.csv", set_cell(5, "Nettospielfläche in m²", "-1"),
                 ["row 5", "'Nettospielfläche in m²'", "below 0"], id="playground-negative-area"),
    # indicators
    pytest.param(f"{MSS}/tesch-ch_raw_mss_2021_indizes.csv", set_cell(15, "PLR_ID", "99999999"),
                 ["row 15", "'PLR_ID'", "matches no unit"], id="mss-unknown-plr"),
    pytest.param(f"{MSS}/tesch-ch_raw_mss_2021_indizes.csv", set_cell(20, "SI_N", "7"), ["row 20", "'SI_N'", "classes"],
                 id="mss-bad-class"),
    pytest.param(f"{MSS}/tesch-ch_raw_mss_2021_index_indikatoren.csv", set_cell(30, "S1", ""), ["row 30", "'S1'", "empty"],
                 id="mss-missing-value"),
    pytest.param(f"{SPACE}/plr_umweltgerechtigkeit_2021-22.csv", set_cell(5, "Grünflächenversorgungs-Kategorie", "x"),
                 ["row 5", "'Grünflächenversorgungs-Kategorie'"], id="ej-bad-class"),
]


@pytest.mark.parametrize(("rel", "corrupt", "expected"), CASES)
def test_broken_raw_file_is_reported(berlin_dir, tmp_path, rel, corrupt, expected):
    corrupt(sandbox(berlin_dir, tmp_path / "berlin", rel))
    with pytest.raises(BundleValidationError) as err:
        build_berlin(tmp_path / "berlin", [8])
    message = str(err.value)
    for fragment in [rel, *expected]:
        assert fragment in message, f"{fragment!r} not in:\n{message}"


@pytest.mark.parametrize("name", ["2024-07", "foo"])
def test_period_folder_that_is_no_date(berlin_dir, tmp_path, name):
    copied = sandbox(berlin_dir, tmp_path / "berlin", f"{POP}/2024-02")
    if name == "foo":
        (copied.parent / name).mkdir()
    else:
        copied.rename(copied.parent / name)
    with pytest.raises(BundleValidationError, match=f"{POP}/{name}: folder name is not a period"):
        build_berlin(tmp_path / "berlin", [8])


@pytest.mark.parametrize("rel", [pop_file("2023-02", 3), KITAS, f"{LOR}/bezirke.geojson",
                                 f"{MSS}/tesch-ch_raw_mss_2021_indizes.csv", f"{INFRA}/schools/einschulbereiche_2019-20.geojson"])
def test_missing_file_is_named(berlin_dir, tmp_path, rel):
    sandbox(berlin_dir, tmp_path / "berlin", rel).unlink()
    with pytest.raises(FileNotFoundError, match=Path(rel).name):
        build_berlin(tmp_path / "berlin", [8])


def test_ids_without_leading_zero_are_padded(berlin_dir, tmp_path):
    """Sources that dropped the leading zero of a PLR id (1100101 for 01100101) still join."""
    rel = pop_file("2024-02", 1)
    set_cell(1, "id", "1100101")(sandbox(berlin_dir, tmp_path / "berlin", rel))
    population = build_berlin(tmp_path / "berlin", [8]).tables["population"]
    row = population[(population["unit_id"] == "01100101") & (population["period"] == "2024-12-31")]
    assert row["pop_total"].tolist() == [3580]
