"""How accommodation places are spread over a city's areas: per-area table, concentration (Lorenz, Gini), change over time.

Every table puts the places beside the social context and the Kita and school supply of the same areas (BRIEF §6:
migration figures never stand alone). Internal planning tables: never in the public portal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..infrastructure.access import access, facility_types
from ..social import CONTEXT, indicator_on
from ..spatial.basis import Basis
from ..standards import Params
from .sites import open_at, places_on

SUPPLY_TYPES = ("kita", "primary_school")  # facility types whose places per 100 of their target group the table shows


@dataclass(frozen=True)
class Concentration:
    """Lorenz curve and Gini coefficient of places over areas, relative to residents.

    ``curve`` has columns ``residents_share`` and ``places_share`` (cumulative, 0–1, starting at 0), areas ordered by
    places per resident ascending; ``gini`` is 0 when every area has the same places per resident and approaches 1 when
    all places are in one area of few residents.
    """

    gini: float
    curve: pd.DataFrame
    areas: int


def concentration(places: np.ndarray, residents: np.ndarray) -> Concentration:
    """Concentration of places over areas relative to their residents (population-weighted Lorenz curve and Gini).

    Notes
    -----
    Areas k = 1 … n ordered by p_k / r_k ascending, with R_k and P_k the cumulative shares of residents and places:
    G = 1 − Σ_k (R_k − R_{k−1}) (P_k + P_{k−1}), the area between the diagonal and the Lorenz curve times two.
    Areas without residents are left out. Written here because PySAL's `inequality.gini` has no population weights.

    Examples
    --------
    >>> round(concentration(np.array([0.0, 100.0]), np.array([1000.0, 1000.0])).gini, 3)
    0.5
    >>> round(concentration(np.array([10.0, 10.0]), np.array([1000.0, 1000.0])).gini, 3)
    0.0
    """
    p, r = np.asarray(places, dtype=float), np.asarray(residents, dtype=float)
    keep = (r > 0) & np.isfinite(p)
    p, r = p[keep], r[keep]
    empty = pd.DataFrame({"residents_share": [0.0], "places_share": [0.0]})
    if len(p) < 2 or p.sum() <= 0:
        return Concentration(float("nan"), empty, int(len(p)))
    order = np.argsort(p / r, kind="stable")
    R = np.concatenate([[0.0], np.cumsum(r[order]) / r.sum()])
    P = np.concatenate([[0.0], np.cumsum(p[order]) / p.sum()])
    gini = float(1.0 - np.sum((R[1:] - R[:-1]) * (P[1:] + P[:-1])))
    return Concentration(gini, pd.DataFrame({"residents_share": R, "places_share": P}), int(len(p)))


def area_table(bundle: Bundle, level: str, period: str, params: Params, large_from: float) -> pd.DataFrame:
    """Accommodation places beside social context and Kita/school supply, per unit of `level` on `period`.

    Returns
    -------
    DataFrame indexed by unit id: ``name``; ``residents`` (persons); ``sites``, ``places`` (persons), ``places_per_1000``
    (places per 1,000 residents), ``large_share`` (% of places in sites of ≥ `large_from` places; NaN without places),
    ``occupancy`` (persons stated, NaN where no site states it); the social context (``CONTEXT`` indicators, %, their
    own date); ``kita_per_100`` and ``primary_school_per_100`` (places per 100 residents of the target group; NaN
    where the bundle states no capacities).
    """
    basis = Basis(level=level)
    ids = bundle.ids(basis)
    p = places_on(bundle, basis, period, large_from)
    residents = bundle.counts(basis, period).frame["pop_total"].reindex(ids).fillna(0.0).astype(float)
    out = pd.DataFrame({"name": bundle.units_of(level)["name"].reindex(ids), "residents": residents}, index=ids)
    out["sites"], out["places"], out["occupancy"] = p["sites"], p["places"], p["occupancy"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["places_per_1000"] = 1000.0 * out["places"] / residents.where(residents > 0)
        out["large_share"] = 100.0 * p["large_places"] / p["places"].where(p["places"] > 0)
    context, _ = indicator_on(bundle, basis, period, CONTEXT)
    for name in CONTEXT:
        out[name] = context[name].reindex(ids)
    present = set(facility_types(bundle))
    for kind in SUPPLY_TYPES:
        column = f"{kind}_per_100"
        if kind not in present:
            out[column] = np.nan
            continue
        a = access(bundle, basis, period, kind, params).frame.reindex(ids)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[column] = 100.0 * a["capacity"] / a["target"].where(a["target"] > 0)
    return out


def change_table(bundle: Bundle, level: str, large_from: float) -> pd.DataFrame:
    """Places over the bundle's Stichtage: city totals and the concentration across units of `level`.

    Returns
    -------
    DataFrame indexed by period (ISO date) with ``sites``, ``places`` (persons), ``places_per_1000`` (city),
    ``large_share`` (%), ``gini`` (concentration across the level's units, see `concentration`).
    """
    rows = []
    basis = Basis(level=level)
    for period in bundle.periods:
        p = places_on(bundle, basis, period, large_from)
        residents = bundle.counts(basis, period).frame["pop_total"].reindex(p.index).fillna(0.0).to_numpy(dtype=float)
        sites = open_at(bundle, period)
        total, res = float(p["places"].sum()), float(residents.sum())
        rows.append({"period": period, "sites": int(len(sites)), "places": total,
                     "places_per_1000": 1000.0 * total / res if res > 0 else np.nan,
                     "large_share": 100.0 * float(p["large_places"].sum()) / total if total > 0 else np.nan,
                     "gini": concentration(p["places"].to_numpy(), residents).gini})
    return pd.DataFrame(rows).set_index("period")
