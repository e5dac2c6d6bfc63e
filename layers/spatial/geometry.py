"""Display geometry of a basis: unit outlines or H3 hexagons as GeoJSON, rounded for the browser."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import shapely

from ..bundle.static import on_baseline
from .basis import Basis
from .h3grid import cell_polygons, hex_to_cells

if TYPE_CHECKING:  # the bundle package imports the spatial core: a run-time import would close a cycle
    from ..bundle import Bundle

DISPLAY_PRECISION_DEG = 1e-5  # ≈ 1 m; 5 decimals keep the GeoJSON small
SIMPLIFY_DEG = 3e-5  # ≈ 2–3 m; invisible at city zoom, halves the vertices of official outlines


@on_baseline("geometry")
@lru_cache(maxsize=32)
def basis_geometries(bundle: Bundle, basis: Basis, display: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Ids and WGS84 geometries of every unit of a level or every cell of a resolution: for the map (`display`:
    simplified to ~2–3 m, ~1 m precision) or as the bundle holds them (GIS downloads)."""
    ids = bundle.ids(basis)
    if basis.is_h3:
        geoms = cell_polygons(hex_to_cells(ids))
    else:
        geoms = bundle.units_of(basis.level).geometry.reindex(ids).values
        if display:
            geoms = shapely.simplify(geoms, SIMPLIFY_DEG, preserve_topology=True)
    geoms = np.asarray(geoms)
    return np.asarray(ids, dtype=object), shapely.set_precision(geoms, DISPLAY_PRECISION_DEG) if display else geoms


@lru_cache(maxsize=32)
def basis_bounds(bundle: Bundle, basis: Basis) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of all units of a level or all cells of a resolution (exact geometry)."""
    _, geoms = basis_geometries(bundle, basis, display=False)
    return tuple(float(v) for v in shapely.total_bounds(geoms))


def feature_collection(ids: np.ndarray, geoms: np.ndarray) -> bytes:
    """A GeoJSON FeatureCollection (UTF-8 bytes) whose feature ids are the given string ids."""
    parts = shapely.to_geojson(geoms)
    features = ",".join(f'{{"type":"Feature","id":"{i}","properties":{{}},"geometry":{g}}}' for i, g in zip(ids, parts))
    return f'{{"type":"FeatureCollection","features":[{features}]}}'.encode()


@on_baseline("geometry")
@lru_cache(maxsize=32)
def basis_geojson(bundle: Bundle, basis: Basis) -> bytes:
    """GeoJSON of a basis for the map and the API (built once per process and basis)."""
    return feature_collection(*basis_geometries(bundle, basis))


def locate_points(bundle: Bundle, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Finest-level unit id containing each point (None where outside every unit)."""
    units = bundle.units_of(bundle.finest_level.id)
    pts = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    hit_pt, hit_unit = units.sindex.query(pts, predicate="intersects")
    out = np.full(len(pts), None, dtype=object)
    order = np.argsort(hit_pt, kind="stable")
    for p, u in zip(hit_pt[order][::-1], hit_unit[order][::-1]):  # first hit wins on shared borders
        out[p] = units.index[u]
    return out
