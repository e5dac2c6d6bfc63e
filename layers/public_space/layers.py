"""Map layers of public space: green and play space per resident, environmental-justice green class, usage pressure."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..funding.mss import class_on_basis, indicator
from ..spatial.basis import Basis
from ..spec import Category, LayerResult, LayerSpec, result_from_frame
from ..standards import current_params
from .supply import per_resident, pressure_on_basis, supply

SECTION = "infrastructure"
PROVENANCE = "green_spaces (official lists of parks and playgrounds, areas in m²) and population"
EJ_GREEN = "ej_green_supply_class"


def _result(layer_id: str, bundle: Bundle, basis: Basis, period: str, frame: pd.DataFrame, interp: str | None,
            keys: tuple[str, ...], notes: pd.DataFrame | None = None) -> LayerResult:
    return result_from_frame(layer_id, bundle, basis, period, frame, keys, None, interp, notes)


def _standard_notes(value: np.ndarray, standard: float, ids, what: tuple[str, str]) -> pd.DataFrame:
    pct = np.where(np.isfinite(value), 100.0 * value / standard, np.nan).tolist()  # Python floats: numpy scalars format slowly
    std_de = f"{standard:g}".replace(".", ",")
    de = [f"{what[0]}: Richtwert {std_de} m² je Einw., erreicht {p:.0f} %" if math.isfinite(p) else "" for p in pct]
    en = [f"{what[1]}: standard {standard:g} m² per resident, {p:.0f} % reached" if math.isfinite(p) else "" for p in pct]
    return pd.DataFrame({"de": de, "en": en}, index=ids)


def _per_resident_layer(layer_id: str, bundle: Bundle, basis: Basis, period: str, column: str, standard: float,
                        what: tuple[str, str]) -> LayerResult:
    """m² of `column` per resident, with a hover note of the share of the standard reached."""
    a, interp = supply(bundle, basis, period)
    value = per_resident(a[column].to_numpy(), a["residents"].to_numpy())
    if not bundle.has("green_spaces"):  # no green-space list in the bundle: no value, never 0 m²
        value = np.full(len(a), np.nan)
    frame = pd.DataFrame({"value": value, "numerator": a["residents"], "denominator": a["residents"], "residents": a["residents"]}, index=a.index)
    notes = _standard_notes(value, standard, a.index, what)
    return _result(layer_id, bundle, basis, period, frame, interp, ("green_spaces", "demo", "population"), notes)


def compute_green(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                  period_from: str | None = None) -> LayerResult:
    """Public park area per resident (m²), against the configured green-space guideline.

    Parameters
    ----------
    bundle : Bundle
        City bundle with ``green_spaces`` (kind park, ``area_m2``) and population counts (persons).
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the resident counts (and weights).
    scenario, group, period_from : optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: m² of park per resident of the Stichtag `period` (parks as listed, their own date); ``notes``: the
        share of the guideline ``green_space_guideline_m2`` reached.

    Notes
    -----
    green_a = Σ_{parks in a} area_m2 / residents_a per finest unit; coarser levels sum both, H3 cells interpolate both
    by area (`supply.supply`, `supply.per_resident`: 12,000 m² for 3,000 residents give 4.0).

    Examples
    --------
    The example city has no green-space list: no value anywhere, never 0 m².

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_green(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].isna().all()
    np.True_
    """
    return _per_resident_layer(GREEN.id, bundle, basis, period, "park_m2", current_params().green_guideline_m2, ("Grünfläche", "Green space"))


def compute_play(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                 period_from: str | None = None) -> LayerResult:
    """Net playground area per resident (m²), against the playground standard (Berlin: 1 m² per resident).

    Parameters
    ----------
    bundle : Bundle
        City bundle with ``green_spaces`` (kind playground, ``net_area_m2``) and population counts (persons).
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the resident counts (and weights).
    scenario, group, period_from : optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: m² of net play area per resident of the Stichtag `period`; ``notes``: the share of
        ``playground_standard_m2`` reached.

    Notes
    -----
    play_a = Σ_{playgrounds in a} net_area_m2 / residents_a (playgrounds without a net area count 0), summed and
    interpolated like `compute_green`.

    Examples
    --------
    The example city has no green-space list: no value anywhere, never 0 m².

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_play(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].isna().all()
    np.True_
    """
    return _per_resident_layer(PLAY.id, bundle, basis, period, "play_net_m2", current_params().playground_standard_m2,
                               ("Nettospielfläche", "Net play area"))


def compute_ej_green(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                     period_from: str | None = None) -> LayerResult:
    """Green-space supply class of the environmental-justice atlas (1 high, 2 medium, 3 low supply), as published per Planungsraum.

    Parameters
    ----------
    bundle : Bundle
        City bundle with the indicator ``ej_green_supply_class`` per finest unit.
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the resident counts (and weights).
    scenario, group, period_from : optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: class code 1–3 as of the atlas (Berlin: Umweltgerechtigkeit 2021/22); residents of the Stichtag
        `period` weigh the coarser levels.

    Notes
    -----
    Finest units: the published class; cells: the class of the unit covering most of the cell; coarser units: the class
    most residents live in (`funding.mss.class_on_basis`).

    Examples
    --------
    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_ej_green(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].isna().all()
    np.True_
    """
    frame, interp = class_on_basis(bundle, basis, indicator(bundle, EJ_GREEN), period)
    frame = frame.assign(numerator=frame["residents"], denominator=frame["residents"])
    return _result(EJ_GREEN_LAYER.id, bundle, basis, period, frame, interp, ("umweltgerechtigkeit", "population"))


def compute_pressure(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                     period_from: str | None = None) -> LayerResult:
    """Usage pressure: residents within walking distance of the area's parks per m² of park (persons per m²).

    Parameters
    ----------
    bundle : Bundle
        City bundle with ``green_spaces`` (parks with a point or a unit) and population counts (persons).
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the resident counts (and weights).
    scenario, group, period_from : optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: residents per m² of park, residents of the Stichtag `period`.

    Notes
    -----
    R_j = residents of the finest H3 cells whose centre lies within ``green_walking_distance_m`` walking of park j;
    P_a = Σ_j R_j / Σ_j A_j over the parks j of area a (`supply.pressure_on_basis`).

    Examples
    --------
    The example city has no green-space list: no value anywhere, never 0 m².

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_pressure(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].isna().all()
    np.True_
    """
    params = current_params()
    agg, interp = pressure_on_basis(bundle, basis, period, params)
    residents = bundle.counts(basis, period).frame["pop_total"].reindex(agg.index).fillna(0.0)
    frame = pd.DataFrame({"value": agg["pressure"], "numerator": agg["reach"], "denominator": agg["reach"], "residents": residents})
    return _result(PRESSURE.id, bundle, basis, period, frame, interp, ("green_spaces", "demo", "population"))


_COMMON = dict(provenance=PROVENANCE, section=SECTION)
GREEN = LayerSpec(
    "public_green_per_resident", "Grünfläche je Einwohner/in", "Green space per resident",
    "Fläche öffentlicher Grünanlagen (amtliches Verzeichnis) je Einwohner/in in m²; der Hover vergleicht mit dem Richtwert "
    "(Berlin: 6 m² wohnungsnahes Grün je Einwohner/in).",
    "Area of public parks (official list) per resident in m²; the hover compares it with the guideline (Berlin: 6 m² of "
    "neighbourhood green per resident).",
    "m² je Einw.", "m² per resident", ".1f", "Greens", compute_green, **_COMMON)
PLAY = LayerSpec(
    "public_play_per_resident", "Nettospielfläche je Einwohner/in", "Net play area per resident",
    "Nettospielfläche öffentlicher Spielplätze je Einwohner/in in m²; das Berliner Kinderspielplatzgesetz nennt 1 m² je "
    "Einwohner/in als Richtwert.",
    "Net play area of public playgrounds per resident in m²; Berlin's playground law sets 1 m² per resident as the standard.",
    "m² je Einw.", "m² per resident", ".2f", "YlGn", compute_play, **_COMMON)
EJ_GREEN_LAYER = LayerSpec(
    "public_ej_green_class", "Grünversorgung (Umweltgerechtigkeit)", "Green supply (environmental justice)",
    "Grünflächenversorgung nach dem Umweltgerechtigkeitsatlas 2021/22 je Planungsraum (Versorgung hoch, mittel, gering).",
    "Green-space supply class of the environmental-justice atlas 2021/22 per Planungsraum (high, medium, low supply).",
    "Klasse", "class", ".0f", "Viridis", compute_ej_green,
    categories=(Category(1, "Versorgung hoch", "high supply", "#0072B2"), Category(2, "Versorgung mittel", "medium supply", "#F0E442"),
                Category(3, "Versorgung gering", "low supply", "#D55E00")),
    provenance="indicators (ej_green_supply_class, Umweltatlas Berlin, Umweltgerechtigkeit 2021/22)", section=SECTION)
PRESSURE = LayerSpec(
    "public_usage_pressure", "Nutzungsdruck auf Grünanlagen", "Usage pressure on parks",
    "Einwohner/innen in Gehweite (Standard 500 m) der Grünanlagen des Gebiets je m² Grünfläche. Ohne Koordinaten im "
    "Verzeichnis (Berlin) liegt jede Anlage am Mittelpunkt ihres Planungsraums (Näherung).",
    "Residents within walking distance (default 500 m) of the area's parks per m² of park. Where the list has no coordinates "
    "(Berlin), each park sits at a point inside its Planungsraum (approximation).",
    "Einw. je m²", "residents per m²", ".2f", "OrRd", compute_pressure, **_COMMON)

LAYERS = (GREEN, PLAY, EJ_GREEN_LAYER, PRESSURE)
