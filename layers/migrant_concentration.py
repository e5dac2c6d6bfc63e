"""Migrant concentration (BRIEF §3.1): counts, shares, location quotient and change of population groups."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .bundle import AGE_BANDS, Bundle
from .spatial.basis import Basis
from .spec import Group, LayerResult, LayerSpec, find_by_id

PROVENANCE = "population / population_points: residents with main residence per Stichtag (Einwohnerregister or synthetic)"
AGE_TITLES = {
    "age_0_6": ("unter 6 Jahren", "under 6"), "age_6_15": ("6 bis unter 15", "6 to under 15"),
    "age_15_18": ("15 bis unter 18", "15 to under 18"), "age_18_27": ("18 bis unter 27", "18 to under 27"),
    "age_27_45": ("27 bis unter 45", "27 to under 45"), "age_45_55": ("45 bis unter 55", "45 to under 55"),
    "age_55_65": ("55 bis unter 65", "55 to under 65"), "age_65_plus": ("65 und älter", "65 and older"),
}
ORIGIN_TITLES = {
    "european_union": ("EU", "EU"), "eu": ("EU", "EU"), "france": ("Frankreich", "France"), "greece": ("Griechenland", "Greece"),
    "italy": ("Italien", "Italy"), "austria": ("Österreich", "Austria"), "spain": ("Spanien", "Spain"), "poland": ("Polen", "Poland"),
    "bulgaria": ("Bulgarien", "Bulgaria"), "rumania": ("Rumänien", "Romania"), "croatia": ("Kroatien", "Croatia"),
    "united_kingdom": ("Vereinigtes Königreich", "United Kingdom"), "former_yugoslavia": ("ehem. Jugoslawien", "former Yugoslavia"),
    "bosnia_herzegovina": ("Bosnien und Herzegowina", "Bosnia and Herzegovina"), "serbia": ("Serbien", "Serbia"),
    "former_soviet_union": ("ehem. Sowjetunion", "former Soviet Union"), "russia": ("Russland", "Russia"),
    "ukraine": ("Ukraine", "Ukraine"), "kazakhstan": ("Kasachstan", "Kazakhstan"),
    "islamic_countries": ("islamisch geprägte Länder", "Islamic countries"), "turkey": ("Türkei", "Turkey"), "iran": ("Iran", "Iran"),
    "arabic_countries": ("arabische Länder", "Arab countries"), "arab_countries": ("arabische Länder", "Arab countries"),
    "lebanon": ("Libanon", "Lebanon"), "syria": ("Syrien", "Syria"), "vietnam": ("Vietnam", "Vietnam"),
    "united_states": ("Vereinigte Staaten", "United States"), "undefined": ("ungeklärt", "undetermined"), "other": ("sonstige", "other"),
}


def available_groups(bundle: Bundle) -> tuple[Group, ...]:
    """The groups the bundle's count columns support, in menu order."""
    cols = set(bundle.count_columns)
    groups = [
        Group("mig_bg", "Einwohner/innen mit Migrationshintergrund", "Residents with migration background", "pop_mig_bg"),
        Group("foreign", "Ausländische Staatsangehörige", "Foreign nationals", "pop_foreign"),
        Group("german_mig_bg", "Deutsche mit Migrationshintergrund", "Germans with migration background", "pop_german_mig_bg"),
    ]
    for band in AGE_BANDS:
        de, en = AGE_TITLES[band]
        # the share's base is the age band itself: the title says so (BRIEF §6: every share names its base)
        groups.append(Group(f"mig_bg_{band}", f"Mit Migrationshintergrund, {de} (Basis: alle {de})",
                            f"With migration background, {en} (base: all aged {en})", f"mig_bg_{band}", band))
    for col in sorted(c for c in cols if c.startswith("origin_")):
        name = col.removeprefix("origin_")
        de, en = ORIGIN_TITLES.get(name, (name.replace("_", " "), name.replace("_", " ")))
        groups.append(Group(col, f"Herkunftsregion {de}", f"Origin region {en}", col))
    return tuple(g for g in groups if g.numerator in cols and g.denominator in cols)


def _group(bundle: Bundle, group_id: str | None) -> Group:
    return find_by_id(available_groups(bundle), group_id, "mig_bg")


def _frame(bundle: Bundle, basis: Basis, period: str, group: Group) -> tuple[pd.DataFrame, str | None]:
    counts = bundle.counts(basis, period)
    f = counts.frame
    out = pd.DataFrame({"numerator": f[group.numerator].astype(float), "denominator": f[group.denominator].astype(float),
                        "residents": f["pop_total"].astype(float)})
    return out.reindex(bundle.ids(basis), fill_value=0.0), counts.interpolated_from


def _share_pct(frame: pd.DataFrame) -> pd.Series:
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100.0 * frame["numerator"] / frame["denominator"].where(frame["denominator"] > 0)


def _result(layer_id: str, frame: pd.DataFrame, basis: Basis, period: str, group: Group, interpolated: str | None, bundle: Bundle,
            period_from: str | None = None) -> LayerResult:
    frame["suppressed"] = False
    sources = tuple(s.key for s in bundle.manifest.sources if s.key in ("population", "demo"))
    return LayerResult(layer_id, frame[["value", "numerator", "denominator", "residents", "suppressed"]], basis, period,
                       group.id, period_from, interpolated, sources)


def compute_share(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None, period_from: str | None = None) -> LayerResult:
    """Share of a group in its denominator, in % (e.g. residents with migration background / all residents × 100).

    Parameters
    ----------
    bundle : Bundle
        City bundle; its count columns (persons per unit or address point and Stichtag) give x and t.
    basis : Basis
        Administrative level or H3 resolution (H3 counts are areally interpolated from unit tables).
    period : str
        Stichtag, ISO date (e.g. ``"2024-12-31"``): the register date of the counts.
    scenario : object, optional
        Unused: a scenario acts through the bundle it overlays.
    group : str, optional
        Group id of `available_groups` (default ``"mig_bg"``): numerator x and denominator t columns.
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: share in % of the residents counted on the Stichtag `period` (no value where t_i = 0);
        ``numerator`` x_i and ``denominator`` t_i in persons.

    Notes
    -----
    share_pct_i = 100 · x_i / t_i (docs/methods.md, "Migrant concentration").

    Examples
    --------
    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_share(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].to_dict()
    {'A1': 60.0, 'A2': 20.0, 'B1': 20.0, 'B2': 5.0}
    >>> compute_share(example_bundle(), Basis(level="district"), "2024-12-31").values["value"].round(2).to_dict()  # 700/1500, 402/2040
    {'A': 46.67, 'B': 19.71}
    """
    g = _group(bundle, group)
    frame, interp = _frame(bundle, basis, period, g)
    frame["value"] = _share_pct(frame)
    return _result(SHARE.id, frame, basis, period, g, interp, bundle)


def compute_count(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None, period_from: str | None = None) -> LayerResult:
    """Number of residents in the group (persons).

    Parameters
    ----------
    bundle : Bundle
        City bundle; its count columns (persons per unit or address point and Stichtag) give x and t.
    basis : Basis
        Administrative level or H3 resolution (H3 counts are areally interpolated from unit tables).
    period : str
        Stichtag, ISO date (e.g. ``"2024-12-31"``): the register date of the counts.
    scenario : object, optional
        Unused: a scenario acts through the bundle it overlays.
    group : str, optional
        Group id of `available_groups` (default ``"mig_bg"``): numerator x and denominator t columns.
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: x_i, persons in the group on the Stichtag `period` (fractional on H3 cells, which are interpolated).

    Notes
    -----
    x_i = the group's count column summed over the unit (exact) or interpolated to the cell (areal weighting).

    Examples
    --------
    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_count(example_bundle(), Basis(level="district"), "2024-12-31").values["value"].to_dict()  # 600 + 100, 400 + 2
    {'A': 700.0, 'B': 402.0}
    """
    g = _group(bundle, group)
    frame, interp = _frame(bundle, basis, period, g)
    frame["value"] = frame["numerator"]
    return _result(COUNT.id, frame, basis, period, g, interp, bundle)


def compute_location_quotient(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                              period_from: str | None = None) -> LayerResult:
    """Location quotient LQ_i = (x_i / t_i) / (X / T): 1 = city average; X, T are city totals of the same period.

    Parameters
    ----------
    bundle : Bundle
        City bundle; its count columns (persons per unit or address point and Stichtag) give x and t.
    basis : Basis
        Administrative level or H3 resolution (H3 counts are areally interpolated from unit tables).
    period : str
        Stichtag, ISO date (e.g. ``"2024-12-31"``): the register date of the counts.
    scenario : object, optional
        Unused: a scenario acts through the bundle it overlays.
    group : str, optional
        Group id of `available_groups` (default ``"mig_bg"``): numerator x and denominator t columns.
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: LQ, dimensionless (1 = the city's share on the same basis), Stichtag `period`.

    Notes
    -----
    LQ_i = (x_i / t_i) / (X / T) with X = Σ_i x_i, T = Σ_i t_i over all areas of the basis (Isard 1960).

    Examples
    --------
    City: X = 1,102 of T = 3,540, so A1 (600 of 1,000) has LQ = 0.6 · 3540 / 1102 = 1.927.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_location_quotient(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].round(3).to_dict()
    {'A1': 1.927, 'A2': 0.642, 'B1': 0.642, 'B2': 0.161}
    """
    g = _group(bundle, group)
    frame, interp = _frame(bundle, basis, period, g)
    city_share = frame["numerator"].sum() / frame["denominator"].sum()
    frame["value"] = _share_pct(frame) / (100.0 * city_share)
    return _result(LOCATION_QUOTIENT.id, frame, basis, period, g, interp, bundle)


def compute_change(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                   period_from: str | None = None) -> LayerResult:
    """Change of the share between `period_from` (default: the first period) and `period`, in percentage points.

    Parameters
    ----------
    bundle : Bundle
        City bundle; its count columns (persons per unit or address point and Stichtag) give x and t.
    basis : Basis
        Administrative level or H3 resolution (H3 counts are areally interpolated from unit tables).
    period : str
        Stichtag, ISO date (e.g. ``"2024-12-31"``): the register date of the counts.
    scenario : object, optional
        Unused: a scenario acts through the bundle it overlays.
    group : str, optional
        Group id of `available_groups` (default ``"mig_bg"``): numerator x and denominator t columns.
    period_from : str, optional
        Start Stichtag t₀, ISO date (default: the bundle's first period).

    Returns
    -------
    LayerResult
        ``value``: share at `period` minus share at `period_from`, in percentage points; ``period_from`` is set.
        ``numerator``, ``denominator`` and ``residents`` are the smaller of the two Stichtage's counts (for disclosure).

    Notes
    -----
    Δ_i = share_pct_i(t₁) − share_pct_i(t₀), both on the same basis.

    Examples
    --------
    The example city had half its residents with migration background a year earlier (A1: 300 of 1,000).

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> r = compute_change(example_bundle(), Basis(level="block"), "2024-12-31", period_from="2023-12-31")
    >>> r.values["value"].to_dict(), float(r.values.loc["A1", "numerator"])
    ({'A1': 30.0, 'A2': 10.0, 'B1': 10.0, 'B2': 2.5}, 300.0)
    """
    g = _group(bundle, group)
    start = period_from or bundle.periods[0]
    frame, interp = _frame(bundle, basis, period, g)
    before, _ = _frame(bundle, basis, start, g)
    frame["value"] = _share_pct(frame) - _share_pct(before)
    # Disclosure looks at the smaller of the two periods' counts.
    frame["numerator"] = np.minimum(frame["numerator"], before["numerator"])
    frame["denominator"] = np.minimum(frame["denominator"], before["denominator"])
    frame["residents"] = np.minimum(frame["residents"], before["residents"])
    return _result(CHANGE.id, frame, basis, period, g, interp, bundle, start)


_COMMON = dict(provenance=PROVENANCE, groups=available_groups)
SHARE = LayerSpec(
    "migration_share", "Anteil der Gruppe", "Share of group",
    "Anteil der gewählten Gruppe an allen Einwohner/innen (bzw. an der Altersgruppe), in Prozent.",
    "Share of the chosen group among all residents (or among the age band), in per cent.",
    "%", "%", ".1f", "Viridis", compute_share, aggregate="ratio_pct", **_COMMON)
COUNT = LayerSpec(
    "migration_count", "Anzahl in der Gruppe", "Residents in group",
    "Zahl der Einwohner/innen in der gewählten Gruppe.", "Number of residents in the chosen group.",
    "Personen", "persons", ",.0f", "Blues", compute_count, aggregate="sum", **_COMMON)
LOCATION_QUOTIENT = LayerSpec(
    "migration_lq", "Lokationsquotient", "Location quotient",
    "Anteil im Gebiet geteilt durch den Anteil in der ganzen Stadt: 1 = Stadtdurchschnitt, 2 = doppelt so hoch.",
    "Share in the area divided by the share in the whole city: 1 = city average, 2 = twice as high.",
    "LQ", "LQ", ".2f", "PuOr_r", compute_location_quotient, midpoint=1.0, aggregate="location_quotient", **_COMMON)
CHANGE = LayerSpec(
    "migration_change", "Veränderung des Anteils", "Change of share",
    "Veränderung des Anteils zwischen zwei Stichtagen, in Prozentpunkten.",
    "Change of the share between two reference dates, in percentage points.",
    "Prozentpunkte", "percentage points", "+.1f", "PuOr_r", compute_change, midpoint=0.0, needs_period_from=True,
    aggregate="ratio_pct", change_of="migration_share", **_COMMON)
