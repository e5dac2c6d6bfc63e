"""Internal map layers of accommodation: places per 1,000 residents and the share of places in large sites.

Both are ``internal`` (BRIEF §6: no sites of refugee accommodation in the public portal); the registry's visibility rule
keeps them out of every portal route.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..settings import active_settings
from ..spatial.basis import Basis
from ..spec import INTERNAL, Group, LayerResult, LayerSpec, result_from_frame
from .sites import TYPE_TITLES, has_sites, places_on, site_points

SECTION = "accommodation"
ALL = "all"
PROVENANCE = "accommodation (sites with type, places, opening and closing dates; internal) and population (residents)"
SOURCE_KEYS = ("accommodation", "demo", "population")


def type_groups(bundle: Bundle) -> tuple[Group, ...]:
    """"All sites" and one group per accommodation type the bundle has."""
    present = set(site_points(bundle)["type"])
    return (Group(ALL, "Alle Unterkünfte", "All accommodation", ALL, "pop_total"),
            *(Group(k, de, en, k, "pop_total") for k, (de, en) in TYPE_TITLES.items() if k in present))


def large_from() -> float:
    """Places from which a site counts as large (setting ``accommodation_large_site_places``)."""
    return float(active_settings().values["accommodation_large_site_places"])


def _places(bundle: Bundle, basis: Basis, period: str, group: str | None) -> pd.DataFrame:
    if group not in (None, ALL) and group not in TYPE_TITLES:
        raise KeyError(f"unknown accommodation type {group!r}; types: {', '.join([ALL, *TYPE_TITLES])}")
    return places_on(bundle, basis, period, large_from(), None if group in (None, ALL) else group)


def compute_places(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                   period_from: str | None = None) -> LayerResult:
    """Accommodation places per 1,000 residents on the Stichtag `period`.

    Parameters
    ----------
    bundle : Bundle
        City bundle with ``accommodation`` sites (``capacity`` in places, opened/closed dates) and population counts.
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the resident counts and of the sites open on it.
    scenario : object, optional
        Unused.
    group : str, optional
        Site type, or all sites (default).
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: places per 1,000 residents, both on the Stichtag `period`; ``numerator`` places.

    Notes
    -----
    value = 1,000 · P / R with P the places of the sites open on `period` (opened ≤ period < closed) in the area and R its
    residents (persons). An area with residents and no site has 0; an area without residents has no value.

    Examples
    --------
    An area with 2,000 residents and one open site of 50 places: 1,000 · 50 / 2,000 = 25 places per 1,000 residents
    (docs/methods.md, "Accommodation places"). The example city has no site list:

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_places(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].isna().all()  # no site list: no value
    np.True_
    """
    places = _places(bundle, basis, period, group)["places"]
    residents = bundle.counts(basis, period).frame["pop_total"].reindex(places.index).fillna(0.0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (1000.0 * places / residents.where(residents > 0)) if has_sites(bundle) else pd.Series(np.nan, index=places.index)
    frame = pd.DataFrame({"value": value, "numerator": places, "denominator": residents, "residents": residents})
    return result_from_frame(PLACES.id, bundle, basis, period, frame, SOURCE_KEYS, group or ALL)


def compute_large_share(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                        period_from: str | None = None) -> LayerResult:
    """Share of the area's accommodation places that are in large sites (%), on the Stichtag `period`.

    Parameters
    ----------
    bundle : Bundle
        City bundle with ``accommodation`` sites (``capacity`` in places, opened/closed dates).
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the resident counts and of the sites open on it.
    scenario : object, optional
        Unused.
    group : str, optional
        Site type, or all sites (default).
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: % of the places open on the Stichtag `period`; ``numerator`` places in large sites.

    Notes
    -----
    value = 100 · L / P with L the places in sites of at least ``accommodation_large_site_places`` places and P all places
    of the sites open on `period` in the area; no value where the area has no places.

    Examples
    --------
    Sites of 300 and 40 places with the threshold at 100: 100 · 300 / 340 = 88.2 % (docs/methods.md, "Accommodation places").

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_large_share(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].isna().all()  # no site list: no value
    np.True_
    """
    p = _places(bundle, basis, period, group)
    residents = bundle.counts(basis, period).frame["pop_total"].reindex(p.index).fillna(0.0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 100.0 * p["large_places"] / p["places"].where(p["places"] > 0)
    frame = pd.DataFrame({"value": value, "numerator": p["large_places"], "denominator": p["places"], "residents": residents})
    return result_from_frame(LARGE_SHARE.id, bundle, basis, period, frame, SOURCE_KEYS, group or ALL)


_COMMON = dict(provenance=PROVENANCE, groups=type_groups, section=SECTION, sensitivity=INTERNAL)
PLACES = LayerSpec(
    "accommodation_places", "Unterkunftsplätze je 1.000 Einwohner/innen", "Accommodation places per 1,000 residents",
    "Plätze in Unterkünften für Geflüchtete und andere Ankommende (am Stichtag geöffnet) je 1.000 Einwohner/innen des Gebiets. "
    "Beschreibt, wo Menschen ankommen und untergebracht sind; keine Bewertung des Quartiers. Intern: nie im öffentlichen Portal.",
    "Places in accommodation for refugees and other arriving people (open on the reference date) per 1,000 residents of the "
    "area. Describes where people arrive and are housed; not a verdict on the quarter. Internal: never in the public portal.",
    "je 1.000 EW", "per 1,000 residents", ",.1f", "Purples", compute_places, aggregate="weighted_mean", **_COMMON)
LARGE_SHARE = LayerSpec(
    "accommodation_large_share", "Anteil der Plätze in großen Unterkünften", "Share of places in large sites",
    "Anteil der Unterkunftsplätze des Gebiets in Unterkünften ab der eingestellten Größe (Standard 100 Plätze), in Prozent. "
    "Große Gemeinschaftsunterkünfte bündeln Ankommende an wenigen Orten; kleine, verteilte Standorte nicht.",
    "Share of the area's accommodation places in sites from the configured size (default 100 places), in per cent. Large "
    "shared sites gather arriving people in few places; small, dispersed sites do not.",
    "%", "%", ".0f", "Oranges", compute_large_share, aggregate="ratio_pct", **_COMMON)

LAYERS = (PLACES, LARGE_SHARE)
