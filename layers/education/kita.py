"""Kita supply and demand: children under 6 × take-up rate against Kita places, per unit, per cell and by 2SFCA."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..bundle.static import on_baseline
from ..spatial import aggregate
from ..spatial.basis import Basis
from ..spatial.cover import cells_of_units
from ..spatial.h3grid import cells_to_hex, hex_to_cells, points_to_cells
from ..spatial.routing import Router, bundle_router, cell_centres_xy, to_metric_xy
from .fca import FcaResult, fca_ratio
from .params import EducationParams

CHILD_BAND = "age_0_6"
CHILD_MIG = "mig_bg_age_0_6"
FCA_RES_FOR_UNITS = 9  # units get the demand-weighted mean of the 2SFCA ratio of their res-9 cells


def demand(children: np.ndarray | pd.Series, params: EducationParams):
    """Children in demand of a Kita place: children under 6 × take-up rate (persons, fractional).

    Notes
    -----
    The bundles have the band [0, 6) only, so the rate is the mean of the under-3 and the 3-to-6 rate, each
    covering three single years of equal size: r = (3·r_u3 + 3·r_3_6) / 6.

    Examples
    --------
    >>> demand(np.array([100.0]), EducationParams(take_up_under_3=0.5, take_up_3_6=0.9)).round(6).tolist()
    [70.0]
    """
    return children * params.take_up_under_6


@on_baseline("facilities")
@lru_cache(maxsize=16)
def kitas(bundle: Bundle) -> gpd.GeoDataFrame:
    """Kitas of the bundle with their places (``capacity``; missing places count as 0), indexed by facility id.

    Cached per bundle (a scenario without new Kitas reads the baseline's): every Kita layer asks, 7 ms each time on
    Berlin. The frame is shared: callers must not change it."""
    if not bundle.has("facilities"):
        return gpd.GeoDataFrame({"name": [], "capacity": [], "unit_id": []}, geometry=[], crs="EPSG:4326")
    fac = bundle.table("facilities")
    k = fac[fac["type"] == "kita"].set_index("facility_id")
    k = k.assign(capacity=pd.to_numeric(k["capacity"]).fillna(0).astype(float))
    return k


def _children(bundle: Bundle, basis: Basis, period: str) -> tuple[pd.DataFrame, str | None]:
    counts = bundle.counts(basis, period)
    cols = [c for c in (CHILD_BAND, CHILD_MIG, "pop_total") if c in counts.frame.columns]
    f = counts.frame[cols].reindex(bundle.ids(basis), fill_value=0.0).astype(float)
    for c in (CHILD_BAND, CHILD_MIG):
        if c not in f:
            f[c] = 0.0
    return f, counts.interpolated_from


@on_baseline("facilities", "units", "cells")
@lru_cache(maxsize=64)
def places(bundle: Bundle, basis: Basis) -> pd.Series:
    """Kita places per unit or cell (points aggregated exactly; Kitas outside every unit are left out). Cached as
    `kitas`; the series is shared: callers must not change it."""
    k = kitas(bundle)
    ids = bundle.ids(basis)
    if k.empty:
        return pd.Series(0.0, index=ids)
    if basis.is_h3:
        cells = cells_to_hex(points_to_cells(k.geometry.y.to_numpy(), k.geometry.x.to_numpy(), basis.res))
        per = k["capacity"].groupby(cells).sum()
    else:
        k = k[k["unit_id"].notna()]
        unit = k["unit_id"].astype(str)
        if basis.level != bundle.finest_level.id:
            unit = unit.map(bundle.ancestor(basis.level))
        per = k["capacity"].groupby(unit.to_numpy()).sum()
    return per.reindex(ids, fill_value=0.0).astype(float)


def supply_demand(bundle: Bundle, basis: Basis, period: str, params: EducationParams) -> tuple[pd.DataFrame, str | None]:
    """Per unit or cell: ``children`` (under 6), ``children_mig``, ``demand``, ``places``, ``residents`` (all).

    Returns the frame and the level the child counts were interpolated from (None when exact).
    """
    f, interp = _children(bundle, basis, period)
    out = pd.DataFrame({"children": f[CHILD_BAND], "children_mig": f[CHILD_MIG], "demand": demand(f[CHILD_BAND], params),
                        "places": places(bundle, basis), "residents": f.get("pop_total", f[CHILD_BAND])})
    return out, interp


def city_ratio(bundle: Bundle, period: str, params: EducationParams) -> float:
    """All Kita places of the city per child in demand (places per child)."""
    level = Basis(level=bundle.levels[0].id)
    f, _ = supply_demand(bundle, level, period, params)
    return float(kitas(bundle)["capacity"].sum() / f["demand"].sum()) if f["demand"].sum() > 0 else float("nan")


@dataclass(frozen=True)
class KitaAccess:
    """2SFCA on the H3 cells of one resolution: ``cells`` frame (children, demand, access) and the raw result."""

    cells: pd.DataFrame  # index hex cell; columns children, children_mig, demand, residents, access (places per child in demand)
    kitas: pd.DataFrame  # index facility id; columns places, reach_demand, supply_ratio, x, y (EPSG:3035 m)
    fca: FcaResult
    interpolated_from: str | None


def router_for(bundle: Bundle, params: EducationParams) -> Router:
    """Walking distances for the Kita layers: the bundle's street network, or straight line × detour factor."""
    return bundle_router(bundle, params.detour_factor)


@lru_cache(maxsize=32)
def kita_access(bundle: Bundle, res: int, period: str, params: EducationParams) -> KitaAccess:
    """2SFCA ratio of Kita places to children in demand on every H3 cell of `res` (cached per bundle and parameters)."""
    basis = Basis(res=res)
    f, interp = supply_demand(bundle, basis, period, params)
    k = kitas(bundle)
    has = f["demand"].to_numpy() > 0
    origin_xy = cell_centres_xy(hex_to_cells(f.index[has]))
    kxy = to_metric_xy(k.geometry.x.to_numpy(), k.geometry.y.to_numpy()) if len(k) else np.empty((0, 2))
    r = fca_ratio(origin_xy, f["demand"].to_numpy()[has], kxy, k["capacity"].to_numpy(dtype=float), router_for(bundle, params),
                  params.radius_m, params.decay, params.decay_param)
    access = np.full(len(f), np.nan)  # a cell without children in demand has no ratio ("no value", never 0)
    access[has] = r.access
    cells = f.assign(access=access)
    # r.origin indexes the demand cells only; map back to positions in `cells`
    r = FcaResult(r.access, r.supply_ratio, r.reach_demand, np.flatnonzero(has)[r.origin], r.facility, r.dist_m, r.weight)
    kt = pd.DataFrame({"places": k["capacity"].to_numpy(dtype=float), "reach_demand": r.reach_demand, "supply_ratio": r.supply_ratio,
                       "x": kxy[:, 0], "y": kxy[:, 1]}, index=k.index)
    return KitaAccess(cells, kt, r, interp)


def access_on(bundle: Bundle, basis: Basis, period: str, params: EducationParams) -> tuple[pd.DataFrame, str | None]:
    """2SFCA ratio on any basis: per cell, or per unit as the demand-weighted mean of its res-9 cells
    (Σ_c A_c · D_c · s_cu / Σ_c D_c · s_cu, with s_cu the share of cell c's area in unit u).

    Columns ``children``, ``children_mig``, ``demand``, ``residents``, ``access`` (places per child in demand),
    ``unserved`` (children in demand without a place in reach: demand × max(0, 1 − access)).
    """
    if basis.is_h3:
        a = kita_access(bundle, basis.res, period, params)
        c = a.cells.drop(columns=["places"])
        return c.assign(unserved=(c["demand"] * np.clip(1.0 - c["access"], 0.0, None)).fillna(0.0)), a.interpolated_from
    res = FCA_RES_FOR_UNITS if FCA_RES_FOR_UNITS in bundle.manifest.h3_resolutions else max(bundle.manifest.h3_resolutions)
    a = kita_access(bundle, res, period, params)
    c = a.cells
    served = pd.DataFrame({"access_x_demand": (c["access"] * c["demand"]).fillna(0.0), "demand_in_cells": c["demand"],
                           "unserved": (c["demand"] * np.clip(1.0 - c["access"], 0.0, None)).fillna(0.0)}, index=c.index)
    finest = aggregate.cells_to_units(served, bundle.weights(res))
    per = finest if basis.level == bundle.finest_level.id else aggregate.roll_up(finest, bundle.ancestor(basis.level))
    sd, interp = supply_demand(bundle, basis, period, params)
    per = per.reindex(sd.index, fill_value=0.0)
    # the demand-weighted mean of the unit's cells: each cell weighs with the demand it brings into the unit
    # (cell demand × the share of the cell's area in the unit), so the unit's value lies within its cells' range
    with np.errstate(divide="ignore", invalid="ignore"):
        access = np.where(per["demand_in_cells"] > 0, per["access_x_demand"] / per["demand_in_cells"], np.nan)
    out = sd.drop(columns=["places"]).assign(access=access, unserved=per["unserved"])
    return out, a.interpolated_from or interp  # the demand behind a unit's value was interpolated to cells


def serving_kitas(bundle: Bundle, basis: Basis, unit_or_cell: str, period: str, params: EducationParams) -> pd.DataFrame:
    """Kitas within the walking radius of a unit or cell, nearest first, with their 2SFCA figures.

    The unit's res-9 cells (or the cell itself) are the origins; ``dist_m`` is the walking distance from the nearest of
    them. ``spare`` marks Kitas whose places exceed the weighted demand within their reach (supply ratio > 1): an
    estimate of where free capacity lies, since the open data have places but not occupancy.
    """
    res = basis.res if basis.is_h3 else (FCA_RES_FOR_UNITS if FCA_RES_FOR_UNITS in bundle.manifest.h3_resolutions
                                         else max(bundle.manifest.h3_resolutions))
    a = kita_access(bundle, res, period, params)
    if unit_or_cell not in set(bundle.ids(basis)):
        raise KeyError(f"{unit_or_cell!r} is not a {'cell' if basis.is_h3 else 'unit'} of {basis.key}")
    if basis.is_h3:
        cells = [unit_or_cell]
    else:
        members = bundle.ancestor(basis.level)
        cells = cells_of_units(bundle.weights(res), members.index[members == unit_or_cell])
    origin_xy = cell_centres_xy(hex_to_cells(np.asarray(cells)))
    kxy = a.kitas[["x", "y"]].to_numpy()
    i, j, d = router_for(bundle, params).within(origin_xy, kxy, params.radius_m)
    near = pd.DataFrame({"pos": j, "dist_m": d}).groupby("pos")["dist_m"].min()
    out = a.kitas.iloc[near.index.to_numpy()].assign(dist_m=near.to_numpy())
    return out.assign(spare=out["supply_ratio"] > 1.0).sort_values("dist_m")


def nearest_spare(bundle: Bundle, xy: np.ndarray, period: str, params: EducationParams, res: int = FCA_RES_FOR_UNITS) -> pd.DataFrame:
    """For points `xy` (EPSG:3035 m): the nearest Kita whose places exceed the weighted demand in its reach (``facility_id``, ``dist_m``)."""
    a = kita_access(bundle, res, period, params)
    spare = a.kitas[a.kitas["supply_ratio"] > 1.0]
    dist, pos = router_for(bundle, params).nearest(np.asarray(xy, dtype=float).reshape(-1, 2), spare[["x", "y"]].to_numpy())
    ids = np.where(pos >= 0, spare.index.to_numpy()[np.maximum(pos, 0)] if len(spare) else None, None)
    return pd.DataFrame({"facility_id": ids, "dist_m": dist})
