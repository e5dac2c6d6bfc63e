"""Berlin areas: primary-school catchments, soziale Erhaltungsgebiete, parks and playgrounds."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from ..bundle.schema import CRS, TABLES, Column
from ..bundle.validate import ROW_COLUMN, Problem
from .berlin_io import PLR_PATTERN, check_raw, fail_if, missing_to_na, narrowed, pad_ids, read_csv, read_geojson, source_of, tag, to_number

CATCHMENTS_FILE = "berlin_social_infrastructure/schools/einschulbereiche_2019-20.geojson"
FUNDING_FILE = "berlin_public_space/soziale_erhaltungsgebiete_milieuschutz_em.geojson"
PARKS_FILE = "berlin_public_space/orig_gruenanlagenbestand_public_parks.csv"
PLAYGROUNDS_FILE = "berlin_public_space/orig_spielplatzbestand_playgrounds.csv"
PLR_NUMBER = "Nummer des Planungsraumes"
AREA = "Größe in m² (Kataster)"
NET_AREA = "Nettospielfläche in m²"
_GREEN_RAW = narrowed(TABLES["green_spaces"], unit_id=Column("unit_id", "id", nullable=True, pattern=PLR_PATTERN),
                      area_m2=Column("area_m2", "number", nullable=True))


def _polygonal(geom):
    """The polygonal part of a GeometryCollection (other geometries unchanged)."""
    if geom is None or geom.geom_type != "GeometryCollection":
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def read_catchments(berlin_dir: Path) -> gpd.GeoDataFrame:
    """Primary-school catchment areas (Einschulbereiche) of school year 2019/20."""
    raw = read_geojson(berlin_dir, CATCHMENTS_FILE, "primary-school catchment areas (Einschulbereiche 2019/20)",
                       ["ESB", "BEZName"])
    esb = pad_ids(raw["ESB"], 4)
    # Einschulbereich 1004 is a GeometryCollection of its polygon and a stray LineString (an artefact of
    # the upstream reprojection); only the polygonal part is kept. Invalid polygons are not repaired.
    geometry = raw.geometry.map(_polygonal)
    df = gpd.GeoDataFrame({"catchment_id": esb, "kind": "primary_school",
                           "name": "Einschulbereich " + esb.fillna("?") + " (" + raw["BEZName"].astype("string") + ")",
                           ROW_COLUMN: raw[ROW_COLUMN]}, geometry=geometry.values, crs=CRS)
    check_raw(TABLES["catchments"], tag(df, source_of(raw)), {"catchment_id": "ESB", "name": "BEZName"})
    return df


def read_funding_areas(berlin_dir: Path) -> gpd.GeoDataFrame:
    """Soziale Erhaltungsgebiete (Milieuschutz): name, district, year the ordinance came into force."""
    raw = read_geojson(berlin_dir, FUNDING_FILE, "soziale Erhaltungsgebiete (Milieuschutz)",
                       ["schluessel", "gebietsname", "bezirk", "f_in_kraft"])
    in_force = missing_to_na(raw["f_in_kraft"])
    year = in_force.str.extract(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")[2]
    bad = in_force.notna() & year.isna()
    fail_if([Problem(source_of(raw), int(r), "f_in_kraft", f"{v!r} is not a date DD.MM.YYYY")
             for r, v in zip(raw.loc[bad, ROW_COLUMN], in_force[bad])])
    df = gpd.GeoDataFrame({"area_id": missing_to_na(raw["schluessel"]), "programme": "soziale_erhaltungsgebiet",
                           "name": missing_to_na(raw["gebietsname"]), "start_year": pd.to_numeric(year).astype("Int64"),
                           "status": "in Kraft", "district": raw["bezirk"].astype("string"), ROW_COLUMN: raw[ROW_COLUMN]},
                          geometry=raw.geometry.values, crs=CRS)
    check_raw(TABLES["funding_areas"], tag(df, source_of(raw)), {"area_id": "schluessel", "name": "gebietsname"})
    return df


def _green(raw: pd.DataFrame, kind: str, prefix: str, name_col: str, decimal: str, plr_ids: set[str]) -> pd.DataFrame:
    """Green-space rows of one official list; unknown PLR numbers become an empty unit_id."""
    df = pd.DataFrame({"space_id": prefix + missing_to_na(raw["Technischer Schlüssel"]), "kind": kind,
                       "name": missing_to_na(raw[name_col]), "area_m2": to_number(raw, AREA, decimal=decimal, minimum=0),
                       "unit_id": pad_ids(missing_to_na(raw[PLR_NUMBER]), 8), ROW_COLUMN: raw[ROW_COLUMN]})
    check_raw(_GREEN_RAW, tag(df, source_of(raw)), {"space_id": "Technischer Schlüssel", "name": name_col,
                                                     "area_m2": AREA, "unit_id": PLR_NUMBER})
    df["unit_id"] = df["unit_id"].where(df["unit_id"].isin(plr_ids))
    return tag(df, source_of(raw))


def read_green_spaces(berlin_dir: Path, plr_ids: set[str]) -> tuple[pd.DataFrame, dict[str, int]]:
    """Public parks (Grünanlagenbestand) and playgrounds (Spielplatzbestand) with areas in m².

    The lists have no geometry, only the Planungsraum number. Returns the table and counts of rows
    without area (dropped: the schema needs an area) and without a known Planungsraum (kept, empty unit_id).
    """
    parks_raw = read_csv(berlin_dir, PARKS_FILE, "official list of public parks (Grünanlagenbestand)",
                         ["Technischer Schlüssel", "Name der Grünanlage", AREA, PLR_NUMBER], sep=";")
    play_raw = read_csv(berlin_dir, PLAYGROUNDS_FILE, "official list of public playgrounds (Spielplatzbestand)",
                        ["Technischer Schlüssel", "Name des Spielplatzes", AREA, PLR_NUMBER, NET_AREA])
    parks = _green(parks_raw, "park", "park-", "Name der Grünanlage", ",", plr_ids)
    play = _green(play_raw, "playground", "play-", "Name des Spielplatzes", ".", plr_ids)
    play["net_area_m2"] = to_number(play_raw, NET_AREA, minimum=0)
    spaces = pd.concat([parks, play], ignore_index=True)
    stats = {"parks_without_area": int(parks["area_m2"].isna().sum()),
             "playgrounds_without_area": int(play["area_m2"].isna().sum()),
             "without_plr": int(spaces.loc[spaces["area_m2"].notna(), "unit_id"].isna().sum())}
    spaces = spaces[spaces["area_m2"].notna()].drop(columns=[ROW_COLUMN]).reset_index(drop=True)
    spaces["unit_id"] = spaces["unit_id"].astype("string")
    return tag(spaces, f"{PARKS_FILE} + {PLAYGROUNDS_FILE}"), stats
