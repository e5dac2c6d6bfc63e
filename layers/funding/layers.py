"""Map layers of the funding section: MSS status and dynamics, special attention need (derived) and need vs funding."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..spatial.basis import Basis
from ..spec import Category, LayerResult, LayerSpec, result_from_frame
from ..standards import current_params
from .areas import has_funding_programmes, unit_overlap
from .mss import DYNAMICS, STATUS, class_on_basis, indicator, indicator_period, mss_table

SECTION = "infrastructure"
PROVENANCE = "indicators (MSS 2021 status and dynamics index per Planungsraum) and funding_areas"
NO_NEED_COLOUR, NEED_COLOUR = "#F0F0F0", "#CC79A7"  # neutral grey, Okabe–Ito reddish purple (docs/accessibility.md)


def _result(layer_id: str, bundle: Bundle, basis: Basis, period: str, frame: pd.DataFrame, interpolated: str | None,
            keys: tuple[str, ...] = ("mss", "demo", "population")) -> LayerResult:
    """A class rests on all residents of its units (disclosure looks at the residents); the MSS carries its own date
    (MSS 2021: 31.12.2020), which the result states beside the population's Stichtag."""
    out = pd.DataFrame({"value": frame["value"], "numerator": frame["residents"], "denominator": frame["residents"],
                        "residents": frame["residents"]}, index=frame.index)
    result = result_from_frame(layer_id, bundle, basis, period, out, keys, None, interpolated)
    mss_date = indicator_period(bundle, STATUS)
    return replace(result, data_dates=(("mss", mss_date),) if mss_date else ())


def compute_status(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                   period_from: str | None = None) -> LayerResult:
    """MSS status index class (1 high … 4 very low) per finest unit; cells: dominant unit; coarser: resident-weighted mode.

    Parameters
    ----------
    bundle : Bundle
        City bundle with the indicator ``mss_status_class`` per finest unit.
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the resident counts (and weights).
    scenario, group, period_from : optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: class code 1–4 as of the MSS (`data_dates`, MSS 2021: 2020-12-31); coarser levels weighted by the
        residents of the Stichtag `period`.

    Notes
    -----
    Finest units: the published class; cells: the class of the unit covering most of the cell; coarser units: the class
    in which most of their residents live (`mss.class_on_basis`).

    Examples
    --------
    District A: 1,000 residents in class 4 (A1) against 500 in class 2 (A2) → 4; B: 2,000 in class 3 against 40 → 3.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> r = compute_status(example_bundle(), Basis(level="district"), "2024-12-31")
    >>> r.values["value"].to_dict(), r.data_dates
    ({'A': 4.0, 'B': 3.0}, (('mss', '2020-12-31'),))
    """
    frame, interp = class_on_basis(bundle, basis, indicator(bundle, STATUS), period)
    return _result(STATUS_LAYER.id, bundle, basis, period, frame, interp)


def compute_dynamics(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                     period_from: str | None = None) -> LayerResult:
    """MSS dynamics index class (1 positive, 3 stable, 5 negative).

    Parameters
    ----------
    bundle : Bundle
        City bundle with the indicator ``mss_dynamics_class`` per finest unit.
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the resident counts (and weights).
    scenario, group, period_from : optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: class code 1, 3 or 5 as of the MSS (`data_dates`); levels and cells as in `compute_status`.

    Notes
    -----
    The published class of the change over the two years before the MSS date; aggregated as the status class.

    Examples
    --------
    The example city has no dynamics index: no value.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_dynamics(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].isna().all()
    np.True_
    """
    frame, interp = class_on_basis(bundle, basis, indicator(bundle, DYNAMICS), period)
    return _result(DYNAMICS_LAYER.id, bundle, basis, period, frame, interp)


def compute_attention(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                      period_from: str | None = None) -> LayerResult:
    """Special attention need (1) or not (0) by the MSS rule, derived from status and dynamics.

    Parameters
    ----------
    bundle : Bundle
        City bundle with the MSS status and dynamics classes per finest unit.
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the resident counts (and weights).
    scenario, group, period_from : optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: 1 need, 0 no need, as of the MSS (`data_dates`); levels and cells as in `compute_status`.

    Notes
    -----
    need = [status ∈ {3 low, 4 very low}] or [status = 2 medium and dynamics = 5 negative]; unknown where the rule
    needs a dynamics class the unit lacks (`mss.mss_table`).

    Examples
    --------
    A1 (very low) and B1 (low) have need, B2 (high) has none; A2 (medium) is unknown without a dynamics class.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_attention(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].to_dict()
    {'A1': 1.0, 'A2': nan, 'B1': 1.0, 'B2': 0.0}
    """
    mss = mss_table(bundle)
    frame, interp = class_on_basis(bundle, basis, mss["attention"].dropna(), period)
    return _result(ATTENTION_LAYER.id, bundle, basis, period, frame, interp)


def need_funding_class(attention: np.ndarray, funded: np.ndarray) -> np.ndarray:
    """0 no need, not funded; 1 need and funded; 2 need, not funded; 3 funded without need (NaN: need unknown).

    >>> need_funding_class(np.array([1.0, 1.0, 0.0, 0.0, np.nan]), np.array([True, False, True, False, True])).tolist()
    [1.0, 2.0, 3.0, 0.0, nan]
    """
    a = np.asarray(attention, dtype=float)
    f = np.asarray(funded, dtype=bool)
    code = np.select([(a == 1) & f, (a == 1) & ~f, (a == 0) & f], [1.0, 2.0, 3.0], 0.0)
    return np.where(np.isfinite(a), code, np.nan)


def compute_need_funding(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                         period_from: str | None = None) -> LayerResult:
    """Special attention need against funding: is a unit with need inside a funding area, or should it be?

    Parameters
    ----------
    bundle : Bundle
        City bundle with MSS classes and ``funding_areas`` (programmes, polygons).
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the resident counts (and weights).
    scenario, group, period_from : optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: class code 0–3 (`need_funding_class`), need as of the MSS (`data_dates`), funding areas as listed;
        no value without funding programmes.

    Notes
    -----
    funded_u = [|u ∩ funding areas| / |u| ≥ ``funding_min_overlap``] (EPSG:3035); class 1 need and funded, 2 need not
    funded, 3 funded without need, 0 neither.

    Examples
    --------
    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_need_funding(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].isna().all()
    np.True_
    """
    finest = bundle.finest_level.id
    mss = mss_table(bundle)
    if not has_funding_programmes(bundle):  # protection instruments are no funding: without programmes nothing to compare
        mss = mss.iloc[0:0]
    funded = unit_overlap(bundle, finest)["funded_share"].reindex(mss.index).fillna(0.0) >= current_params().funding_min_overlap
    codes = pd.Series(need_funding_class(mss["attention"].to_numpy(), funded.to_numpy()), index=mss.index).dropna()
    frame, interp = class_on_basis(bundle, basis, codes, period)
    return _result(NEED_FUNDING_LAYER.id, bundle, basis, period, frame, interp, ("mss", "demo", "erhaltungsgebiete", "population"))


_COMMON = dict(provenance=PROVENANCE, section=SECTION, unit_de="Klasse", unit_en="class", value_format=".0f", colorscale="Viridis")
STATUS_LAYER = LayerSpec(
    "funding_mss_status", "MSS Statusindex 2021", "MSS status index 2021",
    "Statusindex des Monitorings Soziale Stadtentwicklung 2021 je Planungsraum (hoch bis sehr niedrig). Gröbere Ebenen: die Klasse, "
    "in der die meisten Einwohner/innen leben (abgeleitet); Zellen: Klasse des Planungsraums mit dem größten Flächenanteil.",
    "Status index of the Monitoring Soziale Stadtentwicklung 2021 per Planungsraum (high to very low). Coarser levels: the class "
    "most residents live in (derived); cells: class of the Planungsraum covering most of the cell.",
    compute=compute_status,
    categories=(Category(1, "hoch", "high", "#0072B2"), Category(2, "mittel", "medium", "#56B4E9"),
                Category(3, "niedrig", "low", "#E69F00"), Category(4, "sehr niedrig", "very low", "#D55E00")), **_COMMON)
DYNAMICS_LAYER = LayerSpec(
    "funding_mss_dynamics", "MSS Dynamikindex 2021", "MSS dynamics index 2021",
    "Dynamikindex des MSS 2021 (Veränderung über zwei Jahre): positiv, stabil, negativ. Ebenen und Zellen wie beim Statusindex.",
    "Dynamics index of the MSS 2021 (change over two years): positive, stable, negative. Levels and cells as for the status index.",
    compute=compute_dynamics,
    categories=(Category(1, "positiv", "positive", "#0072B2"), Category(3, "stabil", "stable", "#F0F0F0"),
                Category(5, "negativ", "negative", "#CC79A7")), **_COMMON)
ATTENTION_LAYER = LayerSpec(
    "funding_attention", "Besonderer Aufmerksamkeitsbedarf (abgeleitet)", "Special attention need (derived)",
    "Abgeleitet nach der veröffentlichten MSS-Regel: Status niedrig oder sehr niedrig, oder mittel mit negativer Dynamik.",
    "Derived by the published MSS rule: status low or very low, or medium with negative dynamics.",
    compute=compute_attention,
    categories=(Category(0, "kein besonderer Bedarf", "no special need", NO_NEED_COLOUR),
                Category(1, "besonderer Aufmerksamkeitsbedarf", "special attention need", NEED_COLOUR)), **_COMMON)
NEED_FUNDING_LAYER = LayerSpec(
    "funding_need_vs_funding", "Bedarf und Förderung", "Need and funding",
    "Aufmerksamkeitsbedarf (MSS-Regel) gegen Lage in einem Fördergebiet (mindestens der eingestellte Flächenanteil): "
    "mit Bedarf gefördert, mit Bedarf ohne Förderung, gefördert ohne aktuellen Bedarf, weder noch.",
    "Attention need (MSS rule) against location in a funding area (at least the configured share of the area): need and "
    "funded, need without funding, funded without current need, neither.",
    compute=compute_need_funding,
    categories=(Category(0, "kein Bedarf, keine Förderung", "no need, not funded", "#F0F0F0"),
                Category(1, "Bedarf, gefördert", "need, funded", "#0072B2"),
                Category(2, "Bedarf, ohne Förderung", "need, not funded", "#E69F00"),
                Category(3, "gefördert, ohne aktuellen Bedarf", "funded, no current need", "#56B4E9")), **_COMMON)

LAYERS = (STATUS_LAYER, DYNAMICS_LAYER, ATTENTION_LAYER, NEED_FUNDING_LAYER)
