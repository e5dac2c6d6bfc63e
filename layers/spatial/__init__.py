"""Spatial core: H3 cells, aggregation of points and units, areal interpolation.

The names load on first use (`layers.lazy`): the bundle imports the spatial core's aggregation, and an eager face would
load routing (SciPy) and geometry with it at every start.
"""

from __future__ import annotations

from ..lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "basis": ("Basis",),
    "cover": ("cells_of_units", "dominant_unit"),
    "geometry": ("basis_bounds", "basis_geojson", "basis_geometries", "locate_points"),
    "h3grid": ("to_metric",),
    "routing": ("bundle_router",),
    "selection": ("district_of", "ids_in_district", "translate_selection"),
})
