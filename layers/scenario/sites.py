"""Where a scenario's intervention sits: a site (point, H3 cell or unit) resolved to a point and the finest unit."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import h3
import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..spatial.cover import dominant_unit
from ..spatial.geometry import locate_points
from ..spatial.h3grid import cells_to_hex, points_to_cells
from .model import Site


@dataclass(frozen=True)
class Placed:
    """A site resolved against a bundle: WGS84 point and the finest-level unit containing it."""

    lon: float
    lat: float
    unit_id: str


def _h3_valid(hex_id: str) -> int | None:
    try:
        return h3.get_resolution(hex_id) if h3.is_valid_cell(hex_id) else None
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=32)
def cell_index(bundle: Bundle, res: int) -> pd.Index:
    """The city's cells at `res` as a hashed index (fast membership tests; cached per bundle)."""
    return pd.Index(np.asarray(bundle.cells(res), dtype=object))


def in_city(bundle: Bundle, cell: str, res: int) -> bool:
    return res in bundle.manifest.h3_resolutions and cell in cell_index(getattr(bundle, "base", bundle), res)


@lru_cache(maxsize=512)
def place_site(bundle: Bundle, site: Site) -> Placed:
    """Resolve a site to a point and finest unit; ValueError (message without the intervention prefix) when outside the city."""
    finest = bundle.finest_level.id
    if site.kind == "cell":
        res = _h3_valid(site.id or "")
        if res is None:
            raise ValueError(f"{site.id!r} is not an H3 cell")
        if not in_city(bundle, site.id, res):
            raise ValueError(f"cell {site.id} lies outside the city (not among its H3 cells at resolution {res})")
        lat, lon = h3.cell_to_latlng(site.id)
        unit = locate_points(bundle, [lon], [lat])[0]
        if unit is None:  # centre just outside the outline: the unit with the largest share of the cell
            unit = dominant_unit(bundle, res)[site.id]
        return Placed(float(lon), float(lat), str(unit))
    if site.kind == "unit":
        if site.id not in bundle.units["unit_id"].to_numpy():
            raise ValueError(f"unknown unit id {site.id!r}")
        if site.lon is None:
            level = bundle.units.loc[bundle.units["unit_id"] == site.id, "level"].iloc[0]
            geom = bundle.units_of(level).loc[site.id, "geometry"]
            rp = geom.representative_point()
            lon, lat = rp.x, rp.y
        else:
            lon, lat = site.lon, site.lat
        unit = locate_points(bundle, [lon], [lat])[0]
        if unit is None:
            raise ValueError(f"the point ({lon:.5f}, {lat:.5f}) lies outside the city")
        members = bundle.ancestor(bundle.units.loc[bundle.units["unit_id"] == site.id, "level"].iloc[0])
        if members.get(unit) != site.id:
            raise ValueError(f"the point ({lon:.5f}, {lat:.5f}) does not lie in unit {site.id}")
        return Placed(float(lon), float(lat), str(unit))
    unit = locate_points(bundle, [site.lon], [site.lat])[0]
    if unit is None:
        raise ValueError(f"the point ({site.lon:.5f}, {site.lat:.5f}) lies outside the city")
    for res in bundle.manifest.h3_resolutions:
        cell = cells_to_hex(points_to_cells(np.array([site.lat]), np.array([site.lon]), res))[0]
        if not in_city(bundle, cell, res):
            raise ValueError(f"the point ({site.lon:.5f}, {site.lat:.5f}) lies outside the city's H3 cells at resolution {res}")
    assert unit in bundle.units_of(finest).index
    return Placed(float(site.lon), float(site.lat), str(unit))
