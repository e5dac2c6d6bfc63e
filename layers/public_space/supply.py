"""Green and play space per resident against the standards, and usage pressure of green spaces.

Areas come from the official lists (Berlin: Grünanlagen- and Spielplatzbestand) per finest unit; coarser
levels sum areas and residents; H3 cells get both by areal interpolation from the finest units.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import shapely

from ..bundle import Bundle
from ..bundle.static import on_baseline
from ..spatial.basis import Basis
from ..spatial.h3grid import hex_to_cells, points_to_cells, to_metric
from ..spatial.routing import cell_centres_xy, to_metric_xy
from ..standards import Params


def green_spaces(bundle: Bundle) -> pd.DataFrame:
    """The bundle's green_spaces table (empty frame with the schema columns when absent)."""
    if not bundle.has("green_spaces"):
        return pd.DataFrame(columns=["space_id", "kind", "name", "area_m2", "net_area_m2", "unit_id"])
    return bundle.table("green_spaces")


@on_baseline("green_spaces", "units")
@lru_cache(maxsize=8)
def unit_areas(bundle: Bundle) -> pd.DataFrame:
    """Per finest unit: park area (m²), playground gross and net area (m²), count of playgrounds without net area.

    Spaces without a unit (the list names no valid Planungsraum) are left out.
    """
    g = green_spaces(bundle)
    g = g[g["unit_id"].notna()]
    unit = g["unit_id"].astype(str)
    park = g["kind"] == "park"
    play = g["kind"] == "playground"
    net = pd.to_numeric(g["net_area_m2"], errors="coerce") if "net_area_m2" in g.columns else pd.Series(np.nan, index=g.index)
    df = pd.DataFrame({
        "park_m2": g["area_m2"].where(park, 0.0).astype(float), "play_m2": g["area_m2"].where(play, 0.0).astype(float),
        "play_net_m2": net.where(play, 0.0).fillna(0.0).astype(float), "play_no_net": (play & net.isna()).astype(float),
    })
    ids = bundle.units_of(bundle.finest_level.id).index
    return df.groupby(unit.to_numpy()).sum().reindex(ids).fillna(0.0)


def supply(bundle: Bundle, basis: Basis, period: str) -> tuple[pd.DataFrame, str | None]:
    """Green and play areas (m²) and residents per area of the basis, and the level interpolated from (H3) or None.

    Notes
    -----
    green_per_resident = Σ park area / residents (m² per resident); play_per_resident = Σ net play area /
    residents. Both are compared with the configured standards (Berlin: 6 m² green, 1 m² net play area).
    """
    areas = unit_areas(bundle)
    ids = bundle.ids(basis)
    counts = bundle.counts(basis, period)
    residents = counts.frame["pop_total"].reindex(ids).fillna(0.0).astype(float)
    if basis.is_h3:
        a = bundle.interpolation(basis.res).apply(areas).reindex(ids).fillna(0.0)
        interp = bundle.finest_level.id
    elif basis.level == bundle.finest_level.id:
        a, interp = areas.reindex(ids).fillna(0.0), None
    else:
        a, interp = areas.groupby(bundle.ancestor(basis.level).reindex(areas.index).to_numpy()).sum().reindex(ids).fillna(0.0), None
    a = a.copy()
    a["residents"] = residents.to_numpy()
    return a, interp


def per_resident(area_m2: np.ndarray, residents: np.ndarray) -> np.ndarray:
    """m² per resident; NaN where nobody lives.

    >>> per_resident(np.array([12000.0, 50.0]), np.array([3000.0, 0.0])).tolist()
    [4.0, nan]
    """
    r = np.asarray(residents, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(r > 0, np.asarray(area_m2, dtype=float) / np.where(r > 0, r, 1.0), np.nan)


def space_points(bundle: Bundle) -> pd.DataFrame:
    """Parks with an EPSG:3035 location: lon/lat where the list has them, else the representative point of their unit.

    Columns: space_id, name, area_m2, unit_id, x, y, located (True where the space has its own coordinates).
    """
    g = green_spaces(bundle)
    g = g[(g["kind"] == "park") & g["unit_id"].notna()].reset_index(drop=True)
    units = bundle.units_of(bundle.finest_level.id)
    rep = to_metric(shapely.point_on_surface(np.asarray(units.geometry.values)))
    rep_xy = pd.DataFrame({"x": shapely.get_x(rep), "y": shapely.get_y(rep)}, index=units.index)
    xy = rep_xy.reindex(g["unit_id"].astype(str)).to_numpy(dtype=float, copy=True)
    located = np.zeros(len(g), dtype=bool)
    if "lon" in g.columns and "lat" in g.columns:
        lon, lat = pd.to_numeric(g["lon"], errors="coerce").to_numpy(), pd.to_numeric(g["lat"], errors="coerce").to_numpy()
        located = np.isfinite(lon) & np.isfinite(lat)
        if located.any():
            xy[located] = to_metric_xy(lon[located], lat[located])
    return pd.DataFrame({"space_id": g["space_id"].astype(str), "name": g["name"], "area_m2": g["area_m2"].astype(float),
                         "unit_id": g["unit_id"].astype(str), "x": xy[:, 0], "y": xy[:, 1], "located": located})


def space_pressure(bundle: Bundle, period: str, params: Params) -> pd.DataFrame:
    """Per park: residents within the walking distance (persons, from finest H3 cell centres) and residents per m².

    On a scenario bundle with new residents: the baseline's (cached) result plus the added residents within reach of
    each space. Exact: a scenario adds residents in the site's cell only, so R_j grows by R_h · [d(site cell, j) ≤ d_max]
    and nothing else changes.

    Notes
    -----
    R_j = Σ_c r_c · [d(c, j) ≤ d_max] over the cells c of the finest resolution; pressure_j = R_j / A_j.
    """
    base, added = getattr(bundle, "base", None), getattr(bundle, "added", None)
    if base is None or added is None:
        return _space_pressure(bundle, period, params)
    spaces = _space_pressure(base, period, params)
    if not added:
        return spaces
    res = max(base.manifest.h3_resolutions)
    reach = spaces["residents_within"].to_numpy(dtype=float).copy()
    xy = spaces[["x", "y"]].to_numpy(dtype=float)
    for a in added:
        cell = points_to_cells(np.array([a.placed.lat]), np.array([a.placed.lon]), res)
        _, j, _ = params.router(base).within(cell_centres_xy(cell), xy, params.green_walking_m)
        reach[j] += float(a.counts["pop_total"])
    return spaces.assign(residents_within=reach, pressure=per_resident(reach, spaces["area_m2"].to_numpy()))


@lru_cache(maxsize=16)
def _space_pressure(bundle: Bundle, period: str, params: Params) -> pd.DataFrame:
    """`space_pressure` computed from the bundle's own counts (cached per bundle, period and parameters)."""
    res = max(bundle.manifest.h3_resolutions)
    spaces = space_points(bundle)
    counts = bundle.counts(Basis(res=res), period).frame["pop_total"]
    cells = counts.index.to_numpy()
    xy = cell_centres_xy(hex_to_cells(cells))
    oi, dj, _ = params.router(bundle).within(xy, spaces[["x", "y"]].to_numpy(dtype=float), params.green_walking_m)
    reach = np.bincount(dj, weights=counts.to_numpy(dtype=float)[oi], minlength=len(spaces))
    spaces = spaces.assign(residents_within=reach)
    spaces["pressure"] = per_resident(reach, spaces["area_m2"].to_numpy())  # residents per m²: same arithmetic
    return spaces


def pressure_on_basis(bundle: Bundle, basis: Basis, period: str, params: Params) -> tuple[pd.DataFrame, str | None]:
    """Usage pressure per area: Σ residents within reach of the area's parks / Σ park area (residents per m²)."""
    sp = space_pressure(bundle, period, params)
    by_unit = pd.DataFrame({"reach": sp["residents_within"].to_numpy(), "area": sp["area_m2"].to_numpy()}).groupby(sp["unit_id"].to_numpy()).sum()
    finest_ids = bundle.units_of(bundle.finest_level.id).index
    by_unit = by_unit.reindex(finest_ids).fillna(0.0)
    ids = bundle.ids(basis)
    if basis.is_h3:
        agg, interp = bundle.interpolation(basis.res).apply(by_unit), bundle.finest_level.id
    elif basis.level == bundle.finest_level.id:
        agg, interp = by_unit, None
    else:
        agg, interp = by_unit.groupby(bundle.ancestor(basis.level).reindex(by_unit.index).to_numpy()).sum(), None
    agg = agg.reindex(ids).fillna(0.0)
    agg["pressure"] = per_resident(agg["reach"].to_numpy(), agg["area"].to_numpy())
    return agg, interp
