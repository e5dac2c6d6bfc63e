"""The key figures of a scenario's effects on one bundle (baseline or overlay), where the scenario touches it.

`touched_places` finds the finest units, districts, school catchments and facility types a scenario touches; `measures`
computes every key figure there on one bundle; `baseline_measures` caches the baseline's side.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import h3
import numpy as np
import pandas as pd
import shapely

from ..accommodation.distribution import concentration
from ..accommodation.sites import places_on
from ..bundle import Bundle
from ..education import schools as school_mod
from ..education.kita import FCA_RES_FOR_UNITS, kita_access
from ..education.params import EducationParams
from ..infrastructure.access import facility_points
from ..public_space.supply import per_resident, space_pressure, unit_areas
from ..segregation.groups import get_group, group_frame
from ..segregation.indices import district_of, single_kernels
from ..settings import Settings
from ..spatial.basis import Basis
from ..spatial.geometry import locate_points
from ..spatial.h3grid import hex_to_cells, points_to_cells
from ..spatial.routing import cell_centres_xy
from ..standards import Params
from .model import FacilityChange, NewFacility, Scenario
from .sites import place_site
from .suggest import cell_need, default_need_weights, serving_types

EFFECT_RES = 9  # H3 resolution of the coverage effects (cell centres as origins)


@dataclass(frozen=True)
class Places:
    """Where a scenario touches the city: the ids of finest units, districts and catchments, and facility types."""

    areas: tuple[str, ...]  # finest units touched
    districts: tuple[str, ...]
    catchments: tuple[str, ...]
    types: tuple[str, ...]  # facility types added, closed or changed


def touched_places(bundle: Bundle, scenario: Scenario) -> Places:
    areas, types, points = [], [], []
    fac = None
    for i in scenario.interventions:
        if isinstance(i, FacilityChange):
            fac = facility_points(bundle).set_index("facility_id") if fac is None else fac
            if i.facility_id in fac.index:
                row = fac.loc[i.facility_id]
                types.append(str(row["type"]))
                if isinstance(row["unit_id"], str):
                    areas.append(row["unit_id"])
                points.append((float(row["lon"]), float(row["lat"])))
            continue
        p = place_site(bundle, i.site)
        areas.append(p.unit_id)
        points.append((p.lon, p.lat))
        if isinstance(i, NewFacility):
            types.append(i.facility_type)
    top = bundle.ancestor(bundle.levels[0].id)
    areas = list(dict.fromkeys(a for a in areas if a in top.index))
    districts = list(dict.fromkeys(top[a] for a in areas))
    catch = []
    c = school_mod.catchments(bundle)
    if len(c) and points:
        pts = shapely.points(np.array(points))
        hit_p, hit_c = c.sindex.query(pts, predicate="intersects")
        catch = list(dict.fromkeys(c.index[hit_c[np.argsort(hit_p, kind="stable")]]))
    return Places(tuple(areas), tuple(districts), tuple(str(x) for x in catch), tuple(dict.fromkeys(types)))


def _dissim(frame: pd.DataFrame) -> float:
    x, t = frame["x"].to_numpy(dtype=float), frame["t"].to_numpy(dtype=float)
    keep = t > 0
    data = pd.DataFrame({"x": x[keep], "t": t[keep]})
    if len(data) < 2 or data["x"].sum() <= 0 or data["x"].sum() >= data["t"].sum():
        return float("nan")
    return float(single_kernels()["dissim"](data, "x", "t")[0])


def measures(b: Bundle, where: Places, period: str, settings: Settings) -> dict[tuple[str, str], float]:
    """All key figures on one bundle (baseline or overlay), keyed by (effect key, scope id)."""
    out: dict[tuple[str, str], float] = {}
    finest = Basis(level=b.finest_level.id)
    cf = b.counts(finest, period).frame
    out[("residents", "city")] = float(cf["pop_total"].sum())
    for a in where.areas:
        row = cf.loc[a] if a in cf.index else pd.Series(0.0, index=cf.columns)
        out[("residents", a)] = float(row["pop_total"])
        for key, col in (("children_under_6", "age_0_6"), ("children_6_15", "age_6_15"), ("mig_bg", "pop_mig_bg")):
            if col in cf.columns:
                out[(key, a)] = float(row[col])
        if "pop_mig_bg" in cf.columns:
            out[("mig_bg_share", a)] = 100.0 * float(row["pop_mig_bg"]) / float(row["pop_total"]) if row["pop_total"] > 0 else np.nan
    edu = EducationParams.from_settings(settings)
    if "age_0_6" in cf.columns:
        out.update(_kita(b, where, period, edu, cf))
    if where.catchments and b.has("catchments"):
        ct = school_mod.catchment_table(b, period)
        for c in where.catchments:
            if c in ct.index:
                out[("school_children_6_12", c)] = float(ct.loc[c, "children_6_12"])
                pupils = ct.loc[c, "pupils"]
                out[("school_children_per_100_pupils", c)] = 100.0 * float(ct.loc[c, "children_6_12"]) / float(pupils) \
                    if pd.notna(pupils) and float(pupils) > 0 else np.nan
    group = get_group(b, settings.values.get("default_group"))
    gf, _ = group_frame(b, finest, period, group)
    out[("dissimilarity", "city")] = 100.0 * _dissim(gf)
    district = district_of(b, finest).reindex(gf.index).to_numpy()
    for d in where.districts:
        out[("dissimilarity", d)] = 100.0 * _dissim(gf[district == d])
    if where.types:
        params = Params.from_settings(settings)
        ids = b.cells(EFFECT_RES)
        xy = _centres(b, EFFECT_RES)
        counts = b.counts(Basis(res=EFFECT_RES), period).frame.reindex(ids).fillna(0.0)
        cell_unit = _cell_units(b, EFFECT_RES)
        fac = facility_points(b)
        for kind in where.types:
            sub = fac[fac["type"].isin(serving_types(kind))]  # a neighbourhood centre is a meeting place too
            dist, _ = params.router(b).nearest(xy, sub[["x", "y"]].to_numpy(dtype=float))
            inside = dist <= params.coverage(kind)
            need = cell_need(b, EFFECT_RES, period, default_need_weights(b, kind))["need"].reindex(ids).to_numpy()
            r = counts["pop_total"].to_numpy(dtype=float)
            out[(f"covered_{kind}", "city")] = float((r * inside).sum())
            out[(f"covered_need_{kind}", "city")] = float((need * inside).sum())
            for a in where.areas:
                m = cell_unit == a
                fin = m & np.isfinite(dist)
                out[(f"dist_{kind}", a)] = float((r[fin] * dist[fin]).sum() / r[fin].sum()) if r[fin].sum() > 0 else \
                    (float(dist[fin].mean()) if fin.any() else np.nan)
    if b.has("accommodation"):
        out.update(_accommodation(b, where, period, settings))
    if b.has("green_spaces") and where.areas:
        params = Params.from_settings(settings)
        areas_m2 = unit_areas(b)
        for a in where.areas:
            res_a = float(cf.loc[a, "pop_total"]) if a in cf.index else 0.0
            park = float(areas_m2.loc[a, "park_m2"]) if a in areas_m2.index else 0.0
            out[("green_m2_per_resident", a)] = park / res_a if res_a > 0 else np.nan
        out.update(_pressure(b, where, period, params))
    return out


def _accommodation(b: Bundle, where: Places, period: str, settings: Settings) -> dict[tuple[str, str], float]:
    """Accommodation places per 1,000 residents in the city and the touched districts, and their concentration."""
    top = Basis(level=b.levels[0].id)
    large = float(settings.values["accommodation_large_site_places"])
    places = places_on(b, top, period, large)["places"]
    residents = b.counts(top, period).frame["pop_total"].reindex(places.index).fillna(0.0)
    out = {("accommodation_per_1000", "city"): 1000.0 * float(places.sum()) / float(residents.sum()) if residents.sum() > 0 else np.nan}
    for d in where.districts:
        out[("accommodation_per_1000", d)] = 1000.0 * float(places.get(d, 0.0)) / float(residents[d]) if residents.get(d, 0) > 0 else np.nan
    second = Basis(level=b.levels[min(1, len(b.levels) - 1)].id)
    p2 = places_on(b, second, period, large)["places"]
    r2 = b.counts(second, period).frame["pop_total"].reindex(p2.index).fillna(0.0)
    out[("accommodation_gini", "city")] = 100.0 * concentration(p2.to_numpy(), r2.to_numpy()).gini
    return out


def _pressure(b: Bundle, where: Places, period: str, params: Params) -> dict[tuple[str, str], float]:
    """Usage pressure of the touched units' green spaces (residents within walking distance per m²), incrementally.

    A scenario changes only the residents: R_j(scenario) = R_j(baseline) + Σ_h R_h · [d(site cell_h, j) ≤ d_max] with the
    site's cell at the finest resolution, exactly what `space_pressure` recomputes; then Σ R_j / Σ A_j per unit
    (`pressure_on_basis`).
    """
    base = getattr(b, "base", b)
    sp = space_pressure(base, period, params)
    reach = sp["residents_within"].to_numpy(dtype=float).copy()
    res = max(base.manifest.h3_resolutions)
    spaces_xy = sp[["x", "y"]].to_numpy(dtype=float)
    for added in getattr(b, "added", ()):
        cell = points_to_cells(np.array([added.placed.lat]), np.array([added.placed.lon]), res)
        _, j, _ = params.router(base).within(cell_centres_xy(cell), spaces_xy, params.green_walking_m)
        reach[j] += float(added.counts["pop_total"])
    unit = sp["unit_id"].to_numpy()
    area = sp["area_m2"].to_numpy(dtype=float)
    out = {}
    for a in where.areas:
        m = unit == a
        out[("green_pressure", a)] = float(per_resident(np.array([reach[m].sum()]), np.array([area[m].sum()]))[0])
    return out


def _kita(b: Bundle, where: Places, period: str, edu: EducationParams, cf: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Kita demand and 2SFCA places per 100 children in demand of the touched units and districts.

    The same figures as `layers.education.kita.access_on` on a unit basis (demand-weighted mean of the res-9 cells'
    access, cells shared out by area), computed for the few units needed only.
    """
    res = FCA_RES_FOR_UNITS if FCA_RES_FOR_UNITS in b.manifest.h3_resolutions else max(b.manifest.h3_resolutions)
    a = kita_access(b, res, period, edu)
    w_cell, w_unit, w_share = _weights_np(b, res)
    top = b.ancestor(b.levels[0].id)
    served = (a.cells["access"] * a.cells["demand"]).fillna(0.0).to_numpy()
    cell_demand = a.cells["demand"].to_numpy(dtype=float)
    pos = pd.Index(a.cells.index).get_indexer(w_cell)
    out: dict[tuple[str, str], float] = {}
    scopes = [(u, [u]) for u in where.areas] + [(d, list(top.index[top == d])) for d in where.districts]
    for scope_id, members in scopes:
        rows = np.isin(w_unit, members) & (pos >= 0)
        children = float(cf["age_0_6"].reindex(members).fillna(0.0).sum())
        demand = children * edu.take_up_under_6
        out[("kita_demand", scope_id)] = demand
        num = float((served[pos[rows]] * w_share[rows]).sum())
        weight = float((cell_demand[pos[rows]] * w_share[rows]).sum())  # the demand the cells bring into the scope
        out[("kita_places_per_100", scope_id)] = 100.0 * num / weight if weight > 0 else np.nan
    return out


def _weights_np(b: Bundle, res: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cell, unit_id, cell_share) of the areal weights as plain numpy arrays (cached per baseline bundle)."""
    base = getattr(b, "base", b)
    key = (id(base), res, "weights")
    if key not in _CENTRES:
        w = base.weights(res)
        _CENTRES[key] = (base, (w["cell"].to_numpy(dtype=object), w["unit_id"].astype(str).to_numpy(dtype=object),
                                w["cell_share"].to_numpy(dtype=float)))
    return _CENTRES[key][1]


_CENTRES: dict = {}
_BASELINE: OrderedDict = OrderedDict()


def baseline_measures(bundle: Bundle, where: Places, period: str, settings: Settings) -> dict[tuple[str, str], float]:
    """`measures` of the baseline, cached per (bundle, places, period, settings): editing a scenario recomputes only its side."""
    key = (id(bundle), bundle.manifest.built_at, where, period, repr(sorted(settings.values.items())))
    hit = _BASELINE.get(key)
    if hit is not None:
        _BASELINE.move_to_end(key)
        return hit[1]
    out = measures(bundle, where, period, settings)
    _BASELINE[key] = (bundle, out)
    while len(_BASELINE) > 32:
        _BASELINE.popitem(last=False)
    return out


def _centres(b: Bundle, res: int) -> np.ndarray:
    base = getattr(b, "base", b)
    key = (id(base), res)
    if key not in _CENTRES:
        _CENTRES[key] = (base, cell_centres_xy(hex_to_cells(base.cells(res))))
    return _CENTRES[key][1]


def _cell_units(b: Bundle, res: int) -> np.ndarray:
    base = getattr(b, "base", b)
    key = (id(base), res, "unit")
    if key not in _CENTRES:
        latlng = np.array([h3.cell_to_latlng(c) for c in base.cells(res)])
        _CENTRES[key] = (base, locate_points(base, latlng[:, 1], latlng[:, 0]))
    return _CENTRES[key][1]
