"""Map layers of social infrastructure: nearest distance, coverage, capacity per resident and need-weighted gap."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..spatial.basis import Basis
from ..spec import Group, LayerResult, LayerSpec, result_from_frame
from ..standards import current_params
from .access import TYPE_TITLES, access, capacity_types, distance_notes, facility_types

SECTION = "infrastructure"
PROVENANCE = ("facilities (Kitas, schools, youth clubs, OpenStreetMap POIs or demo) and population; walking distance = "
              "street network where the bundle has one, else straight line × detour factor (layers/spatial/routing.py)")


def _groups(types: list[str]) -> tuple[Group, ...]:
    return tuple(Group(k, TYPE_TITLES[k][0], TYPE_TITLES[k][1], k, "pop_total") for k in types)


def type_groups(bundle: Bundle) -> tuple[Group, ...]:
    """One group per facility type the bundle has."""
    return _groups(facility_types(bundle))


def capacity_groups(bundle: Bundle) -> tuple[Group, ...]:
    return _groups(capacity_types(bundle))


def _kind(bundle: Bundle, group: str | None, groups) -> str | None:
    ids = [g.id for g in groups(bundle)]
    if not ids:
        return None  # the bundle has no facilities (of a type with capacities): no value anywhere
    if group is None:
        return ids[0]
    if group not in ids:
        raise KeyError(f"unknown facility type {group!r}; types in this bundle: {', '.join(ids)}")
    return group


def _result(layer_id: str, bundle: Bundle, basis: Basis, period: str, kind: str, frame: pd.DataFrame,
            interpolated: str | None, notes: pd.DataFrame | None = None) -> LayerResult:
    return result_from_frame(layer_id, bundle, basis, period, frame, ("population", "demo", "kitas", "schools", "youth", "osm"), kind,
                             interpolated, notes)


def _empty(layer_id: str, bundle: Bundle, basis: Basis, period: str) -> LayerResult:
    ids = bundle.ids(basis)
    frame = pd.DataFrame({"value": np.nan, "numerator": 0.0, "denominator": 0.0, "residents": 0.0}, index=ids)
    return _result(layer_id, bundle, basis, period, None, frame, None)


def _access_layer(layer_id: str, bundle: Bundle, basis: Basis, period: str, group: str | None, groups, frame_of, with_notes: bool = False
                  ) -> LayerResult:
    """The common path of the access layers: pick the facility type, compute access once, shape the layer's frame."""
    params = current_params()
    kind = _kind(bundle, group, groups)
    if kind is None:
        return _empty(layer_id, bundle, basis, period)
    acc = access(bundle, basis, period, kind, params)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame = frame_of(acc.frame)
    notes = distance_notes(bundle, basis, period, params) if with_notes else None
    return _result(layer_id, bundle, basis, period, kind, frame, acc.interpolated_from, notes)


def compute_distance(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                     period_from: str | None = None) -> LayerResult:
    """Walking distance (m) to the nearest facility of the type: cell centre, or mean over the unit's residents.

    Parameters
    ----------
    bundle : Bundle
        City bundle with ``facilities`` (points) and population counts (persons).
    basis : Basis
        Administrative level or H3 resolution (cells: from their centre; units: over their residents, `access.access`).
    period : str
        Stichtag, ISO date: the date of the resident counts.
    scenario : object, optional
        Unused.
    group : str, optional
        Facility type (`type_groups`; default: the first type the bundle has).
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: walking distance in metres; residents of the Stichtag `period`, facilities as listed in their source (its
        own date, e.g. Kitaliste 01/2026); no value where the bundle has no facility of the type.
        ``notes``: the distances to every type.

    Notes
    -----
    Cells: d_c from the cell centre. Units: d̄_u = Σ_o r_o d_o / Σ_o r_o over the unit's origins o (address points, or
    the pieces unit ∩ finest H3 cell with r_o = residents_u × unit share).

    Examples
    --------
    The example's only facility is a Kita at the centre of block A1 (blocks are 0.01° squares, about 690 m × 1,110 m;
    walking distance = straight line × 1.3, coverage distance 500 m, i.e. 385 m straight).
    A1 holds the Kita, B2 lies diagonally across from it.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> v = compute_distance(example_bundle(), Basis(level="block"), "2024-12-31").values["value"]
    >>> v.idxmin(), v.idxmax()
    ('A1', 'B2')
    """
    return _access_layer(DISTANCE.id, bundle, basis, period, group, type_groups, lambda a: pd.DataFrame(
        {"value": a["dist_m"].where(np.isfinite(a["dist_m"])), "numerator": a["residents"], "denominator": a["residents"],
         "residents": a["residents"]}, index=a.index), with_notes=True)


def compute_coverage(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                     period_from: str | None = None) -> LayerResult:
    """Share of residents (%) within the type's coverage distance of a facility of the type.

    Parameters
    ----------
    bundle : Bundle
        City bundle with ``facilities`` (points) and population counts (persons).
    basis : Basis
        Administrative level or H3 resolution (cells: from their centre; units: over their residents, `access.access`).
    period : str
        Stichtag, ISO date: the date of the resident counts.
    scenario : object, optional
        Unused.
    group : str, optional
        Facility type (`type_groups`; default: the first type the bundle has).
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: % of the residents; residents of the Stichtag `period`, facilities as listed in their source (its
        own date, e.g. Kitaliste 01/2026); no value where the bundle has no facility of the type.

    Notes
    -----
    coverage = 100 · Σ_o r_o [d_o ≤ D] / Σ_o r_o, D = ``coverage_m_<type>`` (Kitas: 500 m).

    Examples
    --------
    The example's only facility is a Kita at the centre of block A1 (blocks are 0.01° squares, about 690 m × 1,110 m;
    walking distance = straight line × 1.3, coverage distance 500 m, i.e. 385 m straight).
    B1's nearest edge is 0.005° north of the Kita, 556 m straight or 723 m walking: nobody in B1 (or B2) is covered;
    A2's nearest edge is 343 m east (446 m walking), so part of A2 is.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> v = compute_coverage(example_bundle(), Basis(level="block"), "2024-12-31").values["value"]
    >>> float(v["B1"]), float(v["B2"]), bool(v["A1"] > v["A2"] > 0)
    (0.0, 0.0, True)
    """
    return _access_layer(COVERAGE.id, bundle, basis, period, group, type_groups, lambda a: pd.DataFrame(
        {"value": 100.0 * a["covered"] / a["residents"].where(a["residents"] > 0), "numerator": a["covered"],
         "denominator": a["residents"], "residents": a["residents"]}))


def compute_capacity(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                     period_from: str | None = None) -> LayerResult:
    """Places of the type's facilities located in the area per 100 residents of its target group.

    Parameters
    ----------
    bundle : Bundle
        City bundle with ``facilities`` (points) and population counts (persons).
    basis : Basis
        Administrative level or H3 resolution (cells: from their centre; units: over their residents, `access.access`).
    period : str
        Stichtag, ISO date: the date of the resident counts.
    scenario : object, optional
        Unused.
    group : str, optional
        Facility type with stated places (`capacity_groups`; default: the first type the bundle has).
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: places per 100 of the target group (Kitas: children under 6; youth clubs: 6 to under 18);
        residents of the Stichtag `period`, facilities as listed in their source (its
        own date, e.g. Kitaliste 01/2026); no value where the bundle has no facility of the type.

    Notes
    -----
    capacity_i = 100 · Σ_{f in i} places_f / target_i; facilities count where they stand, not where their users live.

    Examples
    --------
    Block A1: 70 places, 100 children under 6.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_capacity(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].round(6).to_dict()
    {'A1': 70.0, 'A2': 0.0, 'B1': 0.0, 'B2': 0.0}
    """
    return _access_layer(CAPACITY.id, bundle, basis, period, group, capacity_groups, lambda a: pd.DataFrame(
        {"value": 100.0 * a["capacity"].fillna(0.0) / a["target"].where(a["target"] > 0), "numerator": a["target"],
         "denominator": a["residents"], "residents": a["residents"]}))


def compute_gap(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                period_from: str | None = None) -> LayerResult:
    """Need-weighted residents of the target group beyond the coverage distance (persons).

    Disclosure counts the unserved target residents among all residents, as for a count layer.

    Parameters
    ----------
    bundle : Bundle
        City bundle with ``facilities`` (points) and population counts (persons).
    basis : Basis
        Administrative level or H3 resolution (cells: from their centre; units: over their residents, `access.access`).
    period : str
        Stichtag, ISO date: the date of the resident counts.
    scenario : object, optional
        Unused.
    group : str, optional
        Facility type (`type_groups`; default: the first type the bundle has).
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: weighted persons; residents of the Stichtag `period`, facilities as listed in their source (its
        own date, e.g. Kitaliste 01/2026); no value where the bundle has no facility of the type.
        The child poverty weights are the MSS's (its own date; Berlin 2020-12-31).

    Notes
    -----
    gap = Σ_o t_o [d_o > D] (1 + p_o / 100), t_o the target group at origin o (Kitas: children under 6) and p_o the
    child poverty (%) of its unit; weight 1 where there is none (`access.need_weight`).

    Examples
    --------
    The example's only facility is a Kita at the centre of block A1 (blocks are 0.01° squares, about 690 m × 1,110 m;
    walking distance = straight line × 1.3, coverage distance 500 m, i.e. 385 m straight).
    B1 is wholly beyond reach: 200 children × (1 + 20/100) = 240; B2 has no child poverty value: 4 × 1 = 4.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> v = compute_gap(example_bundle(), Basis(level="block"), "2024-12-31").values["value"]
    >>> round(float(v["B1"]), 6), round(float(v["B2"]), 6)
    (240.0, 4.0)
    """
    return _access_layer(GAP.id, bundle, basis, period, group, type_groups, lambda a: pd.DataFrame(
        {"value": a["unserved_need"], "numerator": a["target"] - a["covered_target"], "denominator": a["residents"],
         "residents": a["residents"]}))


_COMMON = dict(provenance=PROVENANCE, groups=type_groups, section=SECTION)
DISTANCE = LayerSpec(
    "infra_distance", "Fußweg zur nächsten Einrichtung", "Walk to the nearest facility",
    "Fußweg in Metern zur nächsten Einrichtung des gewählten Typs (auf dem Straßennetz, wo der Datensatz eines hat, sonst "
    "Luftlinie × Umwegfaktor); bei Gebieten der Mittelwert über die Einwohner/innen. Der Hover zeigt die Wege zu allen Typen.",
    "Walking distance in metres to the nearest facility of the chosen type (on the street network where the data set has one, "
    "else straight line × detour factor); for areas the mean over the residents. The hover shows the distances to all types.",
    "m", "m", ",.0f", "YlOrRd", compute_distance, **_COMMON)
COVERAGE = LayerSpec(
    "infra_coverage", "Versorgung in Gehweite", "Coverage within walking distance",
    "Anteil der Einwohner/innen, die eine Einrichtung des gewählten Typs innerhalb der eingestellten Entfernung erreichen "
    "(z. B. 500 m für Kitas und Spielplätze), in Prozent.",
    "Share of residents who reach a facility of the chosen type within the configured distance (e.g. 500 m for Kitas and "
    "playgrounds), in per cent.",
    "%", "%", ".0f", "Blues", compute_coverage, **_COMMON)
CAPACITY = LayerSpec(
    "infra_capacity", "Plätze je 100 der Zielgruppe", "Places per 100 of the target group",
    "Plätze der Einrichtungen des Typs im Gebiet je 100 Einwohner/innen der Zielgruppe (Kitas: Kinder unter 6; "
    "Jugendfreizeiteinrichtungen: 6 bis unter 18). Nur Typen mit Platzzahlen.",
    "Places of the type's facilities in the area per 100 residents of the target group (Kitas: children under 6; youth "
    "clubs: 6 to under 18). Only types with stated capacities.",
    "Plätze je 100", "places per 100", ".1f", "Greens", compute_capacity, provenance=PROVENANCE, groups=capacity_groups,
    section=SECTION)
GAP = LayerSpec(
    "infra_gap", "Unversorgte nach Bedarf gewichtet", "Unserved residents weighted by need",
    "Einwohner/innen der Zielgruppe (Kinder bei Kita, Schule, Spielplatz, Jugend) außerhalb der Versorgungsentfernung, "
    "gewichtet mit 1 + Kinderarmut/100 (MSS, wo vorhanden).",
    "Residents of the target group (children for Kitas, schools, playgrounds, youth clubs) beyond the coverage distance, "
    "weighted by 1 + child poverty/100 (MSS, where available).",
    "Personen (gewichtet)", "persons (weighted)", ",.0f", "OrRd", compute_gap, aggregate="sum", **_COMMON)

LAYERS = (DISTANCE, COVERAGE, CAPACITY, GAP)
