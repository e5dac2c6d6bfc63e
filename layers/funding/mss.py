"""MSS 2021 status and dynamics classes, the rule for areas with special attention need, and classes on any basis."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..bundle.static import on_baseline
from ..spatial.basis import Basis
from ..spatial.cover import dominant_unit

STATUS = "mss_status_class"  # 1 high, 2 medium, 3 low, 4 very low
DYNAMICS = "mss_dynamics_class"  # 1 positive, 3 stable, 5 negative
STATUS_LOW, STATUS_VERY_LOW, STATUS_MEDIUM = 3, 4, 2
DYNAMICS_POSITIVE, DYNAMICS_NEGATIVE = 1, 5


def attention_need(status: np.ndarray, dynamics: np.ndarray) -> np.ndarray:
    """Areas with special attention need by the published MSS rule: status low or very low, or medium with negative dynamics.

    Classes as in the MSS: status 1 high … 4 very low; dynamics 1 positive, 3 stable, 5 negative. Returns
    1.0 (need), 0.0 (no need) or NaN where the status is unknown (a medium status with unknown dynamics is NaN).

    >>> attention_need(np.array([1, 2, 2, 3, 4, np.nan]), np.array([5, 3, 5, 1, 3, 5])).tolist()
    [0.0, 0.0, 1.0, 1.0, 1.0, nan]
    """
    s, d = np.asarray(status, dtype=float), np.asarray(dynamics, dtype=float)
    need = np.isin(s, (STATUS_LOW, STATUS_VERY_LOW)) | ((s == STATUS_MEDIUM) & (d == DYNAMICS_NEGATIVE))
    unknown = ~np.isfinite(s) | ((s == STATUS_MEDIUM) & ~np.isfinite(d))
    return np.where(unknown, np.nan, need.astype(float))


@on_baseline("indicators")
@lru_cache(maxsize=8)
def indicator(bundle: Bundle, name: str) -> pd.Series:
    """One indicator per finest unit at its latest period (empty Series where the bundle lacks it)."""
    if not bundle.has("indicators"):
        return pd.Series(dtype=float)
    ind = bundle.table("indicators")
    ind = ind[(ind["indicator"] == name)].dropna(subset=["value"])
    if ind.empty:
        return pd.Series(dtype=float)
    ind = ind[ind["period"] == ind["period"].max()]
    return pd.Series(ind["value"].astype(float).to_numpy(), index=ind["unit_id"].astype(str).to_numpy())


def indicator_period(bundle: Bundle, name: str) -> str | None:
    """ISO date of an indicator's latest period, or None."""
    meta = bundle.manifest.indicators.get(name, {})
    return meta.get("period")


@on_baseline("indicators")
@lru_cache(maxsize=8)
def mss_table(bundle: Bundle) -> pd.DataFrame:
    """Status, dynamics and attention need (0/1) per finest unit that has an MSS status."""
    status, dynamics = indicator(bundle, STATUS), indicator(bundle, DYNAMICS)
    ids = status.index
    d = dynamics.reindex(ids).to_numpy()
    return pd.DataFrame({"status": status.to_numpy(), "dynamics": d, "attention": attention_need(status.to_numpy(), d)}, index=ids)


def class_on_basis(bundle: Bundle, basis: Basis, classes: pd.Series, period: str) -> tuple[pd.DataFrame, str | None]:
    """Classes given per finest unit on any basis, with the residents they rest on.

    Finest level: as given. H3 cells: the class of the unit covering most of the cell (`dominant_unit`).
    Coarser levels: the class most residents of the area live in (resident-weighted mode over its finest units;
    derived, not a published value of the coarser area). Returns (frame with value, residents, residents_with_class)
    and the level the cell values come from (H3 only; None on levels, where the mode is derived, not interpolated).
    """
    ids = bundle.ids(basis)
    finest = bundle.finest_level.id
    counts = bundle.counts(basis, period).frame.reindex(ids)
    residents = counts["pop_total"].fillna(0.0).to_numpy(dtype=float)
    if basis.is_h3:
        value = classes.reindex(dominant_unit(bundle, basis.res).reindex(ids)).to_numpy(dtype=float)
        return pd.DataFrame({"value": value, "residents": residents, "with_class": residents * np.isfinite(value)}, index=ids), finest
    if basis.level == finest:
        value = classes.reindex(ids).to_numpy(dtype=float)
        return pd.DataFrame({"value": value, "residents": residents, "with_class": residents * np.isfinite(value)}, index=ids), None
    pop = bundle.counts(Basis(level=finest), period).frame["pop_total"]
    df = pd.DataFrame({"cls": classes.reindex(pop.index).to_numpy(), "pop": pop.to_numpy(dtype=float),
                       "area": bundle.ancestor(basis.level).reindex(pop.index).to_numpy()}).dropna(subset=["cls"])
    by = df.groupby(["area", "cls"])["pop"].sum().reset_index().sort_values(["area", "pop", "cls"], ascending=[True, False, False])
    mode = by.drop_duplicates("area").set_index("area")
    with_class = df.groupby("area")["pop"].sum()
    return pd.DataFrame({"value": mode["cls"].reindex(ids).to_numpy(dtype=float), "residents": residents,
                         "with_class": with_class.reindex(ids).fillna(0.0).to_numpy()}, index=ids), None
