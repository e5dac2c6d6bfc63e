"""Reading raw Berlin open-data files so that every problem names its file, row and column.

Every frame read here carries ``df.attrs["source_file"]`` (the path relative to the Berlin folder)
and a column ``_row`` (:data:`layers.bundle.validate.ROW_COLUMN`) with the 1-based data row of
the raw file (CSV: data row without the header; GeoJSON: feature number).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from ..bundle.schema import CRS, Table
from ..bundle.validate import ROW_COLUMN, BundleValidationError, Problem, check_table

SOURCE_FILE = "source_file"
PLR_PATTERN = r"^\d{8}$"
# Generous lon/lat box around Berlin (the city spans 13.09–13.77 E, 52.33–52.68 N); anything outside
# it is a wrong coordinate or a wrong CRS, not a facility near the city boundary.
OUTER_BBOX = (12.5, 52.0, 14.4, 53.0)
MISSING_MARKERS = ("", "-")


def fail_if(problems: list[Problem]) -> None:
    """Raise :class:`BundleValidationError` when `problems` is not empty."""
    if problems:
        raise BundleValidationError(problems)


def source_of(df: pd.DataFrame) -> str:
    """The raw file a frame was read from (relative to the Berlin folder)."""
    return str(df.attrs.get(SOURCE_FILE, "?"))


def tag(df: pd.DataFrame, rel: str) -> pd.DataFrame:
    """Set ``attrs['source_file']`` on `df` and return it."""
    df.attrs[SOURCE_FILE] = rel
    return df


def raw_path(berlin_dir: Path, rel: str, what: str) -> Path:
    """Absolute path of a required raw file; FileNotFoundError naming it and what it holds if absent."""
    path = Path(berlin_dir) / rel
    if not path.is_file():
        raise FileNotFoundError(f"{path}: required Berlin source file is missing ({what})")
    return path


def require_columns(df: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise naming the file and every required raw column that is absent."""
    missing = [c for c in columns if c not in df.columns]
    present = ", ".join(c for c in df.columns if c != ROW_COLUMN)
    fail_if([Problem(source_of(df), None, c, f"required column is missing (the file has: {present})") for c in missing])


def read_csv(berlin_dir: Path, rel: str, what: str, columns: Iterable[str], *, sep: str = ",",
             text_columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Read a raw CSV, add ``_row`` and the source file.

    Parameters
    ----------
    berlin_dir, rel : folder of the Berlin data and the file's path relative to it.
    what : what the file holds (used when the file is missing).
    columns : raw columns that must be present.
    sep : field separator.
    text_columns : columns read as strings (ids); None reads every column as string, otherwise the
        other columns are parsed by pandas (a column with a non-number in it stays text).
    """
    path = raw_path(berlin_dir, rel, what)
    dtype = str if text_columns is None else {c: str for c in text_columns}
    df = pd.read_csv(path, sep=sep, dtype=dtype, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    df.columns = [str(c).strip() for c in df.columns]
    df[ROW_COLUMN] = np.arange(1, len(df) + 1)
    tag(df, rel)
    require_columns(df, columns)
    return df


def read_geojson(berlin_dir: Path, rel: str, what: str, columns: Iterable[str], *,
                 expected_crs: str = CRS) -> gpd.GeoDataFrame:
    """Read a raw GeoJSON, check its declared CRS and return it in EPSG:4326 with ``_row`` and source file.

    The file must declare `expected_crs` (GeoJSON without a ``crs`` member is WGS84 by RFC 7946).
    Features whose coordinates lie far outside Berlin after reprojection are reported row by row:
    that is what a mislabelled CRS looks like.
    """
    path = raw_path(berlin_dir, rel, what)
    gdf = pyogrio.read_dataframe(path)
    gdf[ROW_COLUMN] = np.arange(1, len(gdf) + 1)
    tag(gdf, rel)
    require_columns(gdf, columns)
    if gdf.crs is None:
        fail_if([Problem(rel, None, "geometry", f"missing CRS (expected {expected_crs})")])
    if not gdf.crs.equals(expected_crs):
        fail_if([Problem(rel, None, "geometry", f"declares CRS {gdf.crs.to_string()}, expected {expected_crs}; "
                                                "reproject the file or fix its CRS declaration")])
    if not gdf.crs.equals(CRS):
        gdf = tag(gdf.to_crs(CRS), rel)
    geom = gdf.geometry
    present = geom.notna().to_numpy() & ~geom.is_empty.to_numpy()
    bounds = geom.bounds.to_numpy()
    minx, miny, maxx, maxy = OUTER_BBOX
    outside = present & ((bounds[:, 0] < minx) | (bounds[:, 2] > maxx) | (bounds[:, 1] < miny) | (bounds[:, 3] > maxy))
    fail_if([Problem(rel, int(r), "geometry", f"coordinates lie far outside Berlin (wrong CRS? declared {expected_crs})")
             for r in gdf.loc[outside, ROW_COLUMN].head(25)])
    return gdf


def pad_ids(series: pd.Series, width: int) -> pd.Series:
    """Ids as strings, left-padded with zeros to `width` where a source dropped leading zeros.

    Only all-digit ids shorter than `width` are padded (``'1100101'`` or ``'1100101.0'`` →
    ``'01100101'``); anything else is kept so that validation reports it in its original form.
    """
    s = series.astype("string").str.strip().str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    short = s.str.fullmatch(rf"\d{{1,{width - 1}}}").fillna(False).astype(bool)
    return s.mask(short, s.str.zfill(width))


def missing_to_na(series: pd.Series) -> pd.Series:
    """String series with the missing-value markers of the Berlin lists ('' and '-') as NA."""
    s = series.astype("string").str.strip()
    return s.mask(s.isin(MISSING_MARKERS))


def to_number(df: pd.DataFrame, column: str, *, decimal: str = ".", minimum: float | None = None) -> pd.Series:
    """Parse a raw numeric column; missing markers become NaN, anything unparsable is an error.

    `decimal` is the decimal mark of the file (``','`` for German lists, thousands dots are dropped).
    """
    s = missing_to_na(df[column])
    text = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False) if decimal == "," else s
    num = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = (s.notna() & num.isna()).to_numpy(dtype=bool)
    problems = [Problem(source_of(df), int(r), column, f"{v!r} is not a number")
                for r, v in zip(df.loc[bad, ROW_COLUMN], s[bad])]
    if minimum is not None:
        low = (num < minimum).fillna(False).to_numpy(dtype=bool)
        problems += [Problem(source_of(df), int(r), column, f"{v} is below {minimum}")
                     for r, v in zip(df.loc[low, ROW_COLUMN], num[low])]
    fail_if(problems[:25])
    return num


def counts_to_numeric(df: pd.DataFrame, columns: Iterable[str]) -> None:
    """Make raw count columns numeric in place; empty cells and values that are no number are errors."""
    problems = []
    for c in columns:
        text = df[c].astype("string").str.strip()
        num = df[c] if pd.api.types.is_numeric_dtype(df[c]) else pd.to_numeric(text, errors="coerce")
        empty, unparsable = text.isna().to_numpy(dtype=bool), (text.notna() & num.isna()).to_numpy(dtype=bool)
        problems += [Problem(source_of(df), int(r), c, "empty value") for r in df.loc[empty, ROW_COLUMN]]
        problems += [Problem(source_of(df), int(r), c, f"{v!r} is not a count")
                     for r, v in zip(df.loc[unparsable, ROW_COLUMN], text[unparsable])]
        df[c] = num.astype("float64")
    fail_if(problems[:25])


def points_from_lonlat(df: pd.DataFrame, lon: str, lat: str) -> gpd.GeoSeries:
    """WGS84 points from raw longitude/latitude columns; missing, unparsable or far-off values are errors."""
    x = to_number(df, lon)
    y = to_number(df, lat)
    problems = []
    for col, values in ((lon, x), (lat, y)):
        miss = values.isna().to_numpy()
        problems += [Problem(source_of(df), int(r), col, "empty coordinate") for r in df.loc[miss, ROW_COLUMN]]
    minx, miny, maxx, maxy = OUTER_BBOX
    far = (~x.between(minx, maxx) | ~y.between(miny, maxy)).to_numpy() & x.notna().to_numpy() & y.notna().to_numpy()
    problems += [Problem(source_of(df), int(r), lat, f"point ({xx}, {yy}) lies far outside Berlin (lon/lat swapped?)")
                 for r, xx, yy in zip(df.loc[far, ROW_COLUMN], x[far], y[far])]
    fail_if(problems[:25])
    return gpd.GeoSeries(gpd.points_from_xy(x, y), index=df.index, crs=CRS)


def check_raw(table: Table, df: pd.DataFrame, raw_names: dict[str, str] | None = None,
              unit_ids: set[str] | None = None) -> None:
    """Run the bundle check of `table` on a frame built from one raw file and raise on problems.

    `df` uses bundle column names; `raw_names` maps them back to the raw file's column names so
    that every message names the column as it appears in the raw file.
    """
    raw_names = raw_names or {}
    problems = check_table(table, df, source_of(df), unit_ids=unit_ids)
    fail_if([_in_raw_terms(p, raw_names) for p in problems])


def _in_raw_terms(problem: Problem, raw_names: dict[str, str]) -> Problem:
    message = problem.message
    for name, raw in raw_names.items():
        message = re.sub(rf"'{re.escape(name)}'", f"'{raw}'", message)
    return dataclasses.replace(problem, column=raw_names.get(problem.column, problem.column), message=message)


def narrowed(table: Table, name: str | None = None, **columns) -> Table:
    """A copy of `table` for a raw file: columns replaced by keyword (``unit_id=Column(...)``)."""
    cols = tuple(columns.pop(c.name, c) for c in table.columns)
    return dataclasses.replace(table, name=name or table.name, columns=cols + tuple(columns.values()))
