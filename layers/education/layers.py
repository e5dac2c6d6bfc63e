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
    """Kita places in the area per 100 children in demand (children under 6 × take-up rate) living there."""
    f, interp = supply_demand(bundle, basis, period, current_params())
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(f["demand"] > 0, 100.0 * f["places"] / f["demand"], np.nan)
    if _no_places(bundle):
        value = np.full(len(f), np.nan)
    return _result(KITA_RATIO.id, value, f["children"], basis, period, interp, _sources(bundle, ("kitas", "population")),
                   _city_note(bundle, f.index, period), data_dates=_kita_date(bundle))


def compute_kita_fca(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group=None, period_from=None) -> LayerResult:
    """2SFCA: Kita places within walking reach per 100 children in demand (units: demand-weighted mean of their cells)."""
    f, interp = access_on(bundle, basis, period, current_params())
    if _no_places(bundle):
        f = f.assign(access=np.nan)
    return _result(KITA_FCA.id, 100.0 * f["access"], f["children"], basis, period, interp, _sources(bundle, ("kitas", "population")),
                   _city_note(bundle, f.index, period), data_dates=_kita_date(bundle))


def compute_kita_unserved(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group=None, period_from=None) -> LayerResult:
    """Children in demand without a Kita place within walking reach: demand × max(0, 1 − 2SFCA ratio) (persons)."""
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
    """Share of children 6–12 with migration background in the primary-school catchment the area belongs to (%)."""
    return _catchment_result(CATCHMENT_SHARE.id, "share_mig_pct", bundle, basis, period)


def compute_catchment_children(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group=None, period_from=None) -> LayerResult:
    """Children aged 6–12 living in the primary-school catchment the area belongs to (persons, interpolated)."""
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
