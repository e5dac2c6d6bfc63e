"""Profile of one area (e.g. a Bezirksregion): what is within reach of whom, green and play space against the standards,
and whether the area lies in a funding area or should by the MSS rule. The dashboard panel and the API both call it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..funding.areas import unit_overlap
from ..funding.mss import mss_table
from ..public_space.supply import per_resident, supply
from ..spatial.basis import Basis
from ..standards import Params
from .access import access, facility_points, facility_types, target_residents


def _level_of(bundle: Bundle, unit_id: str | None) -> str:
    if unit_id is None:
        return bundle.levels[0].id
    level = bundle.units.loc[bundle.units["unit_id"] == unit_id, "level"]
    if level.empty:
        raise KeyError(f"unknown unit {unit_id!r}")
    return str(level.iloc[0])


def _members(bundle: Bundle, unit_id: str | None) -> pd.Index:
    """Finest units inside `unit_id` (all finest units for None)."""
    finest = bundle.units_of(bundle.finest_level.id).index
    if unit_id is None:
        return finest
    level = _level_of(bundle, unit_id)
    if level == bundle.finest_level.id:
        return pd.Index([unit_id])
    anc = bundle.ancestor(level)
    return anc.index[anc.to_numpy() == unit_id]


def access_profile(bundle: Bundle, unit_id: str | None, period: str, params: Params) -> pd.DataFrame:
    """Per facility type: facilities in the area, residents and target residents, coverage (%), mean walking distance (m),
    places (where capacities exist) and need-weighted unserved target residents; whole city when `unit_id` is None."""
    finest = Basis(level=bundle.finest_level.id)
    members = _members(bundle, unit_id)
    fac = facility_points(bundle)
    rows = []
    for kind in facility_types(bundle):
        a = access(bundle, finest, period, kind, params).frame.reindex(members)
        r = a["residents"].sum()
        f = fac[(fac["type"] == kind) & fac["unit_id"].astype("string").isin(members).fillna(False).to_numpy(dtype=bool)]
        rows.append({"type": kind, "coverage_m": params.coverage(kind), "facilities": len(f),
                     "capacity": float(f["capacity"].sum()) if f["capacity"].notna().any() else np.nan,
                     "residents": r, "target": a["target"].sum(), "covered_pct": 100 * a["covered"].sum() / r if r > 0 else np.nan,
                     "covered_target_pct": 100 * a["covered_target"].sum() / a["target"].sum() if a["target"].sum() > 0 else np.nan,
                     "mean_dist_m": float((a["dist_m"] * a["residents"]).sum() / r) if r > 0 else np.nan,
                     "unserved_need": a["unserved_need"].sum()})
    return pd.DataFrame(rows)




def space_profile(bundle: Bundle, unit_id: str | None, period: str, params: Params) -> dict:
    """Green and net play area (m²), residents, m² per resident and the share of the standards reached (%)."""
    a, _ = supply(bundle, Basis(level=bundle.finest_level.id), period)
    a = a.reindex(_members(bundle, unit_id)).fillna(0.0)
    residents = float(a["residents"].sum())
    green = float(per_resident(np.array([a["park_m2"].sum()]), np.array([residents]))[0])
    play = float(per_resident(np.array([a["play_net_m2"].sum()]), np.array([residents]))[0])
    return {"residents": residents, "park_m2": float(a["park_m2"].sum()), "play_net_m2": float(a["play_net_m2"].sum()),
            "playgrounds_without_net_area": int(a["play_no_net"].sum()),
            "green_m2_per_resident": green, "play_m2_per_resident": play,
            "green_guideline_m2": params.green_guideline_m2, "play_standard_m2": params.playground_standard_m2,
            "green_pct_of_guideline": 100 * green / params.green_guideline_m2 if np.isfinite(green) else None,
            "play_pct_of_standard": 100 * play / params.playground_standard_m2 if np.isfinite(play) else None}


def funding_profile(bundle: Bundle, unit_id: str | None, period: str, params: Params) -> dict:
    """Funded share of the area, the funding areas touching it, and its finest units by attention need and funding."""
    members = _members(bundle, unit_id)
    finest = bundle.finest_level.id
    ov = unit_overlap(bundle, finest).reindex(members)
    mss = mss_table(bundle).reindex(members)
    pop = bundle.counts(Basis(level=finest), period).frame["pop_total"].reindex(members).fillna(0.0)
    units = bundle.units_of(finest)
    area = units.geometry.reindex(members).to_crs("EPSG:3035").area
    funded_m2 = float((ov["funded_share"] * area).sum())
    funded = ov["funded_share"] >= params.funding_min_overlap
    need = mss["attention"] == 1
    areas = sorted({a for s in ov["areas"] for a in s.split("; ") if a})
    return {"funded_share_pct": 100 * funded_m2 / float(area.sum()) if area.sum() > 0 else 0.0, "funding_areas": areas,
            "units": len(members), "units_with_status": int(mss["status"].notna().sum()),
            "units_need": int(need.sum()), "units_need_funded": int((need & funded).sum()),
            "units_need_not_funded": int((need & ~funded).sum()),
            "residents_need_not_funded": float(pop[need & ~funded].sum()),
            "need_not_funded": [f"{units.at[u, 'name']} ({u})" for u in members[(need & ~funded).to_numpy()]]}


__all__ = ["access_profile", "funding_profile", "space_profile", "target_residents"]
