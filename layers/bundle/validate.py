"""Bundle validation: every problem names its file, row and column."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .schema import CRS, ORIGIN_PREFIX, ORIGIN_TOTAL, POPULATION_GROUPS, TABLES, Manifest, Table

ROW_COLUMN = "_row"  # optional column holding the row number in the original source file
MAX_REPORTED = 25


@dataclass(frozen=True)
class Problem:
    """One validation problem. `row` is 1-based (data rows, header not counted); None for whole-file problems."""

    file: str
    row: int | None
    column: str | None
    message: str
    count: int = 1  # how many rows this entry stands for (a summary of the rows beyond the first MAX_REPORTED)

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return ", ".join(where) + f": {self.message}"


class BundleValidationError(ValueError):
    """Raised when a bundle or a source file breaks the schema; lists every problem found (up to 25)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        self.total = sum(p.count for p in problems)
        shown = "\n".join(f"  - {p}" for p in problems[:MAX_REPORTED])
        rest = sum(p.count for p in problems[MAX_REPORTED:])
        more = f"\n  … and {rest:,} more" if rest else ""
        super().__init__(f"{self.total:,} problem(s) in the city bundle:\n{shown}{more}")


def source_file(df: pd.DataFrame, default: str) -> str:
    """The file a frame was read from (set by the reader in ``df.attrs['source_file']``)."""
    return str(df.attrs.get("source_file", default))


def _rows(df: pd.DataFrame, mask: np.ndarray) -> list[int]:
    if ROW_COLUMN in df.columns:
        return [int(r) for r in df.loc[mask, ROW_COLUMN]]
    return [int(i) + 1 for i in np.flatnonzero(mask)]


def _report(problems: list[Problem], file: str, df: pd.DataFrame, mask, column: str, message) -> None:
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    n = int(mask.sum())
    first = np.flatnonzero(mask)[:MAX_REPORTED]
    head = np.zeros(len(mask), dtype=bool)
    head[first] = True
    values = df.loc[head, column].tolist() if column in df.columns else [None] * len(first)
    for row, value in zip(_rows(df, head), values):
        problems.append(Problem(file, row, column, message(value) if callable(message) else message))
    if n > len(first):  # count every row, list the first ones ("6.55 M duplicate rows", not "25 problems")
        text = message(values[-1]) if callable(message) else message
        problems.append(Problem(file, None, column, f"… and {n - len(first):,} more rows like: {text}", count=n - len(first)))


def _as_id(series: pd.Series) -> pd.Series:
    return series.astype("string")


def check_table(table: Table, df: pd.DataFrame, file: str, manifest: Manifest | None = None,
                unit_ids: set[str] | None = None) -> list[Problem]:
    """Check one table against its schema; `unit_ids` enables the reference check."""
    problems: list[Problem] = []
    missing = [c.name for c in table.columns if c.required and c.name not in df.columns]
    for name in missing:
        problems.append(Problem(file, None, name, f"required column is missing (table {table.name!r} needs "
                                                  f"{', '.join(c.name for c in table.columns if c.required)})"))
    if table.geometry and "geometry" not in df.columns:
        problems.append(Problem(file, None, "geometry", "geometry column is missing"))
    if problems:
        return problems

    count_cols = [c.name for c in table.columns if c.kind == "count" and c.name in df.columns]
    count_cols += [c for c in df.columns if any(c.startswith(p) for p in table.open_columns)]
    for col in table.columns:
        if col.name not in df.columns:
            continue
        s = df[col.name]
        null = s.isna().to_numpy()
        if not col.nullable:
            _report(problems, file, df, null, col.name, "empty value")
        if col.kind == "id":
            ids = _as_id(s)
            bad = ~null & ~ids.fillna("").str.fullmatch(col.pattern or ".*").fillna(False).to_numpy(dtype=bool)
            _report(problems, file, df, bad, col.name, lambda v: f"id {v!r} has the wrong form (expected {col.pattern})")
        elif col.kind == "date":
            parsed = pd.to_datetime(s.astype("string"), format="ISO8601", errors="coerce") if not pd.api.types.is_datetime64_any_dtype(s) else s
            bad = ~null & parsed.isna().to_numpy()
            _report(problems, file, df, bad, col.name, lambda v: f"{v!r} is not a date (expected YYYY-MM-DD)")
        elif col.kind == "str" and col.choices:
            bad = ~null & ~s.isin(col.choices).to_numpy(dtype=bool)
            _report(problems, file, df, bad, col.name, lambda v: f"{v!r} is not one of {', '.join(col.choices)}")
        elif col.kind in ("number", "int"):
            num = pd.to_numeric(s, errors="coerce")
            _report(problems, file, df, ~null & num.isna().to_numpy(), col.name, lambda v: f"{v!r} is not a number")
            infinite = ~null & num.notna().to_numpy() & ~np.isfinite(num.to_numpy(dtype=float, na_value=0.0))
            _report(problems, file, df, infinite, col.name, lambda v: f"{v!r} is not a finite number")
            if col.minimum is not None:
                low = (num < col.minimum).fillna(False).to_numpy(dtype=bool) & ~infinite
                _report(problems, file, df, low, col.name, lambda v, m=col.minimum: f"{v!r} is below the smallest allowed value {m:g}")
    for name in count_cols:
        num = pd.to_numeric(df[name], errors="coerce")
        null = df[name].isna().to_numpy()
        _report(problems, file, df, ~null & num.isna().to_numpy(), name, lambda v: f"{v!r} is not a count")
        _report(problems, file, df, (num < 0).fillna(False).to_numpy(dtype=bool), name, lambda v: f"negative count {v}")
        _report(problems, file, df, num.isin([np.inf, -np.inf]).to_numpy(dtype=bool), name, lambda v: f"{v!r} is not a finite count")
        frac = (num - num.round()).abs() > 1e-6
        _report(problems, file, df, frac.fillna(False).to_numpy(dtype=bool), name, lambda v: f"count {v} is not a whole number")

    totals = dict(POPULATION_GROUPS) if table.name in ("population", "population_points") else {}
    totals.update({c: ORIGIN_TOTAL for c in df.columns if c.startswith(ORIGIN_PREFIX) and table.open_columns})
    totals.update({"facility_composition": {"children_mig_bg": "children_total"}, "accommodation": {"occupancy": "capacity"},
                   "housing": {"social_dwellings": "dwellings"}}.get(table.name, {}))
    for group, total in totals.items():
        if group in df.columns and total in df.columns:
            g = pd.to_numeric(df[group], errors="coerce")
            t = pd.to_numeric(df[total], errors="coerce")
            bad = (g > t + 1e-9).fillna(False).to_numpy(dtype=bool)
            _report(problems, file, df, bad, group, lambda v, total=total: f"group count {v} is above its total {total!r}")

    if table.name == "accommodation" and {"opened", "closed"} <= set(df.columns):
        opened = pd.to_datetime(df["opened"].astype("string"), format="ISO8601", errors="coerce")
        closed = pd.to_datetime(df["closed"].astype("string"), format="ISO8601", errors="coerce")
        _report(problems, file, df, (closed < opened).fillna(False).to_numpy(dtype=bool), "closed",
                lambda v: f"closing date {v} is before the opening date")

    if table.key and all(k in df.columns for k in table.key):
        dup = df.duplicated(list(table.key), keep="first").to_numpy()
        label = "+".join(table.key)
        _report(problems, file, df, dup, table.key[-1] if len(table.key) == 1 else table.key[0],
                lambda v: f"duplicate id ({label} occurs more than once)")

    if unit_ids is not None:
        for ref in table.unit_refs:
            if ref in df.columns:
                ids = _as_id(df[ref])
                bad = ids.notna().to_numpy() & ~ids.isin(unit_ids).fillna(False).to_numpy(dtype=bool)
                _report(problems, file, df, bad, ref, lambda v: f"id {v!r} matches no unit")

    if table.geometry:
        problems += _check_geometry(table, df, file)
    if table.name == "units" and manifest is not None:
        problems += _check_units(df, file, manifest)
    return problems


def _check_geometry(table: Table, df: pd.DataFrame, file: str) -> list[Problem]:
    problems: list[Problem] = []
    crs = getattr(df, "crs", None)
    if crs is None:
        problems.append(Problem(file, None, "geometry", f"missing CRS (expected {CRS})"))
    elif not gpd.GeoSeries([], crs=crs).crs.equals(CRS):
        problems.append(Problem(file, None, "geometry", f"wrong CRS {crs.to_string()} (expected {CRS}; reproject first)"))
    geom = np.asarray(df["geometry"].values)
    empty = shapely.is_missing(geom) | shapely.is_empty(geom)
    _report(problems, file, df, empty, "geometry", "empty geometry")
    wanted, ids = {"polygon": (("Polygon", "MultiPolygon"), [3, 6]), "line": (("LineString", "MultiLineString"), [1, 5])}.get(
        table.geometry, (("Point",), [0]))
    types = shapely.get_type_id(geom)
    type_ok = np.isin(types, ids)
    _report(problems, file, df, ~empty & ~type_ok, "geometry", f"geometry must be {' or '.join(wanted)}")
    invalid = ~empty & type_ok & ~shapely.is_valid(geom)
    if invalid.any():
        reasons = shapely.is_valid_reason(geom[invalid])
        it = iter(reasons)
        _report(problems, file, df, invalid, "geometry", lambda v: f"invalid geometry ({next(it)})")
    if crs is not None and not empty.all():
        minx, miny, maxx, maxy = shapely.total_bounds(geom[~empty])
        if crs is not None and gpd.GeoSeries([], crs=crs).crs.equals(CRS) and (abs(minx) > 180 or abs(maxx) > 180 or abs(miny) > 90 or abs(maxy) > 90):
            problems.append(Problem(file, None, "geometry", f"coordinates are outside WGS84 degrees although the CRS says {CRS} (wrong CRS?)"))
    return problems


def outside_extent(df: pd.DataFrame, file: str, bounds: tuple[float, float, float, float], margin: float = 0.1) -> list[Problem]:
    """Geometries that lie outside the city's extent (lon/lat bounds, widened by `margin` of their size), naming the ones
    whose longitude and latitude look swapped."""
    geom = np.asarray(df["geometry"].values)
    present = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    if not present.any():
        return []
    minx, miny, maxx, maxy = bounds
    dx, dy = (maxx - minx) * margin, (maxy - miny) * margin
    box = shapely.box(minx - dx, miny - dy, maxx + dx, maxy + dy)
    inside = np.zeros(len(geom), dtype=bool)
    inside[present] = shapely.intersects(geom[present], box)
    swapped = np.zeros(len(geom), dtype=bool)
    flipped = shapely.transform(geom[present & ~inside], lambda xy: xy[:, ::-1]) if (present & ~inside).any() else []
    swapped[np.flatnonzero(present & ~inside)] = shapely.intersects(flipped, box) if len(flipped) else []
    problems: list[Problem] = []
    where = f"lon {minx:.2f}–{maxx:.2f}, lat {miny:.2f}–{maxy:.2f}"
    _report(problems, file, df, swapped, "geometry", f"longitude and latitude look swapped (the city lies at {where})")
    _report(problems, file, df, present & ~inside & ~swapped, "geometry", f"outside the city (which lies at {where})")
    return problems


def _check_units(df: pd.DataFrame, file: str, manifest: Manifest) -> list[Problem]:
    problems: list[Problem] = []
    levels = {lvl.id: i for i, lvl in enumerate(manifest.levels)}
    ids = _as_id(df["unit_id"])
    level_of = dict(zip(ids, df["level"]))
    unknown = ~df["level"].isin(levels).to_numpy()
    _report(problems, file, df, unknown, "level", lambda v: f"unknown level {v!r} (manifest levels: {', '.join(levels)})")
    for lvl in manifest.levels:
        mask = (df["level"] == lvl.id).to_numpy()
        bad = mask & ~ids.str.fullmatch(lvl.id_pattern).fillna(False).to_numpy(dtype=bool)
        _report(problems, file, df, bad, "unit_id", lambda v, lvl=lvl: f"id {v!r} has the wrong form for level {lvl.id!r} (expected {lvl.id_pattern})")
    parents = _as_id(df["parent_id"])
    for i, (uid, lvl, parent) in enumerate(zip(ids, df["level"], parents)):
        depth = levels.get(lvl)
        if depth is None:
            continue
        row = int(df[ROW_COLUMN].iloc[i]) if ROW_COLUMN in df.columns else i + 1
        if depth == 0:
            if pd.notna(parent):
                problems.append(Problem(file, row, "parent_id", f"unit {uid!r} is on the top level and must have no parent"))
            continue
        if pd.isna(parent):
            problems.append(Problem(file, row, "parent_id", f"unit {uid!r} has no parent"))
        elif level_of.get(parent) != manifest.levels[depth - 1].id:
            problems.append(Problem(file, row, "parent_id", f"parent {parent!r} of unit {uid!r} matches no unit of level {manifest.levels[depth - 1].id!r}"))
        elif manifest.id_prefix_nesting and not str(uid).startswith(str(parent)):
            problems.append(Problem(file, row, "unit_id", f"id {uid!r} does not start with its parent's id {parent!r}"))
    return problems


def validate_tables(tables: dict[str, pd.DataFrame], manifest: Manifest, files: dict[str, str] | None = None) -> None:
    """Validate every table of a bundle; raise BundleValidationError listing all problems.

    `files` maps a table name to the file label used in messages (default: the bundle file name,
    or ``df.attrs['source_file']`` when a reader set it).
    """
    files = files or {}
    problems: list[Problem] = []
    for name, table in TABLES.items():
        if table.required and name not in tables:
            problems.append(Problem(files.get(name, table.file), None, None, f"required table {name!r} is missing"))
    units = tables.get("units")
    unit_ids = set(_as_id(units["unit_id"]).dropna()) if units is not None and "unit_id" in units else None
    for name, df in tables.items():
        if name not in TABLES:
            problems.append(Problem(files.get(name, f"{name}.parquet"), None, None, f"unknown table {name!r}; tables: {', '.join(TABLES)}"))
            continue
        label = files.get(name) or source_file(df, TABLES[name].file)
        problems += check_table(TABLES[name], df, label, manifest, unit_ids)
    facilities = tables.get("facilities")
    for name in ("facility_composition", "catchments"):
        df = tables.get(name)
        if df is None or "facility_id" not in df.columns:
            continue
        known = set(_as_id(facilities["facility_id"]).dropna()) if facilities is not None and "facility_id" in facilities else set()
        ids = _as_id(df["facility_id"])
        bad = ids.notna().to_numpy() & ~ids.isin(known).fillna(False).to_numpy(dtype=bool)
        _report(problems, files.get(name) or source_file(df, TABLES[name].file), df, bad, "facility_id",
                lambda v: f"id {v!r} matches no facility")
    use, spaces = tables.get("space_use"), tables.get("green_spaces")
    if use is not None and "space_id" in use.columns:
        known = set(_as_id(spaces["space_id"]).dropna()) if spaces is not None and "space_id" in spaces else set()
        ids = _as_id(use["space_id"])
        bad = ids.notna().to_numpy() & ~ids.isin(known).fillna(False).to_numpy(dtype=bool)
        _report(problems, files.get("space_use") or source_file(use, TABLES["space_use"].file), use, bad, "space_id",
                lambda v: f"id {v!r} matches no green space")
    if "population" in tables and "population_points" not in tables and unit_ids is not None and not problems:
        finest = manifest.levels[-1].id
        pop_units = set(_as_id(tables["population"]["unit_id"]))
        not_finest = pop_units - set(_as_id(units.loc[units["level"] == finest, "unit_id"]))
        if not_finest:
            problems.append(Problem(files.get("population", "population.parquet"), None, "unit_id",
                                    f"population must be given for units of the finest level {finest!r}; found {sorted(not_finest)[:3]}"))
    periods = set(manifest.periods)
    for name in ("population", "population_points"):
        if name in tables and not problems:
            found = set(pd.to_datetime(tables[name]["period"]).dt.strftime("%Y-%m-%d"))
            if found != periods:
                problems.append(Problem(files.get(name, TABLES[name].file), None, "period",
                                        f"periods {sorted(found)} differ from the manifest's {sorted(periods)}"))
    if problems:
        raise BundleValidationError(problems)
