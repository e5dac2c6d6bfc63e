"""Berlin facilities as points: Kitas, schools, youth facilities and OpenStreetMap POIs.

Every facility gets the Planungsraum it lies in by point-in-polygon; points outside Berlin's
Planungsräume keep an empty ``unit_id``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..bundle.schema import CRS, ID, TABLES, Column, Table
from ..bundle.validate import ROW_COLUMN, Problem, check_table
from .berlin_io import check_raw, fail_if, missing_to_na, pad_ids, points_from_lonlat, read_csv, read_geojson, source_of, tag

INFRA = "berlin_social_infrastructure"
KITAS_FILE = f"{INFRA}/kitas/berlin-daycare-centers-2026-01-details.csv"
SCHOOLS_FILE = f"{INFRA}/schools/orig_schulen_fisbroker_2023-10_epsg25833.geojson"
SCHOOL_STATS_FILE = f"{INFRA}/schools/orig_berlin_schools_2024-25_webeet.csv"
YOUTH_FILE = f"{INFRA}/youth/jugendfreizeiteinrichtungen_2022-12.geojson"
OSM_FILE = f"{INFRA}/osm_poi/osm_poi_berlin_2025-09.csv"

# Facility type by `schulart` of the FIS-Broker school layer (Oct 2023). Every other Schulart —
# vocational schools (Oberstufenzentrum, Berufsschule, Berufsfachschule, Fachschule, Kolleg),
# special-needs schools (Förderschwerpunkt …), Freie Waldorfschule and combined schools — is `school_other`.
SCHOOL_TYPES: dict[str, str] = {
    "Grundschule": "primary_school",
    "Integrierte Sekundarschule": "secondary_school",
    "Gymnasium": "secondary_school",
    "Gemeinschaftsschule": "secondary_school",
}
OTHER_SCHOOL = "school_other"
# Facility type by `category` of the OSM POI table (categories not listed are not imported).
OSM_TYPES: dict[str, str] = {
    "libraries": "library",
    "community-centers": "community_centre",
    "places-of-worship": "place_of_worship",
    "sport-centers": "sports",
    "playgrounds": "playground",
    "doctors": "health",
    "pharmacies": "health",
    "bus-stops": "transit_stop",
    "tram-stops": "transit_stop",
    "ubahn-stops": "transit_stop",
    "sbahn-stops": "transit_stop",
    "supermarkets": "shop",
    "marketplaces": "shop",
}
COLUMNS = ["facility_id", "type", "name", "capacity", "pupils", "provider", "unit_id", "source",
           "category", "school_kind", "startchancen", ROW_COLUMN, "geometry"]
_FACILITIES = TABLES["facilities"]
_STATS = Table("school_stats", "2024/25 school statistics", (Column("bsn", "id", pattern=ID),
               Column("students_total", "count", required=True, nullable=True)), key=("bsn",))


def _facilities(df: pd.DataFrame, geometry: gpd.GeoSeries, **columns) -> gpd.GeoDataFrame:
    """Facility frame with the bundle columns, `_row` and the raw file of `df`."""
    out = pd.DataFrame({c: columns.get(c, pd.NA) for c in COLUMNS if c not in (ROW_COLUMN, "geometry")}, index=df.index)
    for c in ("facility_id", "type", "name", "provider", "source", "category", "school_kind"):
        out[c] = out[c].astype("string")
    for c in ("capacity", "pupils"):
        out[c] = out[c].astype("Int64")
    out["startchancen"] = out["startchancen"].astype("boolean")
    out[ROW_COLUMN] = df[ROW_COLUMN]
    return tag(gpd.GeoDataFrame(out, geometry=geometry.values, crs=CRS, index=df.index), source_of(df))


def _check(df: gpd.GeoDataFrame, raw: pd.DataFrame, raw_names: dict[str, str], counts: dict[str, str] | None = None) -> None:
    """Run the facility schema on one source's frame; `counts` maps count columns to raw columns.

    Count columns are checked on the raw strings, so that 'abc' and -3 are reported in raw terms.
    """
    probe = df.copy()
    for bundle, raw_col in (counts or {}).items():
        probe[bundle] = missing_to_na(raw[raw_col])
    check_raw(_FACILITIES, tag(probe, source_of(df)), {**raw_names, **(counts or {})})


def _count(raw: pd.DataFrame, column: str) -> pd.Series:
    """A checked raw count column as Int64 (empty → NA)."""
    return pd.to_numeric(missing_to_na(raw[column])).round().astype("Int64")


def read_kitas(berlin_dir: Path) -> gpd.GeoDataFrame:
    """Kitas (Jan 2026): capacity = approved places, provider = Träger."""
    raw = read_csv(berlin_dir, KITAS_FILE, "Kita list with places (Kitaliste 2026-01)",
                   ["id", "name", "places", "type", "sponsor_name", "lat", "lon"])
    ids = pad_ids(raw["id"], 8)
    df = _facilities(raw, points_from_lonlat(raw, "lon", "lat"), facility_id="kita-" + ids, type="kita",
                     name=raw["name"], provider=raw["sponsor_name"], source="kitas", category=raw["type"])
    _check(df, raw, {"facility_id": "id"}, {"capacity": "places"})
    df["capacity"] = _count(raw, "places")
    return df


def _school_stats(berlin_dir: Path) -> pd.DataFrame:
    """2024/25 pupils and Startchancen flag per Berliner Schulnummer (bsn)."""
    raw = read_csv(berlin_dir, SCHOOL_STATS_FILE, "school statistics 2024/25 with Startchancen flag",
                   ["bsn", "students_total", "startchancen_flag"])
    # The file ends with summary rows (city totals) that have no school number: not schools.
    raw = tag(raw[raw["bsn"].notna()].copy(), source_of(raw))
    stats = tag(pd.DataFrame({"bsn": raw["bsn"].str.strip(), "students_total": missing_to_na(raw["students_total"]),
                              ROW_COLUMN: raw[ROW_COLUMN]}), source_of(raw))
    check_raw(_STATS, stats)
    flag = missing_to_na(raw["startchancen_flag"]).str.upper()
    bad = flag.notna() & ~flag.isin(["TRUE", "FALSE"])
    fail_if([Problem(source_of(raw), int(r), "startchancen_flag", f"{v!r} is not TRUE or FALSE")
             for r, v in zip(raw.loc[bad, ROW_COLUMN], raw.loc[bad, "startchancen_flag"])])
    stats["pupils"] = pd.to_numeric(stats["students_total"]).round().astype("Int64")
    stats["startchancen"] = flag.map({"TRUE": True, "FALSE": False}).astype("boolean")
    return stats[["bsn", "pupils", "startchancen"]]


def read_schools(berlin_dir: Path) -> gpd.GeoDataFrame:
    """Schools (point layer Oct 2023, EPSG:25833) joined by school number with 2024/25 pupils and Startchancen."""
    raw = read_geojson(berlin_dir, SCHOOLS_FILE, "school points (FIS-Broker s_schulen, EPSG:25833)",
                       ["bsn", "name", "schulart", "traeger"], expected_crs="EPSG:25833")
    bsn = missing_to_na(raw["bsn"])
    stats = _school_stats(berlin_dir).set_index("bsn")
    kind = missing_to_na(raw["schulart"])
    df = _facilities(raw, raw.geometry, facility_id="school-" + bsn, type=kind.map(SCHOOL_TYPES).fillna(OTHER_SCHOOL),
                     name=raw["name"], provider=raw["traeger"], source="schools", category=kind, school_kind=kind,
                     pupils=bsn.map(stats["pupils"]), startchancen=bsn.map(stats["startchancen"]))
    _check(df, raw, {"facility_id": "bsn"})
    df["pupils"] = df["pupils"].astype("Int64")
    return df


def read_youth(berlin_dir: Path) -> gpd.GeoDataFrame:
    """Youth facilities (JFE, Dec 2022): capacity = places (e_platz), provider = carrier (t_name)."""
    raw = read_geojson(berlin_dir, YOUTH_FILE, "youth facilities (Jugendfreizeiteinrichtungen 2022-12)",
                       ["e_nr", "e_name", "e_platz", "e_art", "t_name"])
    df = _facilities(raw, raw.geometry, facility_id="jfe-" + missing_to_na(raw["e_nr"]), type="youth_club",
                     name=raw["e_name"], provider=raw["t_name"], source="youth", category=raw["e_art"])
    _check(df, raw, {"facility_id": "e_nr"}, {"capacity": "e_platz"})
    df["capacity"] = _count(raw, "e_platz")
    return df


def read_osm(berlin_dir: Path) -> gpd.GeoDataFrame:
    """OpenStreetMap POIs (Sept 2025) of the categories in :data:`OSM_TYPES`."""
    raw = read_csv(berlin_dir, OSM_FILE, "OpenStreetMap points of interest", ["id", "name", "category", "lat", "lon"])
    source = source_of(raw)
    raw = raw[raw["category"].isin(OSM_TYPES)]
    # a station of U- and S-Bahn (Wuhletal) is one OSM node listed under both categories: one stop, not a duplicate id
    same_node = (raw["id"] + "|" + raw["category"].map(OSM_TYPES)).duplicated(keep="first") & \
        ~(raw["id"] + "|" + raw["category"]).duplicated(keep=False)  # a repeated row of one category stays a reported duplicate
    raw = tag(raw[~same_node].copy(), source)
    df = _facilities(raw, points_from_lonlat(raw, "lon", "lat"), facility_id="osm-" + missing_to_na(raw["id"]),
                     type=raw["category"].map(OSM_TYPES), name=raw["name"], source="osm", category=raw["category"])
    _check(df, raw, {"facility_id": "id"})
    return df


def assign_units(points: gpd.GeoDataFrame, plr: gpd.GeoDataFrame) -> pd.Series:
    """Planungsraum id of every point (point-in-polygon; boundary points take the first match, outside → NA)."""
    joined = gpd.sjoin(points[["geometry"]], plr[["unit_id", "geometry"]], how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["unit_id"].reindex(points.index).astype("string")


def read_facilities(berlin_dir: Path, plr: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """All facilities with unique ids (prefixed by source) and their Planungsraum.

    Columns: the bundle columns plus ``category`` (the source's own category), ``school_kind``
    (Schulart) and ``startchancen`` (school in the Startchancen programme 2024/25).
    """
    parts = [read_kitas(berlin_dir), read_schools(berlin_dir), read_youth(berlin_dir), read_osm(berlin_dir)]
    for part in parts:
        part["unit_id"] = assign_units(part, plr).to_numpy()
    facilities = pd.concat(parts, ignore_index=True)
    facilities = gpd.GeoDataFrame(facilities.drop(columns=[ROW_COLUMN]), geometry="geometry", crs=CRS)
    fail_if(check_table(_FACILITIES, facilities, "facilities (Kitas, schools, youth, OSM)"))
    return tag(facilities, f"{INFRA}/(kitas, schools, youth, osm_poi)")
