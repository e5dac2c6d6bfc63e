"""Facility segregation: each facility's composition against its catchment's, and what choice adds city-wide."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..bundle import Bundle
from .kita import kita_access
from .params import EducationParams
from .schools import catchment_table, school_catchment

KINDS = ("kita", "primary_school")


def deviation(n: np.ndarray, x: np.ndarray, p_catchment: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Deviation (pp), ratio and binomial z-score of facility shares x/n against catchment shares p.

    Parameters
    ----------
    n : children or pupils of each facility (persons).
    x : of whom with migration background or ndH (persons).
    p_catchment : share of the same group among children of the age living in the catchment (0–1).

    Notes
    -----
    deviation = 100 (x/n − p) in percentage points; ratio = (x/n) / p;
    z = (x − n p) / sqrt(n p (1 − p)), the deviation in standard errors of a binomial draw of n children from the
    catchment, so that a small facility's chance deviation does not look as large as a big one's.

    Examples
    --------
    >>> dev, ratio, z = deviation(np.array([100.0]), np.array([60.0]), np.array([0.4]))
    >>> round(float(dev[0]), 6), round(float(ratio[0]), 6), round(float(z[0]), 4)
    (20.0, 1.5, 4.0825)
    """
    n, x, p = (np.asarray(a, dtype=float) for a in (n, x, p_catchment))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(n > 0, x / n, np.nan)
        dev = 100.0 * (share - p)
        ratio = np.where(p > 0, share / p, np.nan)
        z = np.where((n > 0) & (p > 0) & (p < 1), (x - n * p) / np.sqrt(n * p * (1 - p)), np.nan)
    return dev, ratio, z


def dissimilarity(x: np.ndarray, y: np.ndarray) -> float:
    """Index of dissimilarity D = ½ Σ |x_i/X − y_i/Y| (0 = even, 1 = complete separation).

    Examples
    --------
    >>> dissimilarity(np.array([10.0, 0.0]), np.array([0.0, 10.0]))
    1.0
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.sum() <= 0 or y.sum() <= 0:
        return float("nan")
    return float(0.5 * np.abs(x / x.sum() - y / y.sum()).sum())


def choice_adds(n: np.ndarray, x: np.ndarray, p_catchment: np.ndarray) -> dict[str, float]:
    """City level: D across facilities, D across catchments and their difference ("what choice adds").

    Notes
    -----
    D_facilities uses the enrolled children (x_f with, n_f − x_f without migration background). D_catchments is D of
    the counterfactual in which every facility enrols its n_f children with its catchment's composition
    (x'_f = n_f p_f, y'_f = n_f (1 − p_f)): the segregation residence alone would produce, weighted like the
    facilities. Facilities without a catchment share are left out of both.
    """
    n, x, p = (np.asarray(a, dtype=float) for a in (n, x, p_catchment))
    ok = np.isfinite(p) & (n > 0)
    d_fac = dissimilarity(x[ok], n[ok] - x[ok])
    d_catch = dissimilarity(n[ok] * p[ok], n[ok] * (1 - p[ok]))
    return {"facilities": int(ok.sum()), "d_facilities": d_fac, "d_catchments": d_catch, "choice_adds": d_fac - d_catch}


def has_compositions(bundle: Bundle) -> bool:
    return bundle.has("facility_composition") and len(bundle.table("facility_composition")) > 0


def composition_period(bundle: Bundle, period: str) -> str | None:
    """The latest composition period on or before `period` (else the earliest one), ISO date; None without compositions."""
    if not has_compositions(bundle):
        return None
    periods = sorted(pd.to_datetime(bundle.table("facility_composition")["period"]).dt.strftime("%Y-%m-%d").unique())
    before = [p for p in periods if p <= period]
    return before[-1] if before else periods[0]


def kita_catchment_shares(bundle: Bundle, period: str, params: EducationParams) -> pd.DataFrame:
    """Per Kita: children under 6 in its walking catchment (distance-decay weighted) and their share with migration background."""
    res = 9 if 9 in bundle.manifest.h3_resolutions else max(bundle.manifest.h3_resolutions)
    a = kita_access(bundle, res, period, params)
    r = a.fca
    kids = a.cells["children"].to_numpy()[r.origin]
    mig = a.cells["children_mig"].to_numpy()[r.origin]
    den = np.bincount(r.facility, weights=r.weight * kids, minlength=len(a.kitas))
    num = np.bincount(r.facility, weights=r.weight * mig, minlength=len(a.kitas))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(den > 0, num / den, np.nan)
    return pd.DataFrame({"catchment_children": den, "catchment_share": share, "catchment_id": None}, index=a.kitas.index)


def school_catchment_shares(bundle: Bundle, period: str) -> pd.DataFrame:
    """Per primary school with a catchment: children 6–12 in it and their share with migration background."""
    sc = school_catchment(bundle)
    ct = catchment_table(bundle, period)
    if sc.empty or ct.empty:
        return pd.DataFrame(columns=["catchment_children", "catchment_share", "catchment_id"])
    rows = ct.reindex(sc.to_numpy())
    return pd.DataFrame({"catchment_children": rows["children_6_12"].to_numpy(), "catchment_share": rows["share_mig_pct"].to_numpy() / 100.0,
                         "catchment_id": sc.to_numpy()}, index=sc.index)


def facility_table(bundle: Bundle, period: str, params: EducationParams, kind: str = "primary_school") -> pd.DataFrame:
    """Per facility of `kind` with a composition: enrolment, shares, deviation (pp), ratio and z-score.

    Columns: ``name``, ``period`` (of the composition), ``children_total``, ``children_mig``, ``share_pct``,
    ``catchment_id``, ``catchment_children``, ``catchment_share_pct``, ``deviation_pp``, ``ratio``, ``z``, ``capacity``,
    ``pupils``, ``lon``, ``lat``. Empty when the bundle has no compositions. Facility-level: internal unless published.
    """
    cols = ["name", "period", "children_total", "children_mig", "share_pct", "catchment_id", "catchment_children",
            "catchment_share_pct", "deviation_pp", "ratio", "z", "capacity", "pupils", "lon", "lat"]
    cp = composition_period(bundle, period)
    if cp is None:
        return pd.DataFrame(columns=cols)
    comp = bundle.table("facility_composition")
    comp = comp[pd.to_datetime(comp["period"]) == pd.Timestamp(cp)].set_index("facility_id")
    fac = bundle.table("facilities").set_index("facility_id")
    fac = fac[fac["type"] == kind]
    comp = comp[comp.index.isin(fac.index)]
    shares = kita_catchment_shares(bundle, period, params) if kind == "kita" else school_catchment_shares(bundle, period)
    shares = shares.reindex(comp.index)
    n = comp["children_total"].to_numpy(dtype=float)
    x = comp["children_mig_bg"].to_numpy(dtype=float)
    p = shares["catchment_share"].to_numpy(dtype=float)
    dev, ratio, z = deviation(n, x, p)
    f = fac.reindex(comp.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_pct = np.where(n > 0, 100.0 * x / n, np.nan)
    return pd.DataFrame({
        "name": f["name"], "period": cp, "children_total": n, "children_mig": x, "share_pct": share_pct,
        "catchment_id": shares["catchment_id"], "catchment_children": shares["catchment_children"].astype(float),
        "catchment_share_pct": 100.0 * p, "deviation_pp": dev, "ratio": ratio, "z": z,
        "capacity": pd.to_numeric(f["capacity"]).astype(float), "pupils": pd.to_numeric(f["pupils"]).astype(float),
        "lon": f.geometry.x, "lat": f.geometry.y,
    }, index=comp.index)[cols]


def city_summary(bundle: Bundle, period: str, params: EducationParams) -> dict[str, dict[str, float]]:
    """`choice_adds` per facility kind that has compositions (empty dict without compositions)."""
    out = {}
    for kind in KINDS:
        t = facility_table(bundle, period, params, kind)
        if len(t):
            out[kind] = choice_adds(t["children_total"].to_numpy(), t["children_mig"].to_numpy(), t["catchment_share_pct"].to_numpy() / 100.0)
            out[kind]["period"] = t["period"].iloc[0]
    return out
