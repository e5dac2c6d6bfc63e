"""LayerSpecs of the education section: Kita supply and demand, 2SFCA, unserved demand, primary-school catchments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..numbers import format_number
from ..spatial.basis import Basis
from ..spec import LayerResult, LayerSpec
from .kita import access_on, city_ratio, kitas, supply_demand
from .params import current_params
from .schools import catchment_table, cell_catchment, unit_catchment

KITA_PROVENANCE = ("Kita places: facilities (type kita, capacity); children under 6: population (age_0_6) × take-up rate "
                   "(settings kita_take_up_under_3, kita_take_up_3_6)")
SCHOOL_PROVENANCE = "catchments (primary_school) × population (age_6_15, mig_bg_age_6_15, areal interpolation, 6/9 of the band)"
SECTION = "education"


def _sources(bundle: Bundle, keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(k for k in (*keys, "demo") if k in bundle.sources)


def _no_places(bundle: Bundle) -> bool:
    """No Kita with a known number of places (e.g. Cologne's OpenStreetMap Kitas): the Kita layers have no value."""
    k = kitas(bundle)
    return len(k) == 0 or not k["capacity"].notna().any() or float(k["capacity"].fillna(0).sum()) == 0


def _kita_date(bundle: Bundle) -> tuple[tuple[str, str], ...]:
    """The Kita list's own date (Berlin: 01/2026), stated beside the population's Stichtag."""
    source = bundle.sources.get("kitas")
    return (("kitas", source.period),) if source is not None and source.period else ()


def _result(layer_id: str, value, persons: pd.Series, basis: Basis, period: str, interp: str | None, sources, notes=None,
            numerator: pd.Series | None = None, data_dates: tuple[tuple[str, str], ...] = ()) -> LayerResult:
    """Values with the children they rest on as numerator/denominator/residents (disclosure counts children, not all residents)."""
    persons = persons.astype(float)
    frame = pd.DataFrame({"value": np.asarray(value, dtype=float), "numerator": (persons if numerator is None else numerator).astype(float),
                          "denominator": persons, "residents": persons, "suppressed": False}, index=persons.index)
    return LayerResult(layer_id, frame, basis, period, None, None, interp, sources, notes, data_dates=data_dates)


def _city_note(bundle: Bundle, index: pd.Index, period: str) -> pd.DataFrame:
    city = 100.0 * city_ratio(bundle, period, current_params())
    de = f"Stadt: {format_number(city, 'de')} Plätze je 100 Kinder mit Bedarf" if np.isfinite(city) else ""
    en = f"City: {format_number(city, 'en')} places per 100 children in demand" if np.isfinite(city) else ""
    return pd.DataFrame({"de": de, "en": en}, index=index)


def compute_kita_ratio(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group=None, period_from=None) -> LayerResult:
    """Kita places in the area per 100 children in demand (children under 6 × take-up rate) living there.

    Parameters
    ----------
    bundle : Bundle
        City bundle with Kitas (``facilities`` of type kita, ``capacity`` in places) and ``age_0_6`` counts (persons).
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the child counts.
    scenario, group, period_from : optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: places per 100 children in demand; the children are those of the Stichtag `period`, the places those of the Kita list
        (its own date in `data_dates`, Berlin: 01/2026). No value where the bundle has no Kita places.
        ``residents``: children under 6.

    Notes
    -----
    ratio_i = 100 · S_i / D_i, S_i the places of the Kitas in area i, D_i = children under 6 × r with
    r = (3 · r_u3 + 3 · r_3–6) / 6 (settings ``kita_take_up_under_3``, ``kita_take_up_3_6``; `kita.demand`).

    Examples
    --------
    With the default take-up rates 46.6 % and 92.1 %, r = 0.6935; block A1 has 100 children under 6 and a Kita with
    70 places: 100 · 70 / 69.35 = 100.9.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_kita_ratio(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].round(1).to_dict()
    {'A1': 100.9, 'A2': 0.0, 'B1': 0.0, 'B2': 0.0}
    """
    f, interp = supply_demand(bundle, basis, period, current_params())
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(f["demand"] > 0, 100.0 * f["places"] / f["demand"], np.nan)
    if _no_places(bundle):
        value = np.full(len(f), np.nan)
    return _result(KITA_RATIO.id, value, f["children"], basis, period, interp, _sources(bundle, ("kitas", "population")),
                   _city_note(bundle, f.index, period), data_dates=_kita_date(bundle))


def compute_kita_fca(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group=None, period_from=None) -> LayerResult:
    """2SFCA: Kita places within walking reach per 100 children in demand (units: demand-weighted mean of their cells).

    Parameters
    ----------
    bundle : Bundle
        City bundle with Kitas (``facilities`` of type kita, ``capacity`` in places) and ``age_0_6`` counts (persons).
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the child counts.
    scenario, group, period_from : optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: 100 · A, places within reach per 100 children in demand; the children are those of the Stichtag `period`, the places those of the Kita list
        (its own date in `data_dates`, Berlin: 01/2026). No value where the bundle has no Kita places.

    Notes
    -----
    R_j = S_j / Σ_{k: d_kj ≤ d0} W(d_kj) D_k per Kita j, A_k = Σ_{j: d_kj ≤ d0} W(d_kj) R_j per cell k (`fca.fca_ratio`,
    walking distance d from the router, radius d0 = ``kita_fca_radius_m``, decay W); units:
    A_u = Σ_c A_c D_c s_cu / Σ_c D_c s_cu over the res-9 cells c (s_cu: share of c's area in u).

    Examples
    --------
    Every place is shared out once: Σ_k A_k · D_k over the cells equals the 70 places of the example's one Kita.

    >>> from layers.education.params import current_params
    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> v = compute_kita_fca(example_bundle(), Basis(res=9), "2024-12-31").values
    >>> round(float((v["value"] / 100 * v["numerator"] * current_params().take_up_under_6).sum()), 6)
    70.0
    """
    f, interp = access_on(bundle, basis, period, current_params())
    if _no_places(bundle):
        f = f.assign(access=np.nan)
    return _result(KITA_FCA.id, 100.0 * f["access"], f["children"], basis, period, interp, _sources(bundle, ("kitas", "population")),
                   _city_note(bundle, f.index, period), data_dates=_kita_date(bundle))


def compute_kita_unserved(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group=None, period_from=None) -> LayerResult:
    """Children in demand without a Kita place within walking reach: demand × max(0, 1 − 2SFCA ratio) (persons).

    Parameters
    ----------
    bundle : Bundle
        City bundle with Kitas (``facilities`` of type kita, ``capacity`` in places) and ``age_0_6`` counts (persons).
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the child counts.
    scenario, group, period_from : optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: children in demand (persons, fractional); the children are those of the Stichtag `period`, the places those of the Kita list
        (its own date in `data_dates`, Berlin: 01/2026). No value where the bundle has no Kita places.

    Notes
    -----
    U_k = D_k · max(0, 1 − A_k) per cell (A_k of `compute_kita_fca`); units sum their cells by area share.

    Examples
    --------
    The city has 354 children under 6, 354 · 0.6935 = 245.5 in demand, and 70 places: at least 245.5 − 70 = 175.5 stay
    unserved, a little more because cells near the Kita get more than one place per child (A > 1). Units add up to
    the same total as the cells.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> cells = compute_kita_unserved(example_bundle(), Basis(res=9), "2024-12-31").values["value"].sum()
    >>> blocks = compute_kita_unserved(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].sum()
    >>> round(float(cells), 1), round(float(blocks), 1)
    (177.0, 177.0)
    """
    f, interp = access_on(bundle, basis, period, current_params())
    if _no_places(bundle):
        f = f.assign(unserved=np.nan)
    return _result(KITA_UNSERVED.id, f["unserved"], f["children"], basis, period, interp, _sources(bundle, ("kitas", "population")),
                   data_dates=_kita_date(bundle))


def _catchment_values(bundle: Bundle, basis: Basis, period: str) -> tuple[pd.DataFrame, pd.Series]:
    """The catchment table and the catchment of every area of the basis (cells by centre, units by largest overlap)."""
    table = catchment_table(bundle, period)
    ids = bundle.ids(basis)
    if table.empty:
        return table, pd.Series(None, index=ids, dtype=object)
    owner = cell_catchment(bundle, basis.res) if basis.is_h3 else unit_catchment(bundle, basis.level)
    return table, owner.reindex(ids)


def _catchment_result(layer_id: str, column: str, bundle: Bundle, basis: Basis, period: str) -> LayerResult:
    table, owner = _catchment_values(bundle, basis, period)
    sources = _sources(bundle, ("catchments", "population"))
    if table.empty:  # no catchments in the bundle: no value, and no children it could rest on
        zero = pd.Series(0.0, index=owner.index)
        return _result(layer_id, np.full(len(owner), np.nan), zero, basis, period, None, sources)
    rows = table.reindex(owner.to_numpy())
    children = pd.Series(rows["children_6_12"].to_numpy(dtype=float), index=owner.index).fillna(0.0)
    mig = pd.Series(rows["mig_6_12"].to_numpy(dtype=float), index=owner.index).fillna(0.0)
    value = rows[column].to_numpy(dtype=float)
    names = rows["name"].fillna("").astype(str).to_numpy()
    ids = owner.fillna("").to_numpy()
    notes = pd.DataFrame({"de": [f"Einschulbereich {i}" if i else "" for i in ids],
                          "en": [f"school catchment {i}" if i else "" for i in ids]}, index=owner.index)
    notes.loc[names != "", "de"] = names[names != ""]
    notes.loc[names != "", "en"] = names[names != ""]
    return _result(layer_id, value, children, basis, period, bundle.finest_level.id, sources, notes, numerator=mig if column == "share_mig_pct" else children)


def compute_catchment_share(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group=None, period_from=None) -> LayerResult:
    """Share of children 6–12 with migration background in the primary-school catchment the area belongs to (%).

    Parameters
    ----------
    bundle : Bundle
        City bundle with ``catchments`` (primary-school Einschulbereiche) and ``age_6_15``/``mig_bg_age_6_15`` counts.
    basis : Basis
        Administrative level or H3 resolution (cells: the catchment of their centre; units: of their largest overlap).
    period : str
        Stichtag, ISO date: the date of the child counts.
    scenario, group, period_from : optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: % of the catchment's children 6–12 on the Stichtag `period`, in the catchments as drawn (Berlin:
        2019/20); no value without catchments.

    Notes
    -----
    share_c = 100 · Σ_u w_uc · mig_bg_age_6_15_u / Σ_u w_uc · age_6_15_u, w_uc = |u ∩ c| / |u| (EPSG:3035); the share
    of 6–15 stands for 6–12 (`catchments.catchment_table`).

    Examples
    --------
    The example city has no catchments: no value, never 0.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_catchment_share(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].isna().all()
    np.True_
    """
    return _catchment_result(CATCHMENT_SHARE.id, "share_mig_pct", bundle, basis, period)


def compute_catchment_children(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group=None, period_from=None) -> LayerResult:
    """Children aged 6–12 living in the primary-school catchment the area belongs to (persons, interpolated).

    Parameters
    ----------
    bundle : Bundle
        City bundle with ``catchments`` (primary-school Einschulbereiche) and ``age_6_15``/``mig_bg_age_6_15`` counts.
    basis : Basis
        Administrative level or H3 resolution (cells: the catchment of their centre; units: of their largest overlap).
    period : str
        Stichtag, ISO date: the date of the child counts.
    scenario, group, period_from : optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: children 6–12 of the catchment (persons, fractional) on the Stichtag `period`; no value without
        catchments.

    Notes
    -----
    children_c = Σ_u w_uc · age_6_15_u · 6/9, w_uc = |u ∩ c| / |u| (six of the nine single years of the band, equally
    large).

    Examples
    --------
    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_catchment_children(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].isna().all()
    np.True_
    """
    return _catchment_result(CATCHMENT_CHILDREN.id, "children_6_12", bundle, basis, period)


_KITA = dict(provenance=KITA_PROVENANCE, section=SECTION, persons_de="Kinder unter 6", persons_en="children under 6")
_SCHOOL = dict(provenance=SCHOOL_PROVENANCE, section=SECTION, persons_de="Kinder von 6 bis 12", persons_en="children aged 6 to 12")
KITA_RATIO = LayerSpec(
    "education_kita_ratio", "Kita-Plätze je 100 Kinder mit Bedarf", "Kita places per 100 children in demand",
    "Kita-Plätze im Gebiet je 100 Kinder mit Bedarf (Kinder unter 6 × Betreuungsquote) im Gebiet. Kinder besuchen oft eine Kita "
    "außerhalb ihres Gebiets; für die erreichbaren Plätze siehe die 2SFCA-Ebene.",
    "Kita places in the area per 100 children in demand (children under 6 × take-up rate) living there. Children often attend a Kita "
    "outside their area; see the 2SFCA layer for places within reach.",
    "Plätze je 100 Kinder mit Bedarf", "places per 100 children in demand", ",.0f", "PuOr", compute_kita_ratio, midpoint=100.0, **_KITA)
KITA_FCA = LayerSpec(
    "education_kita_fca", "Erreichbare Kita-Plätze je 100 Kinder mit Bedarf (2SFCA)",
    "Kita places within reach per 100 children in demand (2SFCA)",
    "Kita-Plätze in Gehweite je 100 Kinder mit Bedarf, nach der Two-Step-Floating-Catchment-Methode: die Plätze jeder Kita werden auf "
    "die Kinder in ihrem Einzugsradius verteilt, mit Distanzgewichtung. 100 = ein Platz je Kind mit Bedarf.",
    "Kita places within walking distance per 100 children in demand, by the two-step floating catchment area method: each Kita's "
    "places are shared among the children within its radius, weighted by distance. 100 = one place per child in demand.",
    "Plätze je 100 Kinder mit Bedarf", "places per 100 children in demand", ",.0f", "PuOr", compute_kita_fca, midpoint=100.0, **_KITA)
KITA_UNSERVED = LayerSpec(
    "education_kita_unserved", "Kinder mit Bedarf ohne erreichbaren Kita-Platz", "Children in demand without a Kita place in reach",
    "Geschätzte Zahl der Kinder mit Bedarf, für die in Gehweite rechnerisch kein Platz bleibt: Bedarf × (1 − 2SFCA-Verhältnis), "
    "wo das Verhältnis unter 1 liegt. Zeigt, wo viele Kinder leben und das Angebot knapp ist.",
    "Estimated children in demand for whom no place is left within walking distance: demand × (1 − 2SFCA ratio) where the ratio is "
    "below 1. Shows where many children live and supply is short.",
    "Kinder", "children", ",.0f", "Oranges", compute_kita_unserved, aggregate="sum", **_KITA)
CATCHMENT_SHARE = LayerSpec(
    "education_catchment_share", "Einschulbereich: Anteil Kinder mit Migrationshintergrund",
    "School catchment: share of children with migration background",
    "Anteil der Kinder von 6 bis 12 Jahren mit Migrationshintergrund im Einschulbereich (aus den Planungsräumen interpoliert; "
    "Anteil der Altersgruppe 6–15 Jahre).",
    "Share of children aged 6 to 12 with migration background in the primary-school catchment (interpolated from the Planungsräume; "
    "the share of the 6–15 band).",
    "%", "%", ".1f", "Viridis", compute_catchment_share, aggregate="none", about_migration=True,
    **_SCHOOL)  # the catchment's value, repeated
CATCHMENT_CHILDREN = LayerSpec(
    "education_catchment_children", "Einschulbereich: Kinder von 6 bis 12 Jahren", "School catchment: children aged 6 to 12",
    "Kinder von 6 bis 12 Jahren im Einschulbereich: 6/9 der Altersgruppe 6–15 Jahre, aus den Planungsräumen flächenanteilig interpoliert.",
    "Children aged 6 to 12 in the primary-school catchment: 6/9 of the 6–15 band, areally interpolated from the Planungsräume.",
    "Kinder", "children", ",.0f", "Blues", compute_catchment_children, aggregate="none", **_SCHOOL)  # the catchment's value

LAYERS = (KITA_RATIO, KITA_FCA, KITA_UNSERVED, CATCHMENT_SHARE, CATCHMENT_CHILDREN)
