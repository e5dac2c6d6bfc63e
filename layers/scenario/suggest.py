"""Site suggestion: the k best H3 cells for a new facility by greedy maximal coverage of unserved residents in need."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..infrastructure.access import _cell_poverty, cell_centres, child_poverty, facility_points
from ..settings import Settings
from ..spatial.basis import Basis
from ..spatial.cover import dominant_unit
from ..spatial.geometry import locate_points
from ..spatial.routing import Router, bundle_router
from ..spatial.selection import ids_in_district
from .model import Scenario
from .overlay import with_scenario

# Need weights: a cell's need = Σ_key weight × residents of the key's column(s), then × (1 + w_poverty · child poverty / 100).
NEED_COLUMNS: dict[str, tuple[str, ...]] = {
    "residents": ("pop_total",),
    "children_under_6": ("age_0_6",),
    "children_6_15": ("age_6_15",),
    "youth_15_18": ("age_15_18",),
    "older_65_plus": ("age_65_plus",),
    "migration_background": ("pop_mig_bg",),
}
POVERTY_KEY = "child_poverty"
DEFAULT_NEED: dict[str, dict[str, float]] = {
    "kita": {"children_under_6": 1.0, POVERTY_KEY: 1.0},
    "primary_school": {"children_6_15": 1.0, POVERTY_KEY: 1.0},
    "youth_club": {"children_6_15": 1.0, "youth_15_18": 1.0, POVERTY_KEY: 1.0},
    "playground": {"children_under_6": 1.0, "children_6_15": 1.0, POVERTY_KEY: 1.0},
}
DEFAULT_NEED_OTHER = {"residents": 1.0, POVERTY_KEY: 1.0}


@dataclass(frozen=True)
class SiteProposal:
    """A proposed site (H3 cell centre) and what it adds: need-weighted and plain residents newly within reach."""

    rank: int
    cell: str
    lon: float
    lat: float
    unit_id: str
    unit_name: str
    gain_need: float
    gain_residents: float

    def to_dict(self) -> dict:
        return {"rank": self.rank, "cell": self.cell, "lon": round(self.lon, 6), "lat": round(self.lat, 6), "unit_id": self.unit_id,
                "unit_name": self.unit_name, "gain_need": round(self.gain_need, 2), "gain_residents": round(self.gain_residents, 2)}


def need_weight_keys(bundle: Bundle) -> list[str]:
    """Need weights the bundle supports (UI sliders): population columns it has, and child poverty where it has the MSS."""
    cols = set(bundle.count_columns)
    keys = [k for k, c in NEED_COLUMNS.items() if set(c) <= cols]
    if not child_poverty(bundle).empty:
        keys.append(POVERTY_KEY)
    return keys


def default_need_weights(bundle: Bundle, facility_type: str) -> dict[str, float]:
    """The documented default weights of a facility type, restricted to what the bundle has."""
    keys = set(need_weight_keys(bundle))
    return {k: w for k, w in DEFAULT_NEED.get(facility_type, DEFAULT_NEED_OTHER).items() if k in keys}


def cell_need(bundle: Bundle, res: int, period: str, weights: dict[str, float]) -> pd.DataFrame:
    """Per cell at `res`: ``need`` (need-weighted persons) and ``residents``; cells in `bundle.cells(res)` order."""
    ids = bundle.cells(res)
    c = bundle.counts(Basis(res=res), period).frame.reindex(ids).fillna(0.0)
    need = np.zeros(len(ids))
    for key, w in weights.items():
        if key == POVERTY_KEY or w == 0:
            continue
        if key not in NEED_COLUMNS:
            raise KeyError(f"unknown need weight {key!r}; known: {', '.join([*NEED_COLUMNS, POVERTY_KEY])}")
        need += float(w) * c[list(NEED_COLUMNS[key])].sum(axis=1).to_numpy(dtype=float)
    wp = float(weights.get(POVERTY_KEY, 0.0))
    if wp:
        p = _cell_poverty(bundle, res).reindex(ids).to_numpy()
        need *= 1.0 + wp * np.where(np.isfinite(p), p, 0.0) / 100.0
    return pd.DataFrame({"need": need, "residents": c["pop_total"].to_numpy(dtype=float)}, index=ids)


# Facility types that already serve as one another's kind: a neighbourhood centre (Stadtteil-/Nachbarschaftszentrum) is
# a meeting place, so a new meeting place is only proposed where neither is within reach.
SERVED_BY: dict[str, tuple[str, ...]] = {"meeting_place": ("meeting_place", "community_centre")}


def serving_types(facility_type: str) -> tuple[str, ...]:
    """The facility types whose sites already serve as `facility_type` (itself, and see `SERVED_BY`)."""
    return SERVED_BY.get(facility_type, (facility_type,))


def suggest_sites(bundle: Bundle, settings: Settings, facility_type: str, k: int = 5, need_weights: dict[str, float] | None = None,
                  res: int = 9, scenario: Scenario | None = None, candidates: int | None = None, router: Router | None = None,
                  period: str | None = None, district: str | None = None) -> list[SiteProposal]:
    """Propose `k` cells for a new facility of `facility_type`: greedy maximal coverage of need not yet served.

    Parameters
    ----------
    facility_type : a facility type; its coverage distance D is the setting ``coverage_m_<type>`` (walking metres).
    need_weights : weight per key of `need_weight_keys` (default `default_need_weights`); ``child_poverty`` multiplies.
    res : H3 resolution of demand cells and candidate sites (must be built).
    scenario : proposals on top of a scenario (its residents and facilities count).
    candidates : consider only the this many candidate cells with most unserved need within reach (None: all cells).
    district : a unit of the coarsest level: sites only inside it (the need they reach may lie across its border).

    Notes
    -----
    Demand cell c has need n_c and is served when the nearest facility of the type lies within D (through the
    Router, from the cell centre). u_c = n_c·[unserved]. A candidate j covers C_j = {c : d(j, c) ≤ D}. Greedy
    (Church & ReVelle 1974): pick j maximising Σ_{c ∈ C_j, c uncovered} u_c, mark C_j covered, repeat k times.
    Ties go to the first cell in id order, so the result is deterministic.
    """
    if facility_type not in {kind.removeprefix("coverage_m_") for kind in settings.values if kind.startswith("coverage_m_")}:
        raise KeyError(f"no coverage distance for facility type {facility_type!r}")
    if res not in bundle.manifest.h3_resolutions:
        raise KeyError(f"H3 resolution {res} was not built (built: {bundle.manifest.h3_resolutions})")
    k = int(k)
    if not 1 <= k <= 50:
        raise ValueError(f"k must be between 1 and 50, got {k}")
    b = with_scenario(bundle, scenario, settings=settings)
    period = period or b.periods[-1]
    weights = dict(need_weights) if need_weights is not None else default_need_weights(b, facility_type)
    limit = float(settings.values[f"coverage_m_{facility_type}"])
    router = router or bundle_router(b, float(settings.values.get("detour_factor", 1.3)))
    ids, xy = cell_centres(b, res)
    order = np.argsort(ids, kind="stable")
    ids, xy = ids[order], xy[order]
    demand = cell_need(b, res, period, weights).reindex(ids)
    fac = facility_points(b)
    fac = fac[fac["type"].isin(serving_types(facility_type))]
    dist, _ = router.nearest(xy, fac[["x", "y"]].to_numpy(dtype=float))
    unserved = dist > limit
    u_need = demand["need"].to_numpy() * unserved
    u_res = demand["residents"].to_numpy() * unserved
    has = np.flatnonzero(u_need > 0)
    if len(has) == 0:
        return []
    cand = np.arange(len(ids))
    if district is not None:
        if district not in set(b.units_of(b.levels[0].id).index):
            raise KeyError(f"no district {district!r} (level {b.levels[0].id})")
        inside = {str(c) for c in ids_in_district(b, Basis.parse(f"h3_{res}"), district)}
        cand = cand[np.isin(ids.astype(str), list(inside))]
        if len(cand) == 0:
            return []
    i, j, _ = router.within(xy[cand], xy[has], limit)  # candidate i covers demand cell has[j]
    from scipy.sparse import csr_matrix

    cover = csr_matrix((np.ones(len(i)), (i, j)), shape=(len(cand), len(has)))
    if candidates is not None and candidates < len(cand):
        gains = cover @ u_need[has]
        keep = np.sort(np.argsort(-gains, kind="stable")[:int(candidates)])
        cand, cover = cand[keep], cover[keep]
    need_left = u_need[has].astype(float).copy()
    res_left = u_res[has].astype(float).copy()
    names = b.units_of(b.finest_level.id)["name"]
    import h3

    out: list[SiteProposal] = []
    for rank in range(1, k + 1):
        gains = cover @ need_left
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        covered = cover[best].indices
        g_res = float(res_left[covered].sum())
        cell = str(ids[cand[best]])
        lat, lon = h3.cell_to_latlng(cell)
        unit = locate_points(b, [lon], [lat])[0]
        if unit is None:  # centre just outside the outline: the unit with the largest share of the cell
            unit = dominant_unit(b, res).get(cell, "")
        out.append(SiteProposal(rank, cell, float(lon), float(lat), str(unit), str(names.get(unit, "")), float(gains[best]), g_res))
        need_left[covered] = 0.0
        res_left[covered] = 0.0
    return out


def covered_need(bundle: Bundle, settings: Settings, facility_type: str, cells: list[str], need_weights: dict[str, float] | None = None,
                 res: int = 9, period: str | None = None) -> float:
    """Need-weighted residents not yet served that new facilities at the centres of `cells` would reach (for comparisons)."""
    period = period or bundle.periods[-1]
    weights = dict(need_weights) if need_weights is not None else default_need_weights(bundle, facility_type)
    limit = float(settings.values[f"coverage_m_{facility_type}"])
    router = bundle_router(bundle, float(settings.values.get("detour_factor", 1.3)))
    ids, xy = cell_centres(bundle, res)
    demand = cell_need(bundle, res, period, weights).reindex(ids)
    fac = facility_points(bundle)
    fac = fac[fac["type"].isin(serving_types(facility_type))]
    dist, _ = router.nearest(xy, fac[["x", "y"]].to_numpy(dtype=float))
    u_need = demand["need"].to_numpy() * (dist > limit)
    pos = pd.Index(ids).get_indexer(cells)
    _, j, _ = router.within(xy[pos], xy, limit)
    return float(u_need[np.unique(j)].sum())
