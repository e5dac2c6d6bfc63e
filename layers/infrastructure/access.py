"""Walking access to social infrastructure: nearest facility per type, coverage, capacity and need-weighted gaps.

All distances come from a `Router` (default: straight line × detour factor via a KD-tree, never all pairs).
H3 cells are measured from their centre. Administrative units get resident-weighted means over origin
pieces: the address points of a point-based bundle, otherwise the pieces unit ∩ finest H3 cell with the
unit's residents spread by area (the same areal weights as the interpolation of counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..bundle.schema import FACILITY_TYPES
from ..bundle.static import on_baseline
from ..spatial.basis import Basis
from ..spatial.h3grid import cells_to_hex, hex_to_cells, points_to_cells
from ..spatial.routing import Router, cell_centres_xy, to_metric_xy
from ..standards import Params

TYPE_TITLES: dict[str, tuple[str, str]] = {
    "kita": ("Kita", "Kita"), "primary_school": ("Grundschule", "Primary school"),
    "secondary_school": ("Weiterführende Schule", "Secondary school"), "school_other": ("Sonstige Schule", "Other school"),
    "youth_club": ("Jugendfreizeiteinrichtung", "Youth club"), "library": ("Bibliothek", "Library"),
    "community_centre": ("Stadtteil-/Nachbarschaftszentrum", "Community centre"), "meeting_place": ("Treffpunkt", "Meeting place"),
    "place_of_worship": ("Religiöse Einrichtung", "Place of worship"), "sports": ("Sportanlage", "Sports centre"),
    "playground": ("Spielplatz", "Playground"), "park": ("Park", "Park"), "health": ("Arztpraxis/Apotheke", "Doctor/pharmacy"),
    "transit_stop": ("Haltestelle (ÖPNV)", "Public-transport stop"), "shop": ("Nahversorgung (Supermarkt, Markt)", "Shop (supermarket, market)"),
}
# Residents a facility type is for (age-band columns; None = all residents): the target group of
# capacity per resident and of the gap view.
TARGET_GROUPS: dict[str, tuple[str, ...] | None] = {
    "kita": ("age_0_6",), "primary_school": ("age_6_15",), "secondary_school": ("age_6_15", "age_15_18"),
    "school_other": ("age_6_15", "age_15_18", "age_18_27"), "youth_club": ("age_6_15", "age_15_18"),
    "playground": ("age_0_6", "age_6_15"),
}
TARGET_TITLES: dict[str, tuple[str, str]] = {
    "kita": ("Kinder unter 6", "children under 6"), "primary_school": ("6- bis unter 15-Jährige", "residents aged 6 to under 15"),
    "secondary_school": ("6- bis unter 18-Jährige", "residents aged 6 to under 18"),
    "school_other": ("6- bis unter 27-Jährige", "residents aged 6 to under 27"),
    "youth_club": ("6- bis unter 18-Jährige", "residents aged 6 to under 18"),
    "playground": ("Kinder unter 15", "children under 15"),
}
CHILD_POVERTY = "mss_child_poverty_pct"


def type_title(kind: str, lang: str) -> str:
    de, en = TYPE_TITLES.get(kind, (kind, kind))
    return de if lang == "de" else en


def target_title(kind: str, lang: str) -> str:
    de, en = TARGET_TITLES.get(kind, ("Einwohner/innen", "residents"))
    return de if lang == "de" else en


# --- facilities ---------------------------------------------------------------------------------

@on_baseline("facilities")
@lru_cache(maxsize=8)
def facility_points(bundle: Bundle) -> pd.DataFrame:
    """Facilities as a plain frame: id, type, name, capacity, provider, unit_id, lon/lat (WGS84) and x/y (EPSG:3035 m).

    Cached per bundle; do not modify the returned frame.
    """
    cols = ["facility_id", "type", "name", "capacity", "provider", "unit_id", "lon", "lat", "x", "y"]
    if not bundle.has("facilities"):
        return pd.DataFrame(columns=cols)
    f = bundle.table("facilities")
    lon, lat = f.geometry.x.to_numpy(), f.geometry.y.to_numpy()
    xy = to_metric_xy(lon, lat)
    get = lambda c: f[c].to_numpy() if c in f.columns else pd.NA  # noqa: E731
    out = pd.DataFrame({"facility_id": f["facility_id"].astype(str).to_numpy(), "type": f["type"].astype(str).to_numpy(),
                        "name": get("name"), "capacity": pd.array(get("capacity") if "capacity" in f.columns else [pd.NA] * len(f),
                                                                   dtype="Float64"),
                        "provider": get("provider"), "unit_id": get("unit_id"), "lon": lon, "lat": lat, "x": xy[:, 0], "y": xy[:, 1]})
    return out[cols]


def facility_types(bundle: Bundle) -> list[str]:
    """Facility types the bundle has, in schema order."""
    present = set(facility_points(bundle)["type"].unique())  # not element by element: 16,000 Arrow strings took 20 ms
    return [t for t in FACILITY_TYPES if t in present]


def capacity_types(bundle: Bundle) -> list[str]:
    """Facility types with at least one stated capacity (Berlin: Kitas and youth clubs)."""
    f = facility_points(bundle)
    has = f.loc[f["capacity"].notna(), "type"]
    return [t for t in FACILITY_TYPES if t in set(has.unique())]


# --- nearest distances --------------------------------------------------------------------------

def nearest_by_type(origins_xy: np.ndarray, facilities: pd.DataFrame, types: list[str], router: Router) -> pd.DataFrame:
    """Walking distance (m) from every origin to the nearest facility of each type (one router query per type).

    Parameters
    ----------
    origins_xy : (n, 2) EPSG:3035 metres.
    facilities : frame with columns ``type``, ``x``, ``y`` (EPSG:3035 metres).
    types : facility types, one output column each (inf where the bundle has none of the type).

    Examples
    --------
    >>> from layers.spatial.routing import StraightLineRouter
    >>> fac = pd.DataFrame({"type": ["kita", "kita"], "x": [0.0, 1000.0], "y": [0.0, 0.0]})
    >>> nearest_by_type(np.array([[300.0, 400.0]]), fac, ["kita"], StraightLineRouter(1.0))["kita"].tolist()
    [500.0]
    """
    out = {}
    for kind in types:
        sub = facilities[facilities["type"] == kind]
        dist, _ = router.nearest(origins_xy, sub[["x", "y"]].to_numpy(dtype=float))
        out[kind] = dist
    return pd.DataFrame(out, columns=types)


@on_baseline("cells")
@lru_cache(maxsize=16)
def cell_centres(bundle: Bundle, res: int) -> tuple[np.ndarray, np.ndarray]:
    """(hex ids, (n, 2) EPSG:3035 centres) of every cell covering the city at `res`."""
    cells = bundle.cells(res)
    return cells, cell_centres_xy(hex_to_cells(cells))


@on_baseline("cells", "facilities")
@lru_cache(maxsize=16)
def cell_distances(bundle: Bundle, res: int, params: Params) -> pd.DataFrame:
    """Walking distance (m) from the centre of every cell at `res` to the nearest facility of each type (cached)."""
    cells, xy = cell_centres(bundle, res)
    frame = nearest_by_type(xy, facility_points(bundle), facility_types(bundle), params.router(bundle))
    frame.index = pd.Index(cells, name="cell")
    return frame


@dataclass(frozen=True)
class Pieces:
    """Origins of the unit-level measures: residents per piece (count columns), finest unit, distances per type."""

    counts: pd.DataFrame
    unit_id: np.ndarray
    dist: pd.DataFrame
    cell: np.ndarray  # finest H3 cell (hex) of each piece, for need weights and capacity


@lru_cache(maxsize=16)
def pieces(bundle: Bundle, period: str, params: Params) -> Pieces:
    """Address points (point-based bundles) or unit ∩ cell pieces at the finest H3 resolution, with distances."""
    res = max(bundle.manifest.h3_resolutions)
    cols = bundle.count_columns
    if bundle.point_based:
        pts = bundle.table("population_points")
        pts = pts[pts["period"] == pd.Timestamp(period)].reset_index(drop=True)
        xy = to_metric_xy(pts["lon"].to_numpy(), pts["lat"].to_numpy())
        dist = nearest_by_type(xy, facility_points(bundle), facility_types(bundle), params.router(bundle))
        cells = cells_to_hex(points_to_cells(pts["lat"].to_numpy(), pts["lon"].to_numpy(), res))
        return Pieces(pts[cols].astype(float).reset_index(drop=True), pts["unit_id"].astype(str).to_numpy(), dist, cells)
    finest = bundle.counts(Basis(level=bundle.finest_level.id), period).frame
    p = bundle.interpolation(res).pieces(finest[cols])
    dist = cell_distances(bundle, res, params).reindex(p["cell"]).reset_index(drop=True)
    return Pieces(p[cols], p["unit_id"].astype(str).to_numpy(), dist, p["cell"].to_numpy())


# --- need and target groups ---------------------------------------------------------------------

def target_residents(counts: pd.DataFrame, kind: str) -> pd.Series:
    """Residents of a facility type's target group (persons); all residents where the type has none or the columns are missing."""
    cols = TARGET_GROUPS.get(kind)
    if cols and all(c in counts.columns for c in cols):
        return counts[list(cols)].sum(axis=1)
    return counts["pop_total"]


@on_baseline("indicators")
@lru_cache(maxsize=8)
def child_poverty(bundle: Bundle) -> pd.Series:
    """Child poverty (% of under-15s in transfer receipt, MSS) per finest unit at its latest period; empty where absent."""
    if not bundle.has("indicators"):
        return pd.Series(dtype=float)
    ind = bundle.table("indicators")
    ind = ind[ind["indicator"] == CHILD_POVERTY].dropna(subset=["value"])
    if ind.empty:
        return pd.Series(dtype=float)
    ind = ind[ind["period"] == ind["period"].max()]
    return ind.set_index(ind["unit_id"].astype(str))["value"].astype(float)


def need_weight(poverty_pct: np.ndarray) -> np.ndarray:
    """Need weight w = 1 + child poverty / 100 (1 where unknown): an unserved child in a unit with 40 % child poverty counts 1.4.

    >>> need_weight(np.array([40.0, np.nan])).tolist()
    [1.4, 1.0]
    """
    p = np.asarray(poverty_pct, dtype=float)
    return 1.0 + np.where(np.isfinite(p), p, 0.0) / 100.0


def _cell_poverty(bundle: Bundle, res: int) -> pd.Series:
    """Child poverty per cell: area-weighted mean of the units covering the cell (cell_share), NaN where no unit has a value."""
    poverty = bundle.interpolation(res).cell_mean(child_poverty(bundle).to_frame("pct"))["pct"]
    return poverty.reindex(bundle.cells(res))


# --- per-area measures --------------------------------------------------------------------------

@dataclass(frozen=True)
class Access:
    """One facility type on one basis and period; every frame is indexed by the basis' ids.

    dist_m: distance of the cell centre, or the resident-weighted mean over a unit's pieces (walking m);
    residents, target, covered, covered_target (persons); unserved_need (need-weighted unserved target residents);
    capacity (places of the type's facilities located in the area); interpolated_from as in `Counts`.
    """

    kind: str
    frame: pd.DataFrame
    interpolated_from: str | None


def access(bundle: Bundle, basis: Basis, period: str, kind: str, params: Params) -> Access:
    """Distance, coverage, capacity and need-weighted gap of facility type `kind` per area.

    Notes
    -----
    Per origin o (cell centre, address point or unit ∩ cell piece) with residents r_o, target residents
    t_o and distance d_o to the nearest facility of the type: covered_o = r_o·[d_o ≤ D], unserved need
    = t_o·[d_o > D]·(1 + p_o/100) with p_o the child poverty (%) of its unit. Units sum over their pieces;
    dist_m of a unit = Σ r_o d_o / Σ r_o.
    """
    ids = bundle.ids(basis)
    limit = params.coverage(kind)
    fac = facility_points(bundle)
    fac = fac[(fac["type"] == kind)]
    if basis.is_h3:
        counts = bundle.counts(basis, period)
        c = counts.frame.reindex(ids).fillna(0.0)
        dist = cell_distances(bundle, basis.res, params)
        d = dist[kind].reindex(ids).to_numpy() if kind in dist.columns else np.full(len(ids), np.inf)
        r, t = c["pop_total"].to_numpy(dtype=float), target_residents(c, kind).to_numpy(dtype=float)
        inside = d <= limit
        weight = need_weight(_cell_poverty(bundle, basis.res).reindex(ids).to_numpy())
        cap_cells = cells_to_hex(points_to_cells(fac["lat"].to_numpy(), fac["lon"].to_numpy(), basis.res)) if len(fac) else np.array([])
        capacity = pd.Series(fac["capacity"].to_numpy(dtype=float, na_value=np.nan)).groupby(cap_cells).sum(min_count=1)
        frame = pd.DataFrame({"dist_m": d, "residents": r, "target": t, "covered": r * inside, "covered_target": t * inside,
                              "unserved_need": t * ~inside * weight}, index=ids)
        frame["capacity"] = capacity.reindex(ids).to_numpy()
        return Access(kind, frame, counts.interpolated_from)
    p = pieces(bundle, period, params)
    level = basis.level
    to_level = pd.Series(p.unit_id).map(bundle.ancestor(level)).to_numpy() if level != bundle.finest_level.id else p.unit_id
    d = p.dist[kind].to_numpy() if kind in p.dist.columns else np.full(len(p.unit_id), np.inf)
    r, t = p.counts["pop_total"].to_numpy(dtype=float), target_residents(p.counts, kind).to_numpy(dtype=float)
    inside = d <= limit
    weight = need_weight(child_poverty(bundle).reindex(p.unit_id).to_numpy())
    finite = np.isfinite(d)
    df = pd.DataFrame({"rd": np.where(finite, r * d, 0.0), "rf": r * finite, "d": np.where(finite, d, 0.0), "n": finite.astype(float),
                       "residents": r, "target": t, "covered": r * inside, "covered_target": t * inside,
                       "unserved_need": t * ~inside * weight})
    g = df.groupby(to_level).sum().reindex(ids)
    mean_d = np.where(g["rf"] > 0, g["rd"] / g["rf"].where(g["rf"] > 0), g["d"] / g["n"].where(g["n"] > 0))
    frame = g[["residents", "target", "covered", "covered_target", "unserved_need"]].fillna(0.0)
    frame.insert(0, "dist_m", mean_d)
    units = fac["unit_id"].astype("string")
    fac_level = units.map(bundle.ancestor(level)) if level != bundle.finest_level.id else units
    capacity = pd.Series(fac["capacity"].to_numpy(dtype=float, na_value=np.nan)).groupby(fac_level.to_numpy()).sum(min_count=1)
    frame["capacity"] = capacity.reindex(ids).to_numpy()
    return Access(kind, frame, None)


@on_baseline("cells", "facilities", h3_only=True)
@lru_cache(maxsize=32)
def distance_notes(bundle: Bundle, basis: Basis, period: str, params: Params, types: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Hover line per area: walking distance to the nearest facility of each type (units: mean over residents; cached)."""
    types = list(types or facility_types(bundle))
    ids = bundle.ids(basis)
    if basis.is_h3:
        dist = cell_distances(bundle, basis.res, params).reindex(ids)
    else:
        dist = pd.DataFrame({k: access(bundle, basis, period, k, params).frame["dist_m"] for k in types}, index=ids)
    out = {}
    for lang, head in (("de", "Nächste Einrichtung (Fußweg)"), ("en", "Nearest facility (walking)")):
        parts = [type_title(k, lang) + " " + dist[k].map(lambda v: "–" if not np.isfinite(v) else f"{v:,.0f} m") for k in types]
        if lang == "de":
            parts = [s.str.replace(",", ".") for s in parts]
        joined = parts[0]
        for i, s in enumerate(parts[1:], start=1):
            joined = joined + np.where(i % 4 == 0, "<br>", " · ") + s
        out[lang] = head + ":<br>" + joined
    return pd.DataFrame(out, index=ids)
