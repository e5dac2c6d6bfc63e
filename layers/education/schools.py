"""Primary-school catchments (Einschulbereiche): children 6–12 living in each, pupils, Startchancen schools, composition."""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from ..bundle import Bundle
from ..bundle.static import on_baseline
from ..spatial.basis import Basis
from ..spatial.h3grid import hex_to_cells, to_metric

SCHOOL_BAND, SCHOOL_MIG = "age_6_15", "mig_bg_age_6_15"
PRIMARY_SHARE_OF_6_15 = 6 / 9  # primary school: 6 of the 9 single years of the band [6, 15), equal cohorts assumed
PRIMARY = "primary_school"
PRIVATE = "privat|freie? "  # providers of schools without a catchment (private schools), matched in lower case


def catchments(bundle: Bundle) -> gpd.GeoDataFrame:
    """Primary-school catchments indexed by catchment id (empty when the bundle has none)."""
    if not bundle.has("catchments"):
        return gpd.GeoDataFrame({"kind": [], "name": [], "facility_id": []}, geometry=[], crs="EPSG:4326")
    c = bundle.table("catchments")
    c = c[c["kind"] == PRIMARY].set_index("catchment_id")
    if "facility_id" not in c:
        c = c.assign(facility_id=pd.NA)
    return c


@on_baseline("catchments", "units")
@lru_cache(maxsize=8)
def catchment_weights(bundle: Bundle) -> pd.DataFrame:
    """Areal weights finest unit → catchment: ``unit_id``, ``catchment_id``, ``unit_share`` = |u ∩ c| / |u| (equal-area CRS).

    A unit's shares sum to 1 where catchments cover it completely, less where it reaches beyond them.
    """
    c = catchments(bundle)
    units = bundle.units_of(bundle.finest_level.id)
    if c.empty:
        return pd.DataFrame({"unit_id": [], "catchment_id": [], "unit_share": []})
    ug, cg = to_metric(units.geometry.to_numpy()), to_metric(c.geometry.to_numpy())
    ui, ci = shapely.STRtree(cg).query(ug, predicate="intersects")
    area = shapely.area(shapely.intersection(ug[ui], cg[ci]))
    w = pd.DataFrame({"unit_id": units.index.to_numpy()[ui], "catchment_id": c.index.to_numpy()[ci], "unit_share": area / shapely.area(ug[ui])})
    return w[w["unit_share"] > 1e-6].reset_index(drop=True)


@on_baseline("facilities", "catchments")
@lru_cache(maxsize=8)
def school_catchment(bundle: Bundle) -> pd.Series:
    """Primary school facility id → the catchment it serves (the catchment's ``facility_id``, else the one it lies in)."""
    c = catchments(bundle)
    if c.empty or not bundle.has("facilities"):
        return pd.Series(dtype=object)
    fac = bundle.table("facilities")
    schools = fac[(fac["type"] == PRIMARY) & ~fac["provider"].fillna("").str.lower().str.contains(PRIVATE)]
    linked = c["facility_id"].dropna()
    out = pd.Series(linked.index.to_numpy(), index=linked.astype(str).to_numpy(), dtype=object)
    rest = schools[~schools["facility_id"].isin(out.index)]
    if len(rest):
        joined = gpd.sjoin(rest[["facility_id", "geometry"]], c.reset_index()[["catchment_id", "geometry"]], how="inner", predicate="within")
        joined = joined.drop_duplicates("facility_id")
        out = pd.concat([out, pd.Series(joined["catchment_id"].to_numpy(), index=joined["facility_id"].astype(str).to_numpy(), dtype=object)])
    return out


def catchment_table(bundle: Bundle, period: str) -> pd.DataFrame:
    """Per catchment: children 6–12 and with migration background (interpolated), primary schools, pupils, Startchancen.

    Columns: ``name``, ``children_6_15``, ``children_6_12``, ``mig_6_12``, ``share_mig_pct`` (share of children with
    migration background in the band, %), ``schools`` (count), ``pupils`` (sum of the schools' pupils, NaN where none
    is known), ``startchancen`` (number of schools in the programme), ``school_ids`` (list).

    Notes
    -----
    children_c = Σ_u w_uc · age_6_15_u · 6/9 (areal weighting of finest units; the 6–15 band split by single years,
    equal cohorts assumed). The share of children with migration background aged 6–12 is taken as that of 6–15.
    """
    c = catchments(bundle)
    if c.empty:
        return pd.DataFrame(columns=["name", "children_6_15", "children_6_12", "mig_6_12", "share_mig_pct", "schools", "pupils",
                                     "startchancen", "school_ids"])
    finest = bundle.counts(_finest(bundle), period).frame
    cols = [col for col in (SCHOOL_BAND, SCHOOL_MIG) if col in finest.columns]
    w = catchment_weights(bundle)
    vals = finest.reindex(w["unit_id"])[cols].to_numpy(dtype=float) * w["unit_share"].to_numpy()[:, None] if cols else np.zeros((len(w), 0))
    per = pd.DataFrame(vals, columns=cols).groupby(w["catchment_id"].to_numpy()).sum().reindex(c.index, fill_value=0.0)
    band = per[SCHOOL_BAND] if SCHOOL_BAND in per else pd.Series(0.0, index=c.index)
    mig = per[SCHOOL_MIG] if SCHOOL_MIG in per else pd.Series(0.0, index=c.index)
    out = pd.DataFrame({"name": c["name"], "children_6_15": band, "children_6_12": band * PRIMARY_SHARE_OF_6_15,
                        "mig_6_12": mig * PRIMARY_SHARE_OF_6_15}, index=c.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share_mig_pct"] = np.where(band > 0, 100.0 * mig / band, np.nan)
    sc = school_catchment(bundle)
    fac = bundle.table("facilities").set_index("facility_id") if bundle.has("facilities") else pd.DataFrame()
    schools = fac.reindex(sc.index) if len(sc) else pd.DataFrame(columns=["pupils", "startchancen"])
    grouped = pd.DataFrame({"catchment": sc.to_numpy(), "pupils": pd.to_numeric(schools.get("pupils")).astype(float).to_numpy() if len(sc) else [],
                            "startchancen": schools["startchancen"].fillna(False).astype(bool).to_numpy() if "startchancen" in schools else False,
                            "id": sc.index.to_numpy()})
    g = grouped.groupby("catchment")
    out["schools"] = g.size().reindex(c.index, fill_value=0).astype(int)
    out["pupils"] = g["pupils"].sum(min_count=1).reindex(c.index)
    out["startchancen"] = g["startchancen"].sum().reindex(c.index, fill_value=0).astype(int)
    out["school_ids"] = g["id"].apply(list).reindex(c.index).apply(lambda v: v if isinstance(v, list) else [])
    return out


def _finest(bundle: Bundle):
    return Basis(level=bundle.finest_level.id)


@on_baseline("catchments", "cells")
@lru_cache(maxsize=16)
def cell_catchment(bundle: Bundle, res: int) -> pd.Series:
    """H3 cell (hex) → the catchment containing its centre (cells outside every catchment are left out)."""
    c = catchments(bundle)
    cells = bundle.cells(res)
    if c.empty:
        return pd.Series(dtype=object)
    latlng = np.array([h3.cell_to_latlng(h3.int_to_str(int(x))) for x in hex_to_cells(cells)])
    pts = shapely.points(latlng[:, 1], latlng[:, 0])
    pi, ci = shapely.STRtree(c.geometry.to_numpy()).query(pts, predicate="within")
    s = pd.Series(c.index.to_numpy()[ci], index=np.asarray(cells, dtype=object)[pi])
    return s[~s.index.duplicated()]


def unit_catchment(bundle: Bundle, level: str) -> pd.Series:
    """Unit id of `level` → the catchment that covers most of its area."""
    w = catchment_weights(bundle)
    if w.empty:
        return pd.Series(dtype=object)
    units = bundle.units_of(bundle.finest_level.id)
    area = pd.Series(shapely.area(to_metric(units.geometry.to_numpy())), index=units.index)
    w = w.assign(unit=bundle.ancestor(level).reindex(w["unit_id"]).to_numpy(), area=w["unit_share"] * area.reindex(w["unit_id"]).to_numpy())
    best = w.groupby(["unit", "catchment_id"])["area"].sum().reset_index().sort_values("area", ascending=False).drop_duplicates("unit")
    return pd.Series(best["catchment_id"].to_numpy(), index=best["unit"].to_numpy())
