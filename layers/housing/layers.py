"""Internal map layers of the housing stock: share of subsidised dwellings and net rent.

Internal like the accommodation layers: a deployment's housing figures are planning data until the authority publishes them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..spatial.basis import Basis
from ..spec import INTERNAL, LayerResult, LayerSpec, result_from_frame
from .stock import stock_date, stock_on

SECTION = "accommodation"
PROVENANCE = "housing (dwellings, subsidised dwellings and net rent per finest unit; import kind `housing`) and population"
SOURCE_KEYS = ("housing", "demo", "population")


def _result(layer_id: str, bundle: Bundle, basis: Basis, period: str, frame: pd.DataFrame) -> LayerResult:
    result = result_from_frame(layer_id, bundle, basis, period, frame, SOURCE_KEYS + tuple(s.key for s in bundle.manifest.sources
                                                                                          if s.key.startswith("import_housing")))
    date = stock_date(bundle, period)
    return replace(result, data_dates=(("housing", date),) if date and date != period else ())


def compute_social_share(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                         period_from: str | None = None) -> LayerResult:
    """Share of subsidised (social, rent-bound) dwellings among all dwellings of the area (%).

    Parameters
    ----------
    bundle : Bundle
        City bundle with the ``housing`` table (dwellings and subsidised dwellings per finest unit and date).
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the resident counts; the housing stock is the one dated on or before it.
    scenario : object, optional
        Unused.
    group : str, optional
        Unused.
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: % of the dwellings at the stock date (`data_dates` names it where it is not `period`);
        ``numerator``/``denominator``: dwellings.

    Notes
    -----
    value = 100 · S / W with S the subsidised and W all dwellings of the units that state S, from the stock date on or
    before `period`; H3 cells get their units' dwellings by area share. No value without stated figures.

    Examples
    --------
    Units with 400 of 1,000 and 0 of 1,000 dwellings subsidised: their parent has 100 · 400 / 2,000 = 20 %
    (docs/methods.md, "Housing stock"). The example city has no housing table:

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_social_share(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].isna().all()  # no housing table: no value
    np.True_
    """
    s = stock_on(bundle, basis, period)
    residents = bundle.counts(basis, period).frame["pop_total"].reindex(s.index).fillna(0.0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 100.0 * s["social_dwellings"] / s["social_known"].where(s["social_known"] > 0)
    # numerator and denominator are dwellings: the key figure of several areas is 100 · ΣS / ΣW, as for one area
    frame = pd.DataFrame({"value": value, "numerator": s["social_dwellings"].fillna(0.0), "denominator": s["social_known"].fillna(0.0),
                          "residents": residents})
    return _result(SOCIAL_SHARE.id, bundle, basis, period, frame)


def compute_rent(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                 period_from: str | None = None) -> LayerResult:
    """Mean net rent (nettokalt) of the area, euros per m² and month, weighted by dwellings.

    Parameters
    ----------
    bundle : Bundle
        City bundle with the ``housing`` table (dwellings and ``rent_eur_m2`` per finest unit and date).
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the resident counts; the housing stock is the one dated on or before it.
    scenario : object, optional
        Unused.
    group : str, optional
        Unused.
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: €/m² and month at the stock date (`data_dates` names it where it is not `period`).

    Notes
    -----
    rent_a = Σ_u W_u m_u / Σ_u W_u over the units u of a with a rent, W dwellings, m net rent.

    Examples
    --------
    Units of 1,000 dwellings at 8 €/m² and 3,000 at 12 €/m²: (1,000 · 8 + 3,000 · 12) / 4,000 = 11 €/m². The key figure
    of a selection of areas is the resident-weighted mean of their rents (key figures know no dwelling weights).

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_rent(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].isna().all()  # no housing table: no value
    np.True_
    """
    s = stock_on(bundle, basis, period)
    residents = bundle.counts(basis, period).frame["pop_total"].reindex(s.index).fillna(0.0).astype(float)
    frame = pd.DataFrame({"value": s["rent_eur_m2"], "numerator": residents, "denominator": residents, "residents": residents})
    return _result(RENT.id, bundle, basis, period, frame)


_COMMON = dict(provenance=PROVENANCE, section=SECTION, sensitivity=INTERNAL)
SOCIAL_SHARE = LayerSpec(
    "housing_social_share", "Anteil geförderter Wohnungen", "Share of subsidised dwellings",
    "Anteil der geförderten bzw. belegungsgebundenen Wohnungen (Sozialwohnungen) an allen Wohnungen des Gebiets, in Prozent, "
    "zum Datum des Wohnungsbestands.",
    "Share of subsidised or rent-bound dwellings (social housing) among all dwellings of the area, in per cent, at the date "
    "of the housing stock.",
    "%", "%", ".1f", "BuGn", compute_social_share, aggregate="ratio_pct", **_COMMON)
RENT = LayerSpec(
    "housing_rent", "Nettokaltmiete", "Net rent",
    "Mittlere Nettokaltmiete der Wohnungen des Gebiets in Euro je m² und Monat, nach Wohnungen gewichtet.",
    "Mean net rent (excluding heating and service charges) of the area's dwellings, euros per m² and month, weighted by dwellings.",
    "€/m²", "€/m²", ".2f", "YlGnBu", compute_rent, aggregate="weighted_mean", **_COMMON)

LAYERS = (SOCIAL_SHARE, RENT)
