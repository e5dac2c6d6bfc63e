"""Reading a user's point file (CSV with lon/lat, GeoJSON or GeoPackage) into raw string columns with row numbers.

Values stay raw text: the bundle validation checks them and names the file, row and column. Used by the imports of
accommodation sites and candidate sites.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..bundle.schema import CRS
from ..bundle.validate import ROW_COLUMN, BundleValidationError, Problem
from .user_csv import read_user_csv

LON_NAMES = ("lon", "lng", "longitude", "x")
LAT_NAMES = ("lat", "latitude", "y")


def _fail(name: str, message: str, row: int | None = None, column: str | None = None) -> BundleValidationError:
    return BundleValidationError([Problem(name, row, column, message)])


def _read_csv(path: Path) -> gpd.GeoDataFrame:
    name = path.name
    df, sep = read_user_csv(path, "lon,lat,…")
    df.columns = [c.lower() for c in df.columns]
    lon = next((c for c in LON_NAMES if c in df.columns), None)
    lat = next((c for c in LAT_NAMES if c in df.columns), None)
    if lon is None or lat is None:
        raise _fail(name, f"needs longitude and latitude columns (WGS84 degrees, e.g. `lon` and `lat`); found: {', '.join(df.columns)}",
                    column="lon" if lon is None else "lat")
    df[ROW_COLUMN] = range(1, len(df) + 1)
    problems = []
    coords = {}
    for col in (lon, lat):
        raw = df[col].str.strip().str.replace(",", ".", regex=False) if sep == ";" else df[col].str.strip()
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() | ~np.isfinite(num.fillna(0.0))
        problems += [Problem(name, int(r), col, "empty coordinate" if pd.isna(v) else f"{v!r} is not a number")
                     for r, v in zip(df.loc[bad, ROW_COLUMN], df.loc[bad, col])]
        coords[col] = num
    if problems:
        raise BundleValidationError(problems)
    return gpd.GeoDataFrame(df.drop(columns=[lon, lat]), geometry=gpd.points_from_xy(coords[lon], coords[lat]), crs=CRS)


def _read_geo(path: Path) -> gpd.GeoDataFrame:
    try:
        raw = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own error types for unreadable files
        raise _fail(path.name, f"not a readable {path.suffix} file ({exc})") from exc
    if raw.crs is None:
        raw = raw.set_crs(CRS)
    elif not raw.crs.equals(CRS):
        raw = raw.to_crs(CRS)
    raw.columns = [c if c == "geometry" else str(c).strip().lower() for c in raw.columns]
    out = gpd.GeoDataFrame({c: raw[c].astype("string") for c in raw.columns if c != "geometry"}, geometry=raw.geometry.values, crs=CRS)
    out[ROW_COLUMN] = range(1, len(out) + 1)
    return out


def read_point_file(path: Path) -> gpd.GeoDataFrame:
    """Rows of a point file as text columns (lower-case names), ``geometry`` (WGS84 points) and the 1-based row in ``_row``.

    CSV: comma or semicolon separated UTF-8 with ``lon``/``lat`` (also ``lng``, ``longitude``, ``x`` / ``latitude``, ``y``),
    decimal comma allowed in semicolon files. GeoJSON, GeoPackage: point features, reprojected to WGS84. Features are
    rows counted from 1. Geometries that are not points are refused with their row.
    """
    path = Path(path)
    frame = _read_csv(path) if path.suffix.lower() == ".csv" else _read_geo(path)
    if len(frame) == 0:
        raise _fail(path.name, "the file has no data rows (empty or only a header); an import never empties a table, nothing was changed")
    kinds = frame.geometry.geom_type.to_numpy()
    bad = kinds != "Point"
    if bad.any():
        raise BundleValidationError([Problem(path.name, int(r), "geometry", f"a {k or 'missing'} geometry; expected a point")
                                     for r, k in zip(frame.loc[bad, ROW_COLUMN][:25], kinds[bad][:25])])
    frame.attrs["source_file"] = path.name
    return frame
