"""What lies in or around one area (a unit or an H3 cell): its geometry, facilities and funding areas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .bundle import Bundle
from .spatial.basis import Basis
from .spatial.h3grid import cell_polygons, hex_to_cells, to_metric

SERVE_RADIUS_M = 500  # facilities "serving" an area: inside it or within this straight-line distance of its edge


def area_geometry(bundle: Bundle, basis: Basis, area_id: str) -> shapely.Geometry:
    """WGS84 polygon of a unit or a cell; KeyError for an unknown id."""
    if basis.is_h3:
        if area_id not in set(bundle.cells(basis.res)):
            raise KeyError(f"cell {area_id!r} is not in the city at resolution {basis.res}")
        return cell_polygons(hex_to_cells([area_id]))[0]
    return bundle.units_of(basis.level).loc[area_id, "geometry"]


def facilities_near(bundle: Bundle, basis: Basis, area_id: str, radius_m: float = SERVE_RADIUS_M) -> pd.DataFrame:
    """Facilities inside the area or within `radius_m` of it: id, type, name, capacity, distance_m (0 inside), sorted by type and distance."""
    if not bundle.has("facilities"):
        return pd.DataFrame(columns=["facility_id", "type", "name", "capacity", "distance_m"])
    fac = bundle.table("facilities")
    area = to_metric(np.array([area_geometry(bundle, basis, area_id)]))[0]
    points = to_metric(fac.geometry.values)
    distance = shapely.distance(area, points)
    near = fac.loc[distance <= radius_m, ["facility_id", "type", "name", "capacity"]].copy()
    near["distance_m"] = distance[distance <= radius_m].round()
    return pd.DataFrame(near).sort_values(["type", "distance_m", "name"]).reset_index(drop=True)


def funding_areas_of(bundle: Bundle, basis: Basis, area_id: str) -> pd.DataFrame:
    """Funding areas that overlap the area by more than a sliver (1 % of the area): id, programme, name, share of the area in it."""
    if not bundle.has("funding_areas"):
        return pd.DataFrame(columns=["area_id", "programme", "name", "share"])
    funding: gpd.GeoDataFrame = bundle.table("funding_areas")
    area = to_metric(np.array([area_geometry(bundle, basis, area_id)]))[0]
    overlap = shapely.area(shapely.intersection(area, to_metric(funding.geometry.values))) / area.area
    hit = overlap > 0.01
    out = pd.DataFrame(funding.loc[hit, ["area_id", "programme", "name"]])
    out["share"] = overlap[hit].round(3)
    return out.sort_values("share", ascending=False).reset_index(drop=True)
