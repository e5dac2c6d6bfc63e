"""Spatial core: H3 cells, aggregation of points and units, areal interpolation."""

from __future__ import annotations

from .basis import Basis
from .geometry import basis_bounds, basis_geojson, basis_geometries, locate_points
from .h3grid import to_metric
from .routing import bundle_router
from .selection import district_of, ids_in_district, translate_selection

__all__ = [
    "Basis", "basis_bounds", "basis_geojson", "basis_geometries", "bundle_router", "district_of", "ids_in_district",
    "locate_points", "to_metric", "translate_selection"
]
