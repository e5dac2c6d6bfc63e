"""A city described by a declarative file (TOML, `data/cities/<city>.toml`) turned into a validated bundle.

The description names, relative to the city's data folder: the levels with their geometry file, id and name columns
and the rule for a child's parent id; the population table in long form (one row per unit, period and item) or wide
form, with the mapping of its items or columns to the bundle's count columns; facility files with their type; the
sources with licences and credit lines; and notes on what the city's data lack. docs/city-description.md documents
the format. Cologne (`data/cities/koeln.toml`) is built this way.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..bundle.schema import CRS, ID, TABLES, Level, Manifest, Source
from ..bundle.store import BundleBuild
from ..bundle.validate import ROW_COLUMN, BundleValidationError, Problem, check_table

CITIES = Path(__file__).resolve().parent.parent.parent / "data" / "cities"


def description_path(city: str) -> Path:
    return CITIES / f"{city}.toml"


def described_cities() -> list[str]:
    """Cities with a description file in data/cities."""
    return sorted(p.stem for p in CITIES.glob("*.toml"))


def read_description(path: Path) -> dict:
    """The description as a dict; a clear error naming the file and the key for anything missing."""
    path = Path(path)
    try:
        desc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BundleValidationError([Problem(str(path), None, None, f"cannot read the city description ({exc})")]) from exc
    for key in ("city", "levels", "population", "sources"):
        if key not in desc:
            raise BundleValidationError([Problem(str(path), None, key, f"the city description needs a [{key}] section")])
    return desc


def _format_id(value, template: str) -> str:
    if pd.isna(value):
        return ""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():  # numbers read from DBF files
        text = text[:-2]
    return template.format(text) if template else text


def _read_geo(folder: Path, relative: str) -> gpd.GeoDataFrame:
    path = folder / relative
    if not path.exists():
        raise BundleValidationError([Problem(str(path), None, None, "file not found (check the data folder and the description)")])
    df = gpd.read_file(path)  # pyogrio reads the .prj, custom projections included
    if df.crs is None:
        raise BundleValidationError([Problem(str(path), None, "geometry", "the file has no coordinate reference system (.prj)")])
    return df.to_crs(CRS)


def build_units(desc: dict, folder: Path) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Units of every level (coarse → fine) with string ids, names and parent ids; and per geometry file the number
    of invalid outlines repaired."""
    frames, repaired = [], {}
    for depth, lvl in enumerate(desc["levels"]):
        raw = _read_geo(folder, lvl["file"])
        invalid = ~raw.geometry.is_valid
        if invalid.any():  # official outlines with a self-touching ring: repaired, and the manifest says how many
            raw.loc[invalid, "geometry"] = shapely.make_valid(raw.geometry[invalid].values)
            raw.loc[invalid, "geometry"] = [g if g.geom_type in ("Polygon", "MultiPolygon") else
                                            shapely.MultiPolygon([p for p in getattr(g, "geoms", []) if p.geom_type == "Polygon"])
                                            for g in raw.geometry[invalid]]
            repaired[lvl["file"]] = int(invalid.sum())
        ids = raw[lvl["id_column"]].map(lambda v: _format_id(v, lvl.get("id_format", "")))
        parents = ids.map(lambda i: lvl["parent"].format(id=i)) if depth > 0 else pd.Series(pd.NA, index=raw.index)
        frames.append(gpd.GeoDataFrame({"unit_id": ids.astype("string"), "level": lvl["id"], "name": raw[lvl["name_column"]].astype("string"),
                                        "parent_id": parents.astype("string"), ROW_COLUMN: np.arange(1, len(raw) + 1)},
                                       geometry=raw.geometry.values, crs=CRS).assign(_file=lvl["file"]))
    units = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(units, geometry="geometry", crs=CRS), repaired


def build_population(desc: dict, folder: Path, finest_ids: set[str]) -> pd.DataFrame:
    """Counts per finest unit and period, in the bundle's columns (`population` table)."""
    pop = desc["population"]
    path = folder / pop["file"]
    raw = pd.read_csv(path, dtype=str, encoding=pop.get("encoding", "utf-8"))
    raw["_unit"] = raw[pop["unit_column"]].map(lambda v: _format_id(v, pop.get("unit_format", "")))
    raw["_period"] = raw[pop["period_column"]].map(lambda v: pop["period_format"].format(str(v).strip()))
    raw = raw[raw["_unit"].isin(finest_ids)]
    if pop.get("form", "long") == "long":
        raw["_key"] = raw[pop["key_columns"]].apply(lambda r: "/".join(str(x).strip() for x in r), axis=1)
        raw["_value"] = pd.to_numeric(raw[pop["value_column"]], errors="coerce")
        wide = raw.pivot_table(index=["_unit", "_period"], columns="_key", values="_value", aggfunc="sum")
    else:
        wide = raw.set_index(["_unit", "_period"]).apply(pd.to_numeric, errors="coerce")
    out = pd.DataFrame(index=wide.index)
    for column, items in pop["columns"].items():
        missing = [i for i in items if i not in wide.columns]
        if missing:
            raise BundleValidationError([Problem(str(path), None, column, f"items {', '.join(missing)} for column {column!r} are not in the file")])
        out[column] = wide[items].sum(axis=1, min_count=len(items)).round()
    out = out.reset_index().rename(columns={"_unit": "unit_id", "_period": "period"})
    out["unit_id"] = out["unit_id"].astype("string")
    return out


def build_facilities(desc: dict, folder: Path, finest: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Facility points of every listed file, with their type and the finest unit they lie in."""
    parts = []
    for fac in desc.get("facilities", []):
        raw = _read_geo(folder, fac["file"])
        raw = raw[raw.geometry.geom_type == "Point"]
        ids = raw[fac["id_column"]].map(lambda v: f"{fac['id_prefix']}{_format_id(v, '')}")
        parts.append(gpd.GeoDataFrame({"facility_id": ids.astype("string"), "type": fac["type"],
                                       "name": raw[fac["name_column"]].astype("string") if fac.get("name_column") in raw.columns else pd.NA,
                                       "capacity": pd.array([pd.NA] * len(raw), dtype="Int64"),
                                       "pupils": pd.array([pd.NA] * len(raw), dtype="Int64"),
                                       "provider": pd.array([pd.NA] * len(raw), dtype="string"), "source": fac["source"]},
                                      geometry=raw.geometry.values, crs=CRS))
    if not parts:
        return gpd.GeoDataFrame({c.name: [] for c in TABLES["facilities"].columns}, geometry=[], crs=CRS)
    facilities = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=CRS)
    facilities = facilities.drop_duplicates("facility_id").reset_index(drop=True)
    joined = gpd.sjoin(facilities[["geometry"]], finest[["unit_id", "geometry"]], how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]
    facilities["unit_id"] = joined["unit_id"].reindex(facilities.index).astype("string")
    return facilities[facilities["unit_id"].notna()].reset_index(drop=True)  # OSM points outside the city's units are left out


def build_streets(spec: dict, folder: Path) -> gpd.GeoDataFrame:
    """Street centre lines (`streets` table) from a line file; ids from a column or the row number."""
    raw = _read_geo(folder, spec["file"])
    raw = raw[raw.geometry.geom_type.isin(["LineString", "MultiLineString"])].reset_index(drop=True)
    ids = (raw[spec["id_column"]].map(lambda v: _format_id(v, "")) + "-" + raw.index.astype(str)) if spec.get("id_column") else raw.index.astype(str)
    return gpd.GeoDataFrame({"street_id": ("s" + ids).astype("string"),
                             "name": raw[spec["name_column"]].astype("string") if spec.get("name_column") in raw.columns else pd.NA},
                            geometry=raw.geometry.values, crs=CRS)


def build_described(desc_path: Path, folder: Path, h3_resolutions: list[int]) -> BundleBuild:
    """The bundle of a described city (see module docstring); every problem names the file, row and column."""
    desc = read_description(desc_path)
    folder = Path(folder)
    city = desc["city"]
    levels = [Level(lvl["id"], lvl["name_de"], lvl["name_en"], lvl.get("id_pattern", ID)) for lvl in desc["levels"]]
    units, repaired = build_units(desc, folder)
    problems = []
    for file, part in units.groupby("_file", sort=False):
        problems += check_table(TABLES["units"], part.drop(columns=["_file"]), str(folder / file))
    if problems:
        raise BundleValidationError(problems)
    units = units.drop(columns=["_file", ROW_COLUMN])
    finest = units[units["level"] == levels[-1].id]
    population = build_population(desc, folder, set(finest["unit_id"]))
    facilities = build_facilities(desc, folder, finest)
    periods = sorted(population["period"].unique())
    sources = [Source(s["key"], s["title"], s["attribution"], s["licence"], s.get("url", ""), s.get("period", "")) for s in desc["sources"]]
    notes = {k: str(v) for k, v in desc.get("notes", {}).items()}
    if repaired:
        notes["geometry_repaired"] = "; ".join(f"{file}: {n} invalid outline(s) repaired (shapely make_valid)" for file, n in repaired.items())
    manifest = Manifest(city=city["id"], title=city["title"], synthetic=False, levels=levels, periods=list(periods), sources=sources,
                        notes=notes, h3_resolutions=list(h3_resolutions),
                        id_prefix_nesting=bool(city.get("id_prefix_nesting", False)))
    population["period"] = population["period"].astype("string")
    tables = {"units": units, "population": population}
    if "streets" in desc:  # a walking network: distances on streets instead of straight line × detour
        tables["streets"] = build_streets(desc["streets"], folder)
    if len(facilities):
        tables["facilities"] = facilities
    return BundleBuild(manifest, tables)
