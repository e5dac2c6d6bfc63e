"""Where an intervention goes: the site of a map click, of an area (unit or H3 cell), and a point inside each unit."""

from __future__ import annotations

from functools import lru_cache

import h3
import pandas as pd

from layers.bundle import Bundle
from layers.scenario import Site

from ...views import SELECTABLE_TRACES


def site_of_click(bundle: Bundle, click: dict | None) -> Site | None:
    """The site a map click gives: a facility point (lon/lat), an H3 cell or a unit (with a point inside it); None off the areas."""
    point = ((click or {}).get("points") or [{}])[0]
    if point.get("lon") is not None and point.get("curveNumber") not in SELECTABLE_TRACES:
        return Site("point", float(point["lon"]), float(point["lat"]))
    area = point.get("location")
    if area is None or point.get("curveNumber") not in SELECTABLE_TRACES:
        return None
    return area_site(bundle, str(area))


def area_site(bundle: Bundle, area: str) -> Site:
    """The site of an area id: an H3 cell at its centre, or a unit at a point inside it (no point: an unknown unit)."""
    if area not in unit_points(bundle).index and h3.is_valid_cell(area):
        lat, lon = h3.cell_to_latlng(area)
        return Site("cell", lon, lat, area)
    lon, lat = unit_point(bundle, area)
    return Site("unit", lon, lat, area) if lon is not None else Site("unit", None, None, area)


@lru_cache(maxsize=4)
def unit_points(bundle: Bundle) -> pd.DataFrame:
    """A point inside each unit (lon, lat in WGS84, 6 decimals) and its name, by unit id."""
    units = bundle.units
    pts = units.geometry.representative_point()
    return pd.DataFrame({"lon": pts.x.round(6).to_numpy(), "lat": pts.y.round(6).to_numpy(), "name": units["name"].astype(str).to_numpy()},
                        index=pd.Index(units["unit_id"].astype(str), name="unit_id"))


def unit_point(bundle: Bundle, unit_id: str) -> tuple[float | None, float | None]:
    """The point inside the unit (lon, lat), or (None, None) for an unknown unit."""
    pts = unit_points(bundle)
    if unit_id not in pts.index:
        return None, None
    return float(pts.at[unit_id, "lon"]), float(pts.at[unit_id, "lat"])


def placeholder_site(bundle: Bundle) -> Site:
    """A valid site (the first unit of the finest level) to check a form's fields before the user clicks the map."""
    return area_site(bundle, str(bundle.units_of(bundle.finest_level.id).index[0]))
