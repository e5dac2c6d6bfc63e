"""Social layers (BRIEF §6): every social-monitoring indicator of a bundle (Berlin: MSS 2021, as of 31.12.2020) as a
map layer with its own date and source, and the same figures as context beside every migration figure.

Indicators are published per finest unit (Planungsraum) as shares. Coarser units show the resident-weighted mean of
their Planungsräume, H3 cells the resident-weighted mean of the Planungsräume that overlap them (labelled as
interpolated):

    v_A = Σ_u r_u · v_u / Σ_u r_u        (u: finest units in A with a value; r_u: the share's base population at the Stichtag)
    v_c = Σ_u w_uc · r_u · v_u / Σ_u w_uc · r_u        (w_uc: share of unit u's area in cell c)

The base r_u is whom the share counts among where the age bands can say it (unemployment: residents 15–65; child
poverty: under 15; old-age poverty: 65 and older; `BASES`), else all residents.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
import pandas as pd

from .bundle import Bundle
from .spatial.basis import Basis
from .spec import Category, Group, LayerResult, LayerSpec, result_from_frame

# The context shown beside migration figures (hover, text, every download), in this order.
CONTEXT = ("mss_unemployment_pct", "mss_transfer_pct", "mss_child_poverty_pct")
SECTION = "social"
# Whom a share counts among, where the bundle's age bands can say it (else all residents): the weights of a mean.
BASES: dict[str, tuple[str, ...]] = {
    "mss_unemployment_pct": ("age_15_18", "age_18_27", "age_27_45", "age_45_55", "age_55_65"),  # 15 to under 65
    "mss_youth_unemployment_pct": ("age_15_18", "age_18_27"),  # MSS: 15 to under 25; the bands reach 27
    "mss_child_poverty_pct": ("age_0_6", "age_6_15"),  # under 15
    "mss_children_mig_bg_pct": ("age_0_6", "age_6_15", "age_15_18"),  # under 18
    "mss_old_age_poverty_pct": ("age_65_plus",),
}
PROVENANCE = "indicators (social monitoring per finest unit, e.g. Berlin MSS 2021) × population (pop_total as weights)"


def indicators_with_unit(bundle: Bundle, units: tuple[str, ...]) -> tuple[Group, ...]:
    """Indicators of the bundle whose unit is one of `units` (classes are left to their own layers)."""
    if not bundle.has("indicators"):
        return ()
    return tuple(Group(name, meta.get("title_de", name), meta.get("title_en", name), name, "pop_total")
                 for name, meta in bundle.manifest.indicators.items() if meta.get("unit") in units)


@lru_cache(maxsize=8)
def indicator_values(bundle: Bundle) -> pd.DataFrame:
    """Indicator values per finest unit (columns: indicator ids; latest period of each)."""
    ind = bundle.table("indicators").dropna(subset=["value"]).sort_values("period")
    return ind.pivot_table(index="unit_id", columns="indicator", values="value", aggfunc="last")


def indicator_on(bundle: Bundle, basis: Basis, period: str, names: tuple[str, ...]) -> tuple[pd.DataFrame, str | None]:
    """Resident-weighted indicator values (columns `names`) on any basis, and the level they were interpolated from
    (two Planungsräume with 100 residents at 10 % and 300 at 30 % give their parent (100·10 + 300·30) / 400 = 25 %)."""
    finest = bundle.finest_level.id
    ids = bundle.ids(basis)
    if not bundle.has("indicators"):
        return pd.DataFrame(np.nan, index=ids, columns=list(names)), None
    values = indicator_values(bundle).reindex(columns=list(names)).reindex(bundle.units_of(finest).index)
    counts = bundle.counts(Basis(level=finest), period).frame.reindex(values.index).fillna(0.0)
    base = np.column_stack([_base(counts, n) for n in names]).astype(float)
    known = values.notna().to_numpy()
    weighted = np.where(known, values.to_numpy(dtype=float) * base, 0.0)
    weights = np.where(known, base, 0.0)
    if basis.is_h3:
        to_cells = bundle.interpolation(basis.res)
        num = to_cells.apply(pd.DataFrame(weighted, index=values.index))
        den = to_cells.apply(pd.DataFrame(weights, index=values.index))
        interp: str | None = finest
    else:
        owner = values.index.to_numpy() if basis.level == finest else bundle.ancestor(basis.level).reindex(values.index).to_numpy()
        num = pd.DataFrame(weighted).groupby(owner).sum()
        den = pd.DataFrame(weights).groupby(owner).sum()
        interp = None
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame(np.where(den.to_numpy() > 0, num.to_numpy() / den.to_numpy(), np.nan), index=num.index, columns=list(names))
    return out.reindex(ids), interp


def _base(counts: pd.DataFrame, name: str) -> pd.Series:
    """The population a share counts among (`BASES`), else all residents."""
    cols = BASES.get(name, ())
    return counts[list(cols)].sum(axis=1) if cols and set(cols) <= set(counts.columns) else counts["pop_total"]


def city_mean(bundle: Bundle, period: str, name: str) -> float:
    """The whole city's value of an indicator: the base-weighted mean over all finest units with a value."""
    finest = Basis(level=bundle.finest_level.id)
    v = indicator_values(bundle)[name].reindex(bundle.ids(finest)) if bundle.has("indicators") else pd.Series(dtype=float)
    base = _base(bundle.counts(finest, period).frame.reindex(v.index).fillna(0.0), name)
    ok = v.notna() & (base > 0)
    return float((v[ok] * base[ok]).sum() / base[ok].sum()) if ok.any() else float("nan")


def mean_over(bundle: Bundle, unit_ids, period: str, names: tuple[str, ...]) -> dict[str, float]:
    """Base-weighted mean of indicators over a set of finest units (all finest units for None): the same weighting as
    `indicator_on`, for a selection, a district or the city."""
    finest = Basis(level=bundle.finest_level.id)
    ids = bundle.ids(finest) if unit_ids is None else pd.Index(list(unit_ids))
    wide = indicator_values(bundle).reindex(columns=list(names)).reindex(ids)
    counts = bundle.counts(finest, period).frame.reindex(ids).fillna(0.0)
    out = {}
    for name in names:
        v, base = wide[name], _base(counts, name)
        ok = v.notna() & (base > 0)
        if ok.any():
            out[name] = float((v[ok] * base[ok]).sum() / base[ok].sum())
    return out


def indicator_date(bundle: Bundle, name: str) -> str:
    return str(bundle.manifest.indicators.get(name, {}).get("period", ""))


def _compute(layer_id: str, units: tuple[str, ...]):
    """The compute function of a social layer: indicators whose manifest unit is one of `units` on any basis.

    Parameters
    ----------
    layer_id : str
        Id of the layer the results carry.
    units : tuple of str
        Manifest units of the indicators the layer offers as groups (``"%"``, ``"pp"``, ``"% p.a."``).

    Returns
    -------
    Compute
        ``compute(bundle, basis, period, scenario=None, *, group=None, period_from=None)``: ``value`` is the indicator
        `group` (default: the first of the unit) in its manifest unit (%, percentage points, % of residents per year),
        dated by the indicator's own period (`LayerResult.data_dates`, Berlin MSS 2021: 2020-12-31); the weights r_u
        and ``residents`` are the population of the Stichtag `period`.

    Notes
    -----
    v_A = Σ_u r_u · v_u / Σ_u r_u over the finest units u of A with a value; on H3 cells
    v_c = Σ_u w_uc · r_u · v_u / Σ_u w_uc · r_u (`indicator_on`; r_u the share's base, `BASES`, else all residents).

    Examples
    --------
    The example city has no age band for child poverty's base (under 15), so r_u = all residents; B2 has no value:
    A = (1000 · 30 + 500 · 10) / 1500 = 23.33 %, B = B1 = 20 %.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> r = SHARES.compute(example_bundle(), Basis(level="district"), "2024-12-31", group="mss_child_poverty_pct")
    >>> r.values["value"].round(2).to_dict(), r.data_dates
    ({'A': 23.33, 'B': 20.0}, (('mss', '2020-12-31'),))
    """
    def compute(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                period_from: str | None = None) -> LayerResult:
        groups = indicators_with_unit(bundle, units)
        name = group or (groups[0].id if groups else "")
        frame, interp = indicator_on(bundle, basis, period, (name,))
        residents = bundle.counts(basis, period).frame["pop_total"].reindex(frame.index).fillna(0.0).astype(float)
        out = pd.DataFrame({"value": frame[name], "numerator": residents, "denominator": residents, "residents": residents})
        source = bundle.manifest.indicators.get(name, {}).get("source", "")
        result = result_from_frame(layer_id, bundle, basis, period, out, (source, "population"), name, interp)
        date = indicator_date(bundle, name)
        return replace(result, data_dates=((source, date),) if date else ())

    compute.__doc__ = f"Social-monitoring indicators with unit {' / '.join(units)} on any basis (resident-weighted; see module)."
    return compute


def _spec(layer_id: str, title: tuple[str, str], description: tuple[str, str], unit: tuple[str, str], units: tuple[str, ...],
          colorscale: str, midpoint: float | None) -> LayerSpec:
    return LayerSpec(layer_id, title[0], title[1], description[0], description[1], unit[0], unit[1], ",.1f", colorscale,
                     _compute(layer_id, units), PROVENANCE, groups=lambda bundle: indicators_with_unit(bundle, units), midpoint=midpoint,
                     section=SECTION, aggregate="weighted_mean")


_DESCRIBES_DE = " Ein Wert beschreibt die Lebenslage der Bewohnerinnen und Bewohner; er ist keine Bewertung des Quartiers."
_DESCRIBES_EN = " A value describes the living conditions of the residents; it is not a verdict on the quarter."
SHARES = _spec("social_indicator", ("Soziale Lage", "Social situation"),
               ("Anteil nach dem Monitoring Soziale Stadtentwicklung (Stand siehe Legende): Arbeitslosigkeit, Transferbezug, "
                "Kinderarmut, Alleinerziehende, Wohndauer und mehr; gröbere Gebiete und H3-Zellen: nach Einwohner/innen gewichtetes "
                "Mittel der Planungsräume." + _DESCRIBES_DE,
                "Share from the social monitoring (date in the legend): unemployment, transfer receipt, child poverty, single "
                "parents, length of residence and more; coarser areas and H3 cells: resident-weighted mean of the planning areas."
                + _DESCRIBES_EN),
               ("%", "%"), ("%",), "Viridis", None)
CHANGES = _spec("social_indicator_change", ("Soziale Lage: Veränderung", "Social situation: change"),
                ("Veränderung eines Anteils des Monitorings in zwei Jahren, in Prozentpunkten." + _DESCRIBES_DE,
                 "Change of a monitoring share over two years, in percentage points." + _DESCRIBES_EN),
                ("Prozentpunkte", "percentage points"), ("pp",), "PuOr_r", 0.0)
MOBILITY = _spec("social_mobility", ("Zu- und Fortzüge", "Moving in and out"),
                 ("Wanderungsvolumen und Wanderungssaldo je 100 Einwohner/innen und Jahr: wie viele Menschen ankommen, fortziehen "
                  "und bleiben. Viel Bewegung beschreibt eine Ankunftsfunktion eines Quartiers, keine Schwäche." + _DESCRIBES_DE,
                  "Migration volume and net migration per 100 residents and year: how many people arrive, leave and stay. Much movement "
                  "describes a quarter's arrival function, not a weakness." + _DESCRIBES_EN),
                 ("% je Jahr", "% per year"), ("% p.a.",), "PuOr_r", 0.0)


def compute_combined(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                     period_from: str | None = None) -> LayerResult:
    """Migration and the social situation on one map: the share with migration background and the chosen social share
    each above or below its city value (4 classes), so a migration map never stands alone (BRIEF §6).

    Parameters
    ----------
    bundle : Bundle
        City bundle with ``pop_mig_bg``/``pop_total`` counts (persons) and social indicators (%).
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the date of the population counts (and of the weights of the social share).
    scenario : object, optional
        Unused.
    group : str, optional
        The social share (an indicator with unit %), default ``"mss_child_poverty_pct"`` where the bundle has it.
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: class code 0–3 (no unit); the migration share is of the Stichtag `period`, the social share keeps its
        own date (`data_dates`, Berlin: 2020-12-31). No value where either share is missing.

    Notes
    -----
    class_i = [m_i > M] + 2 · [v_i > V] with m_i = pop_mig_bg_i / pop_total_i, M the same over the finest units of the
    city, v_i the social share on the basis (`indicator_on`) and V its base-weighted city mean (`city_mean`).

    Examples
    --------
    M = 1102 / 3540 = 0.311; V = (1000 · 30 + 500 · 10 + 2000 · 20) / 3500 = 21.4 % (B2 has no value). A1 (0.6, 30 %)
    is above in both: 1 + 2 = 3; A2 (0.2, 10 %) and B1 (0.2, 20 %) are below in both: 0.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_combined(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].to_dict()
    {'A1': 3.0, 'A2': 0.0, 'B1': 0.0, 'B2': nan}
    """
    groups = indicators_with_unit(bundle, ("%",))
    name = group or next((g.id for g in groups if g.id == "mss_child_poverty_pct"), groups[0].id if groups else "")
    frame, interp = indicator_on(bundle, basis, period, (name,))
    counts = bundle.counts(basis, period)
    c = counts.frame.reindex(frame.index).fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mig = np.where(c["pop_total"] > 0, c["pop_mig_bg"] / c["pop_total"], np.nan)
    finest = bundle.counts(Basis(level=bundle.finest_level.id), period).frame
    city_mig = float(finest["pop_mig_bg"].sum() / finest["pop_total"].sum())
    city_value = city_mean(bundle, period, name)
    v = frame[name].to_numpy(dtype=float)
    code = (mig > city_mig).astype(float) + 2.0 * (v > city_value)
    code[~(np.isfinite(mig) & np.isfinite(v))] = np.nan
    residents = c["pop_total"].astype(float)
    out = pd.DataFrame({"value": code, "numerator": c["pop_mig_bg"].astype(float), "denominator": residents, "residents": residents},
                       index=frame.index)
    source = bundle.manifest.indicators.get(name, {}).get("source", "")
    result = result_from_frame(COMBINED.id, bundle, basis, period, out, (source, "population", "demo"), name, interp or counts.interpolated_from)
    date = indicator_date(bundle, name)
    return replace(result, data_dates=((source, date),) if date else ())


COMBINED = LayerSpec(
    "social_migration_combined", "Migration und soziale Lage", "Migration and social situation",
    "Anteil mit Migrationshintergrund und ein gewählter Anteil der sozialen Lage (z. B. Kinderarmut), jeweils über oder unter "
    "dem Wert der ganzen Stadt. So steht keine Migrationskarte ohne ihren sozialen Zusammenhang." + _DESCRIBES_DE,
    "Share with migration background and a chosen share of the social situation (e.g. child poverty), each above or below the "
    "value of the whole city, so no migration map stands without its social context." + _DESCRIBES_EN,
    "Klasse", "class", ".0f", "Viridis", compute_combined, PROVENANCE + "; population (pop_mig_bg / pop_total)",
    groups=lambda bundle: tuple(sorted(indicators_with_unit(bundle, ("%",)), key=lambda g: g.id != "mss_child_poverty_pct")), section=SECTION,
    categories=(Category(0, "beide unter dem Stadtwert", "both below the city value", "#F0F0F0"),
                Category(1, "Migration über, soziale Lage unter dem Stadtwert", "migration above, social share below the city value", "#56B4E9"),
                Category(2, "soziale Lage über, Migration unter dem Stadtwert", "social share above, migration below the city value", "#E69F00"),
                Category(3, "beide über dem Stadtwert", "both above the city value", "#0072B2")))
LAYERS = (SHARES, CHANGES, MOBILITY, COMBINED)


def context_columns(bundle: Bundle, basis: Basis, period: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The social context of every area of `basis` as columns for downloads and API answers (``<indicator>`` in %),
    and the date of each (empty frame where the bundle has none)."""
    names = tuple(n for n in CONTEXT if n in bundle.manifest.indicators)
    if not names:
        return pd.DataFrame(index=bundle.ids(basis)), {}
    frame, _ = indicator_on(bundle, basis, period, names)
    return frame.round(1), {n: indicator_date(bundle, n) for n in names}
