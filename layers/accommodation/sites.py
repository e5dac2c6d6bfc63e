"""Accommodation sites: which are open on a Stichtag, and their places per area of any basis.

Sites are internal planning data (BRIEF §6): every layer built on them is marked ``internal`` and never reaches the
public portal.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..spatial.basis import Basis
from ..spatial.geometry import locate_points
from ..spatial.h3grid import cells_to_hex, points_to_cells
from ..spatial.routing import to_metric_xy

TYPE_TITLES: dict[str, tuple[str, str]] = {
    "erstaufnahme": ("Erstaufnahmeeinrichtung", "Initial reception centre"),
    "gemeinschaftsunterkunft": ("Gemeinschaftsunterkunft", "Shared accommodation"),
    "modulare_unterkunft": ("Modulare Unterkunft", "Modular accommodation"),
    "wohnungen": ("Wohnungen", "Flats"),
}
COLUMNS = ["site_id", "type", "name", "capacity", "occupancy", "opened", "closed", "provider", "unit_id", "lon", "lat", "x", "y"]


def type_title(kind: str, lang: str) -> str:
    """The accommodation type in the UI's language."""
    de, en = TYPE_TITLES.get(kind, (kind, kind))
    return de if lang == "de" else en


def has_sites(bundle: Bundle) -> bool:
    """True when the bundle has an accommodation table (Berlin's open data has none)."""
    return bundle.has("accommodation")


@lru_cache(maxsize=8)
def site_points(bundle: Bundle) -> pd.DataFrame:
    """Every accommodation site as a plain frame (cached per bundle; do not modify).

    Returns
    -------
    DataFrame with ``site_id``, ``type``, ``name``, ``capacity`` and ``occupancy`` (persons; occupancy NaN where not
    stated), ``opened``/``closed`` (datetime64; closed NaT while open), ``provider``, ``unit_id`` (finest unit; located
    by point-in-polygon where the table leaves it empty), ``lon``/``lat`` (WGS84 degrees) and ``x``/``y`` (EPSG:3035 m).
    """
    if not has_sites(bundle):
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("capacity", "occupancy", "lon", "lat", "x", "y") else "object")
                             for c in COLUMNS})
    t = bundle.table("accommodation")
    lon, lat = t.geometry.x.to_numpy(), t.geometry.y.to_numpy()
    xy = to_metric_xy(lon, lat)
    get = lambda c: t[c].to_numpy() if c in t.columns else np.full(len(t), None, dtype=object)  # noqa: E731
    unit = pd.Series(get("unit_id"), dtype=object)
    missing = unit.isna().to_numpy()
    if missing.any():
        unit[missing] = locate_points(bundle, lon[missing], lat[missing])
    out = pd.DataFrame({
        "site_id": t["site_id"].astype(str).to_numpy(), "type": t["type"].astype(str).to_numpy(), "name": get("name"),
        "capacity": pd.to_numeric(t["capacity"]).astype(float).to_numpy(),
        "occupancy": pd.to_numeric(pd.Series(get("occupancy")), errors="coerce").astype(float).to_numpy(),
        "opened": pd.to_datetime(t["opened"]).to_numpy(),
        "closed": pd.to_datetime(pd.Series(get("closed"))).to_numpy(),
        "provider": get("provider"), "unit_id": unit.to_numpy(), "lon": lon, "lat": lat, "x": xy[:, 0], "y": xy[:, 1]})
    return out[COLUMNS]


def open_at(bundle: Bundle, period: str) -> pd.DataFrame:
    """Sites open on the Stichtag `period` (ISO date): opened on or before it and not closed by then.

    Examples
    --------
    A site opened 2016-03-01 and closed 2024-06-30 is open on 2023-12-31 and not on 2024-12-31.
    """
    sites = site_points(bundle)
    day = pd.Timestamp(period)
    keep = (sites["opened"] <= day) & (sites["closed"].isna() | (sites["closed"] > day))
    return sites[keep.to_numpy(dtype=bool)]


def area_keys(bundle: Bundle, basis: Basis, sites: pd.DataFrame) -> np.ndarray:
    """The id of the unit or H3 cell of `basis` each site lies in (None outside the city)."""
    if basis.is_h3:
        if len(sites) == 0:
            return np.array([], dtype=object)
        return cells_to_hex(points_to_cells(sites["lat"].to_numpy(dtype=float), sites["lon"].to_numpy(dtype=float), basis.res))
    finest = sites["unit_id"].to_numpy(dtype=object)
    if basis.level == bundle.finest_level.id:
        return finest
    return bundle.ancestor(basis.level).reindex(finest).to_numpy(dtype=object)


def places_on(bundle: Bundle, basis: Basis, period: str, large_from: float, kind: str | None = None) -> pd.DataFrame:
    """Places, occupancy and sites per area of `basis` on `period`, every area of the basis (0 where none).

    Parameters
    ----------
    large_from : a site with at least this many places counts as large (persons).
    kind : only sites of this accommodation type (None: all).

    Returns
    -------
    DataFrame indexed by area id with ``places`` (persons), ``large_places`` (places in large sites), ``occupancy``
    (persons stated as living there; NaN for an area whose sites state none) and ``sites`` (count).
    """
    ids = bundle.ids(basis)
    sites = open_at(bundle, period)
    if kind is not None:
        sites = sites[sites["type"] == kind]
    keys = area_keys(bundle, basis, sites)
    frame = pd.DataFrame({"key": keys, "places": sites["capacity"].to_numpy(dtype=float),
                          "large_places": np.where(sites["capacity"].to_numpy(dtype=float) >= large_from, sites["capacity"], 0.0),
                          "occupancy": sites["occupancy"].to_numpy(dtype=float), "sites": 1.0}).dropna(subset=["key"])
    grouped = frame.groupby("key").agg(places=("places", "sum"), large_places=("large_places", "sum"),
                                       occupancy=("occupancy", lambda s: s.sum(min_count=1)), sites=("sites", "sum"))
    out = grouped.reindex(ids)
    out[["places", "large_places", "sites"]] = out[["places", "large_places", "sites"]].fillna(0.0)
    return out
