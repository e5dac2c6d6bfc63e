"""Housing stock per area: dwellings, subsidised (social) dwellings, rent level, and how evenly affordable housing is spread.

Input: the bundle's ``housing`` table (finest units × dates; import kind ``housing``, synthetic for the demo city). H3
cells get the stock of their units spread by area share (the same areal weights as the population).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..segregation.indices import single_indices
from ..spatial.basis import Basis

STOCK_COLUMNS = ("dwellings", "social_dwellings", "rent_x_dwellings", "rent_dwellings")


def has_stock(bundle: Bundle) -> bool:
    """True when the bundle has a housing table."""
    return bundle.has("housing")


def stock_date(bundle: Bundle, period: str) -> str | None:
    """The housing table's date used for `period`: the latest on or before it, else the earliest (ISO date); None without stock."""
    if not has_stock(bundle):
        return None
    dates = sorted(pd.to_datetime(bundle.table("housing")["period"]).dt.strftime("%Y-%m-%d").unique())
    before = [d for d in dates if d <= period]
    return before[-1] if before else dates[0]


@lru_cache(maxsize=32)
def _finest(bundle: Bundle, date: str) -> pd.DataFrame:
    h = bundle.table("housing")
    h = h[pd.to_datetime(h["period"]).dt.strftime("%Y-%m-%d") == date]
    dwellings = pd.to_numeric(h["dwellings"]).astype(float).to_numpy()
    social = pd.to_numeric(h["social_dwellings"], errors="coerce").astype(float).to_numpy() if "social_dwellings" in h else np.full(len(h), np.nan)
    rent = pd.to_numeric(h["rent_eur_m2"], errors="coerce").astype(float).to_numpy() if "rent_eur_m2" in h else np.full(len(h), np.nan)
    return pd.DataFrame({"dwellings": dwellings, "social_dwellings": social,
                         "rent_x_dwellings": np.where(np.isfinite(rent), rent * dwellings, 0.0),
                         "rent_dwellings": np.where(np.isfinite(rent), dwellings, 0.0),
                         "social_known": np.where(np.isfinite(social), dwellings, 0.0)},
                        index=h["unit_id"].astype(str).to_numpy())


def stock_on(bundle: Bundle, basis: Basis, period: str) -> pd.DataFrame:
    """Dwellings, subsidised dwellings and rent per area of `basis`, from the stock date of `period`.

    Returns
    -------
    DataFrame indexed by every area id: ``dwellings`` (count), ``social_dwellings`` (count over the units that state
    it; NaN where none does), ``social_known`` (dwellings of those units), ``rent_eur_m2`` (dwelling-weighted mean net
    rent, €/m² and month; NaN where no unit states it). All NaN without a housing table.
    """
    ids = bundle.ids(basis)
    date = stock_date(bundle, period)
    if date is None:
        return pd.DataFrame(np.nan, index=ids, columns=["dwellings", "social_dwellings", "social_known", "rent_eur_m2"])
    f = _finest(bundle, date)
    values = f.assign(social_dwellings=f["social_dwellings"].fillna(0.0))
    if basis.is_h3:
        summed = bundle.interpolation(basis.res).apply(values)
    else:
        owner = values.index.to_numpy() if basis.level == bundle.finest_level.id else bundle.ancestor(basis.level).reindex(values.index).to_numpy()
        summed = values.groupby(owner).sum()
    summed = summed.reindex(ids)
    with np.errstate(divide="ignore", invalid="ignore"):
        rent = summed["rent_x_dwellings"] / summed["rent_dwellings"].where(summed["rent_dwellings"] > 0)
    social = summed["social_dwellings"].where(summed["social_known"] > 0)
    return pd.DataFrame({"dwellings": summed["dwellings"], "social_dwellings": social, "social_known": summed["social_known"],
                         "rent_eur_m2": rent}, index=ids)


def evenness(bundle: Bundle, period: str, district_level: str | None = None) -> pd.DataFrame:
    """How evenly subsidised dwellings are spread over the finest units: the city and each district.

    Notes
    -----
    The dissimilarity index D = ½ Σ_i |s_i / S − o_i / O| (s subsidised, o other dwellings of unit i) is the share of
    subsidised dwellings that would have to be in other units for every unit to have the city's share; the Gini index
    is the segregation Gini of the same counts (PySAL kernels via `layers.segregation.indices.single_indices`). 0 =
    every unit has the same share of subsidised dwellings.

    Returns
    -------
    DataFrame with ``area`` (``city`` or a district id), ``name``, ``units``, ``dwellings``, ``social_dwellings``,
    ``social_share`` (%), ``dissim`` and ``gini`` (0–1).
    """
    finest = Basis(level=bundle.finest_level.id)
    s = stock_on(bundle, finest, period)
    s = s[s["social_dwellings"].notna() & (s["dwellings"] > 0)]
    level = district_level or bundle.levels[0].id
    district = bundle.ancestor(level).reindex(s.index) if level != finest.level else pd.Series(s.index, index=s.index)
    names = bundle.units_of(level)["name"]
    areas = [("city", bundle.manifest.title, s)] + [(d, str(names.get(d, d)), s[district.to_numpy() == d]) for d in sorted(district.dropna().unique())]
    rows = []
    for area, name, part in areas:
        idx = single_indices(pd.DataFrame({"x": part["social_dwellings"].to_numpy(), "t": part["dwellings"].to_numpy()}))
        total = float(part["dwellings"].sum())
        rows.append({"area": area, "name": name, "units": int(len(part)), "dwellings": total,
                     "social_dwellings": float(part["social_dwellings"].sum()),
                     "social_share": 100.0 * float(part["social_dwellings"].sum()) / total if total > 0 else np.nan,
                     "dissim": idx["dissim"], "gini": idx["gini"]})
    return pd.DataFrame(rows)
