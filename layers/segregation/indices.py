"""City and district segregation indices per basis, period and group, computed with PySAL `segregation` kernels."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..bundle.static import on_baseline
from ..spatial.basis import Basis
from ..spatial.cover import dominant_unit
from .groups import available_groups, get_group, group_frame, partition_frame

CITY = "city"
GINI_EXACT_MAX_UNITS = 2000  # above this the O(n²) PySAL Gini kernel is evaluated in O(n log n) (same formula, see docs)


@dataclass(frozen=True)
class IndexDef:
    """A segregation index: id, symbol, titles, the PySAL class it comes from, and the one-sentence explanations."""

    id: str
    symbol: str
    title_de: str
    title_en: str
    pysal: str
    explain_de: str
    explain_en: str

    def title(self, lang: str) -> str:
        return self.title_de if lang == "de" else self.title_en

    def explain(self, lang: str) -> str:
        return self.explain_de if lang == "de" else self.explain_en


SINGLE_INDICES: tuple[IndexDef, ...] = (
    IndexDef("dissim", "D", "Dissimilaritätsindex", "Dissimilarity index", "segregation.singlegroup.Dissim",
             "Anteil der Gruppe, der umziehen müsste, damit sie in allen Gebieten gleich stark vertreten ist (0 = gleich verteilt, 1 = vollständig getrennt).",
             "Share of the group that would have to move for it to be equally represented in every area (0 = even, 1 = completely separated)."),
    IndexDef("isolation", "xPx*", "Isolationsindex", "Isolation index", "segregation.singlegroup.Isolation",
             "Durchschnittlicher Anteil der eigenen Gruppe im Gebiet, in dem ein Gruppenmitglied wohnt.",
             "Average share of the own group in the area where a member of the group lives."),
    IndexDef("interaction", "xPy*", "Kontaktindex (Exposure)", "Exposure (interaction) index", "segregation.singlegroup.Interaction",
             "Durchschnittlicher Anteil der übrigen Bevölkerung im Gebiet, in dem ein Gruppenmitglied wohnt (= 1 − xPx*).",
             "Average share of the rest of the population in the area where a member of the group lives (= 1 − xPx*)."),
    IndexDef("correlation_ratio", "V", "Korrelationsverhältnis", "Correlation ratio", "segregation.singlegroup.CorrelationR",
             "Isolation bereinigt um den Anteil der Gruppe in der Stadt (0 = keine Isolation über den Stadtanteil hinaus).",
             "Isolation adjusted for the group's share of the city (0 = no isolation beyond the city share)."),
    IndexDef("theil_h", "H", "Theils Entropieindex", "Theil's entropy index", "segregation.singlegroup.Entropy",
             "Wie viel weniger gemischt die Gebiete im Mittel sind als die Stadt als Ganzes (0 = jedes Gebiet so gemischt wie die Stadt).",
             "How much less mixed the areas are on average than the city as a whole (0 = every area as mixed as the city)."),
    IndexDef("gini", "G", "Gini-Segregationsindex", "Gini segregation index", "segregation.singlegroup.Gini",
             "Mittlerer Unterschied der Gruppenanteile zwischen je zwei Gebieten, gewichtet mit ihrer Bevölkerung (0 = überall gleich).",
             "Mean difference of the group's share between any two areas, weighted by their population (0 = the same everywhere)."),
)
MULTI_INDICES: tuple[IndexDef, ...] = (
    IndexDef("multi_dissim", "D_m", "Mehrgruppen-Dissimilaritätsindex", "Multigroup dissimilarity index", "segregation.multigroup.MultiDissim",
             "Wie ungleich die Herkunftsgruppen über die Gebiete verteilt sind (0 = jede Gruppe überall gleich stark vertreten).",
             "How unevenly the origin groups are spread over the areas (0 = every group equally represented everywhere)."),
    IndexDef("multi_theil_h", "H_m", "Mehrgruppen-Informationsindex (Theil)", "Multigroup information theory index (Theil)",
             "segregation.multigroup.MultiInfoTheory",
             "Wie viel weniger vielfältig die Gebiete im Mittel sind als die Stadt (0 = jedes Gebiet so vielfältig wie die Stadt).",
             "How much less diverse the areas are on average than the city (0 = every area as diverse as the city)."),
    IndexDef("simpson_interaction", "I", "Simpsons Interaktionsindex", "Simpson's interaction index", "segregation.multigroup.SimpsonsInteraction",
             "Wahrscheinlichkeit, dass zwei zufällig gewählte Personen verschiedenen Herkunftsgruppen angehören (aus den Summen der Stadt bzw. des Bezirks).",
             "Probability that two randomly chosen persons belong to different origin groups (from the totals of the city or district)."),
)
INDEX_DEFS: dict[str, IndexDef] = {d.id: d for d in SINGLE_INDICES + MULTI_INDICES}


def gini_kernel(data: pd.DataFrame, group_pop_var: str, total_pop_var: str) -> tuple[float, pd.DataFrame]:
    """PySAL's Gini kernel (`segregation.singlegroup.gini._gini_vecp`) without its 11 s numba compile.

    G = Σ_i Σ_j t_i t_j |p_i − p_j| / (2 T² P (1 − P)). Up to `GINI_EXACT_MAX_UNITS` units PySAL's own loop runs
    as plain Python (`py_func`); above, the same double sum is evaluated after sorting by p_i in O(n log n).

    Two units of 20 with 10 and 0 of the group: p = (0.5, 0), P = 0.25, so G = 2·20·20·0.5 / (2·40²·0.25·0.75) = 2/3
    (the group is not wholly apart: half of its unit is others).

    >>> round(gini_kernel(pd.DataFrame({"x": [10.0, 0.0], "t": [20.0, 20.0]}), "x", "t")[0], 6)
    0.666667
    """
    from segregation.singlegroup import gini as pysal_gini

    x = data[group_pop_var].to_numpy(dtype=float)
    t = data[total_pop_var].to_numpy(dtype=float)
    core = data[[group_pop_var, total_pop_var]]
    if len(t) <= GINI_EXACT_MAX_UNITS:
        return float(pysal_gini._gini_vecp.py_func(x, t)), core
    T = t.sum()
    P = x.sum() / T
    p = np.where(t == 0, 0.0, x / np.where(t == 0, 1.0, t))
    order = np.argsort(p, kind="stable")
    ps, ts = p[order], t[order]
    w_before = np.cumsum(ts) - ts  # Σ_{i<j} t_i
    s_before = np.cumsum(ts * ps) - ts * ps  # Σ_{i<j} t_i p_i
    pair_sum = (ts * (ps * w_before - s_before)).sum()  # Σ_{i<j} t_i t_j (p_j − p_i)
    return float(2 * pair_sum / (2 * T * T * P * (1 - P))), core


@lru_cache(maxsize=1)
def single_kernels() -> dict:
    """index id → PySAL kernel ``f(data, group_pop_var, total_pop_var) -> (statistic, core_data)``."""
    from segregation.singlegroup import correlationr, dissim, entropy, interaction, isolation

    return {"dissim": dissim._dissim, "isolation": isolation._isolation, "interaction": interaction._interaction,
            "correlation_ratio": correlationr._correlationr, "theil_h": entropy._entropy, "gini": gini_kernel}


@lru_cache(maxsize=1)
def multi_kernels() -> dict:
    """index id → PySAL kernel ``f(data, groups) -> (statistic, core_data, groups)``."""
    from segregation.multigroup import multi_dissim, multi_info_theory, simpsons_interaction

    return {"multi_dissim": multi_dissim._multi_dissim, "multi_theil_h": multi_info_theory._multi_information_theory,
            "simpson_interaction": simpsons_interaction._simpsons_interaction}


def single_indices(frame: pd.DataFrame) -> dict[str, float]:
    """All single-group indices of one set of units (columns x ≤ t, persons); units with t = 0 are left out.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``x`` (persons in the group) and ``t`` (its comparison population, persons) per unit or cell, all of
        one Stichtag.

    Returns
    -------
    dict of str to float
        Index id (`SINGLE_INDICES`) → value, dimensionless 0–1, of that Stichtag; NaN for fewer than two units or a
        group that is nobody or everybody.

    Notes
    -----
    With X = Σx, Y = Σ(t − x), T = Σt, P = X/T, p_i = x_i/t_i: D = ½ Σ_i |x_i/X − y_i/Y|, xPx* = Σ_i (x_i/X)(x_i/t_i),
    xPy* = 1 − xPx*, V = (xPx* − P)/(1 − P), H = Σ_i t_i (E − E_i)/(E T), G = Σ_i Σ_j t_i t_j |p_i − p_j| / (2 T² P (1 − P))
    (PySAL kernels, `single_kernels`; docs/methods.md, "Segregation").

    Examples
    --------
    Two units of 20 with 10 and 0 of the group: D = ½ (|10/10 − 10/30| + |0 − 20/30|) = 2/3, isolation = 1 · 10/20 = 0.5,
    correlation ratio = (0.5 − 0.25) / (1 − 0.25) = 1/3.

    >>> d = single_indices(pd.DataFrame({"x": [10.0, 0.0], "t": [20.0, 20.0]}))
    >>> round(d["dissim"], 3), round(d["isolation"], 3), round(d["correlation_ratio"], 3)
    (0.667, 0.5, 0.333)
    """
    x, t = frame["x"].to_numpy(dtype=float), frame["t"].to_numpy(dtype=float)
    keep = t > 0
    data = pd.DataFrame({"x": x[keep], "t": t[keep]})  # plain RangeIndex: PySAL's kernels select columns many times
    if len(data) < 2 or data["x"].sum() <= 0 or data["x"].sum() >= data["t"].sum():
        return {d.id: np.nan for d in SINGLE_INDICES}
    if (data["x"] > data["t"] * (1 + 1e-9)).any():
        raise ValueError("a group count exceeds its comparison population")
    with np.errstate(divide="ignore", invalid="ignore"):
        return {k: float(f(data, "x", "t")[0]) for k, f in single_kernels().items()}


def multi_indices(parts: pd.DataFrame) -> dict[str, float]:
    """Multigroup indices over the columns of `parts` (a partition, persons); empty units and groups are left out.

    Parameters
    ----------
    parts : pandas.DataFrame
        One column per group of a partition (persons per unit or cell, one Stichtag).

    Returns
    -------
    dict of str to float
        Index id (`MULTI_INDICES`) → value, dimensionless 0–1, of that Stichtag; NaN for fewer than two units or groups.

    Notes
    -----
    t_i = Σ_k x_ik, P_k = X_k/T, p_ik = x_ik/t_i, I = Σ_k P_k (1 − P_k), E = −Σ_k P_k ln P_k:
    D_m = Σ_i Σ_k t_i |p_ik − P_k| / (2 T I), H_m = Σ_i Σ_k t_i p_ik ln(p_ik/P_k) / (T E), Simpson's interaction = I.

    Examples
    --------
    Units (10, 10) and (0, 20): P = (0.25, 0.75), I = 0.375; D_m = (20 · 0.5 + 20 · 0.5) / (2 · 40 · 0.375) = 0.667;
    H_m = (20 · [0.5 ln 2 + 0.5 ln(2/3)] + 20 ln(4/3)) / (40 · 0.5623) = 0.384.

    >>> d = multi_indices(pd.DataFrame({"a": [10.0, 0.0], "b": [10.0, 20.0]}))
    >>> round(d["multi_dissim"], 3), round(d["multi_theil_h"], 3), round(d["simpson_interaction"], 3)
    (0.667, 0.384, 0.375)
    """
    values = parts.to_numpy(dtype=float)
    values = values[values.sum(axis=1) > 0]
    used = values.sum(axis=0) > 0
    data = pd.DataFrame(values[:, used], columns=parts.columns[used])
    if len(data) < 2 or data.shape[1] < 2:
        return {d.id: np.nan for d in MULTI_INDICES}
    groups = list(data.columns)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {k: float(f(data, groups)[0]) for k, f in multi_kernels().items()}


# --- areas: the city and each district ------------------------------------------------------------

@on_baseline("units", "weights")
@lru_cache(maxsize=32)
def district_of(bundle: Bundle, basis: Basis) -> pd.Series:
    """Id of the district (unit of the coarsest level) of every unit or cell of `basis`.

    Units: their ancestor on the coarsest level. H3 cells: the district holding the largest part of the cell's
    area within the city (areal weights of the bundle).
    """
    top = bundle.levels[0].id
    if basis.is_h3:
        return dominant_unit(bundle, basis.res, top).rename("district").reindex(bundle.ids(basis))
    to_top = bundle.ancestor(top)
    if basis.level == top:
        ids = bundle.ids(basis)
        return pd.Series(ids, index=ids)
    to_level = bundle.ancestor(basis.level)
    pairs = pd.Series(to_top.to_numpy(), index=to_level.to_numpy())
    return pairs[~pairs.index.duplicated()].reindex(bundle.ids(basis))


def areas(bundle: Bundle) -> list[tuple[str, str]]:
    """(area id, name): the city, then each district."""
    top = bundle.units_of(bundle.levels[0].id)
    return [(CITY, bundle.manifest.title)] + [(i, str(n)) for i, n in zip(top.index, top["name"])]


def _area_frames(bundle: Bundle, basis: Basis, frame: pd.DataFrame):
    frame = frame.reset_index(drop=True)
    yield CITY, frame
    district = district_of(bundle, basis).reindex(bundle.ids(basis)).to_numpy()
    for area_id, _ in areas(bundle)[1:]:
        yield area_id, frame[district == area_id]


@lru_cache(maxsize=256)
def index_table(bundle: Bundle, basis_key: str, group_id: str) -> pd.DataFrame:
    """Single-group indices for every period and area (city + districts) of one basis and group.

    Rows: period × area; columns: area_name, n_units (units with comparison population > 0), group_count,
    comparison_total (persons), share_pct, then one column per index of `SINGLE_INDICES`. Cached per bundle.
    """
    basis = Basis.parse(basis_key)
    group = get_group(bundle, group_id)
    names = dict(areas(bundle))
    rows = []
    for period in bundle.periods:
        frame, interpolated = group_frame(bundle, basis, period, group)
        for area_id, f in _area_frames(bundle, basis, frame):
            x, t = float(f["x"].sum()), float(f["t"].sum())
            rows.append({"period": period, "area": area_id, "area_name": names[area_id], "n_units": int((f["t"] > 0).sum()),
                         "group_count": x, "comparison_total": t, "share_pct": 100 * x / t if t > 0 else np.nan,
                         **single_indices(f), "interpolated_from": interpolated})
    return pd.DataFrame(rows)


@lru_cache(maxsize=64)
def multigroup_table(bundle: Bundle, basis_key: str) -> pd.DataFrame:
    """Multigroup indices across the origin partition for every period and area (population: residents with migration background)."""
    basis = Basis.parse(basis_key)
    names = dict(areas(bundle))
    rows = []
    for period in bundle.periods:
        counts = bundle.counts(basis, period)
        parts = partition_frame(counts.frame).reindex(bundle.ids(basis), fill_value=0.0)
        for area_id, f in _area_frames(bundle, basis, parts):
            rows.append({"period": period, "area": area_id, "area_name": names[area_id], "n_units": int((f.sum(axis=1) > 0).sum()),
                         "n_groups": int((f.sum(axis=0) > 0).sum()), "population": float(f.sum().sum()), **multi_indices(f),
                         "interpolated_from": counts.interpolated_from})
    return pd.DataFrame(rows)


def all_tables(bundle: Bundle, basis_key: str) -> dict[str, pd.DataFrame]:
    """Index tables of every group of the bundle on one basis (fills the cache)."""
    return {g.id: index_table(bundle, basis_key, g.id) for g in available_groups(bundle)}
