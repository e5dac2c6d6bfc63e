"""H3 cells covering a city and exact areal weights between units and cells.

Convention: every resolution is indexed directly (points get `latlng_to_cell` at each resolution; cells
covering the city are found per resolution). We never roll up from a finer resolution, because H3 is not
strictly nested: about 7 % of points fall in a res-9 cell that is not the parent of their res-10 cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyproj import Transformer

METRIC_CRS = "EPSG:3035"  # ETRS89-LAEA Europe: equal-area, valid for every German city
_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


def to_metric(geoms: np.ndarray) -> np.ndarray:
    """Project WGS84 shapely geometries to the equal-area CRS (metres)."""
    return shapely.transform(geoms, lambda xy: np.column_stack(_TO_METRIC.transform(xy[:, 0], xy[:, 1])))


def cells_to_hex(cells: np.ndarray) -> np.ndarray:
    """uint64 H3 indexes to their canonical lower-case hex strings (JavaScript-safe ids)."""
    return np.array([format(int(c), "x") for c in cells], dtype=object)


def hex_to_cells(ids) -> np.ndarray:
    """Hex strings to uint64 H3 indexes."""
    # as Python objects first: stepping through an Arrow-backed index one element at a time costs ~1 µs each
    return np.array([int(i, 16) for i in np.asarray(ids, dtype=object)], dtype=np.uint64)


def points_to_cells(lat: np.ndarray, lon: np.ndarray, res: int) -> np.ndarray:
    """H3 cell (uint64) of every point at resolution `res` (vectorised, h3ronpy)."""
    from h3ronpy.vector import coordinates_to_cells

    cells = coordinates_to_cells(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float), res)
    return np.asarray(pa.array(cells).to_numpy(zero_copy_only=False), dtype=np.uint64)


def cell_polygons(cells: np.ndarray) -> np.ndarray:
    """Hexagon polygons (WGS84 shapely) of uint64 cells."""
    from h3ronpy.vector import cells_to_wkb_polygons

    wkb = pa.array(cells_to_wkb_polygons(pa.array(cells, type=pa.uint64()))).to_numpy(zero_copy_only=False)
    return shapely.from_wkb(wkb)


def areal_weights(unit_ids: np.ndarray, geoms: np.ndarray, res: int) -> pd.DataFrame:
    """Exact areal weights between units and the H3 cells that touch them.

    Parameters
    ----------
    unit_ids : array of str, the units (one level, non-overlapping).
    geoms : array of WGS84 (Multi)Polygons, same order.
    res : H3 resolution.

    Returns
    -------
    DataFrame with columns ``unit_id``, ``cell`` (hex str), ``area_m2`` (area of unit ∩ cell, m²,
    equal-area projection), ``unit_share`` (area_m2 / Σ area_m2 of the unit: sums to exactly 1 per unit,
    so areal interpolation conserves totals) and ``cell_share`` (area_m2 / Σ area_m2 of the cell within
    the city: sums to 1 per cell, used to take cell values back to units).
    """
    from h3ronpy.vector import ContainmentMode, wkb_to_cells

    lists = pa.array(wkb_to_cells(pa.array(shapely.to_wkb(geoms)), res, containment_mode=ContainmentMode.IntersectsBoundary))
    cells = np.asarray(pc.list_flatten(lists).to_numpy(zero_copy_only=False), dtype=np.uint64)
    owner = np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False))
    hexes = to_metric(cell_polygons(cells))
    area = shapely.area(shapely.intersection(hexes, to_metric(np.asarray(geoms))[owner]))
    df = pd.DataFrame({"unit_id": np.asarray(unit_ids, dtype=object)[owner], "cell": cells_to_hex(cells), "area_m2": area})
    df = df[df["area_m2"] > 0.01].reset_index(drop=True)
    # A unit smaller than every intersecting cell keeps its centroid cell so no unit is lost.
    missing = set(unit_ids) - set(df["unit_id"])
    if missing:
        idx = [i for i, u in enumerate(unit_ids) if u in missing]
        cen = shapely.centroid(np.asarray(geoms)[idx])
        extra = points_to_cells(shapely.get_y(cen), shapely.get_x(cen), res)
        df = pd.concat([df, pd.DataFrame({"unit_id": np.asarray(unit_ids, dtype=object)[idx], "cell": cells_to_hex(extra),
                                          "area_m2": shapely.area(to_metric(np.asarray(geoms)[idx]))})], ignore_index=True)
    df["unit_share"] = df["area_m2"] / df.groupby("unit_id")["area_m2"].transform("sum")
    df["cell_share"] = df["area_m2"] / df.groupby("cell")["area_m2"].transform("sum")
    return df
