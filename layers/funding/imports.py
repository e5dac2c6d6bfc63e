"""GeoJSON import of funding areas (e.g. Quartiersmanagement polygons), appended to the bundle's `funding_areas`."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..bundle.schema import CRS, TABLES
from ..bundle.validate import ROW_COLUMN, BundleValidationError, Problem, check_table

FIELDS = ("area_id", "programme", "name", "start_year", "end_year", "budget_eur", "status")


def read_funding_geojson(path: Path, manifest=None) -> gpd.GeoDataFrame:
    """Read a GeoJSON FeatureCollection of funding areas; every problem names the file, feature (row) and field.

    Properties: `area_id`, `programme`, `name` (required); `start_year`, `end_year` (integer years), `budget_eur`
    (euros), `status` (optional). Geometry: Polygon or MultiPolygon; a CRS other than WGS84 is reprojected.
    Rows are features counted from 1.
    """
    path = Path(path)
    try:
        raw = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own error types for unreadable files
        raise BundleValidationError([Problem(path.name, None, None, f"not a readable GeoJSON file ({exc})")]) from exc
    if len(raw) == 0:
        raise BundleValidationError([Problem(path.name, None, None, "the file has no data rows (no features); an import never "
                                                                    "empties a table, nothing was changed")])
    if raw.crs is not None and not raw.crs.equals(CRS):
        raw = raw.to_crs(CRS)
    elif raw.crs is None:
        raw = raw.set_crs(CRS)
    df = gpd.GeoDataFrame({c: raw[c] for c in FIELDS if c in raw.columns}, geometry=raw.geometry.values, crs=CRS)
    df[ROW_COLUMN] = range(1, len(df) + 1)
    for c in ("area_id", "programme", "name", "status"):
        if c in df.columns:
            df[c] = df[c].astype("string")
    problems = check_table(TABLES["funding_areas"], df, path.name)
    for c in ("start_year", "end_year"):
        if c in df.columns:
            num = pd.to_numeric(df[c], errors="coerce")
            bad = num.notna() & ((num - num.round()).abs() > 1e-9)
            problems += [Problem(path.name, int(r), c, f"{v!r} is not a whole year") for r, v in zip(df.loc[bad, ROW_COLUMN], df.loc[bad, c])]
    if "start_year" in df.columns and "end_year" in df.columns:
        s, e = pd.to_numeric(df["start_year"], errors="coerce"), pd.to_numeric(df["end_year"], errors="coerce")
        bad = (e < s).fillna(False).to_numpy(dtype=bool)
        problems += [Problem(path.name, int(r), "end_year", f"end year {v} is before the start year") for r, v in
                     zip(df.loc[bad, ROW_COLUMN], df.loc[bad, "end_year"])]
    if "budget_eur" in df.columns:
        bad = (pd.to_numeric(df["budget_eur"], errors="coerce") < 0).fillna(False).to_numpy(dtype=bool)
        problems += [Problem(path.name, int(r), "budget_eur", f"negative budget {v}") for r, v in zip(df.loc[bad, ROW_COLUMN], df.loc[bad, "budget_eur"])]
    if problems:
        raise BundleValidationError(problems)
    for c in ("start_year", "end_year"):
        df[c] = pd.to_numeric(df[c], errors="coerce").round().astype("Int64") if c in df.columns else pd.array([pd.NA] * len(df), dtype="Int64")
    df["budget_eur"] = pd.to_numeric(df["budget_eur"], errors="coerce").astype(float) if "budget_eur" in df.columns else float("nan")
    if "status" not in df.columns:
        df["status"] = pd.array([pd.NA] * len(df), dtype="string")
    df.attrs["source_file"] = path.name
    return df[[*FIELDS, ROW_COLUMN, "geometry"]]
