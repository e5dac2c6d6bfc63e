"""What every layer declares (LayerSpec) and returns (LayerResult)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Protocol

import pandas as pd

from .spatial.basis import Basis

if TYPE_CHECKING:
    from .bundle import Bundle

PUBLIC = "public"
INTERNAL = "internal"
RESULT_COLUMNS = ("value", "numerator", "denominator", "residents", "suppressed")
# Key figures of a set of areas (layers/summary.py): 100·Σnumerator/Σdenominator, Σvalue, the location quotient of the
# set, the residents-weighted mean of the values, or none (classes and other values that do not add up).
AGGREGATES = ("ratio_pct", "sum", "location_quotient", "weighted_mean", "none")
METHODS_DOC = "docs/methods.md"
# Sources with one edition per Stichtag: an input from them is dated by the chosen Stichtag (`LayerResult.period`).
PER_STICHTAG_SOURCES = ("population", "demo")


@dataclass(frozen=True)
class Group:
    """A population group a layer can show: numerator column over denominator column (persons)."""

    id: str
    title_de: str
    title_en: str
    numerator: str
    denominator: str = "pop_total"

    def title(self, lang: str) -> str:
        return self.title_de if lang == "de" else self.title_en


@dataclass(frozen=True)
class Category:
    """One class of a categorical layer (e.g. a hot-spot class): the integer code in ``value`` and its labels."""

    value: int
    title_de: str
    title_en: str
    colour: str

    def title(self, lang: str) -> str:
        return self.title_de if lang == "de" else self.title_en


@dataclass(frozen=True)
class LayerResult:
    """Values of one layer on one basis and period.

    `values` is indexed by unit id or H3 cell (hex) with columns ``value`` (in the layer's unit),
    ``numerator`` and ``denominator`` (persons), ``residents`` (all residents of the unit or cell,
    persons) and ``suppressed`` (bool, set by `layers.disclosure`). Layers whose value is not a share of
    persons (distances, indices, classes) still fill ``numerator``/``denominator``/``residents`` with the
    persons the value rests on, so that disclosure control applies to them too.
    """

    layer_id: str
    values: pd.DataFrame
    basis: Basis
    period: str
    group: str | None = None
    period_from: str | None = None
    interpolated_from: str | None = None
    sources: tuple[str, ...] = ()
    notes: pd.DataFrame | None = None  # optional extra hover line per area: columns "de" and "en", same index as values
    published: bool = False  # set by layers.publication.publish_result, the one exit of every value
    data_dates: tuple[tuple[str, str], ...] = ()  # (source key, ISO date) of inputs whose date is not `period` (e.g. MSS 2021: 2020-12-31)

    def with_values(self, values: pd.DataFrame) -> "LayerResult":
        return replace(self, values=values)


class Compute(Protocol):
    def __call__(self, bundle: "Bundle", basis: Basis, period: str, scenario: object | None = None, *,
                 group: str | None = None, period_from: str | None = None) -> LayerResult: ...


@dataclass(frozen=True)
class LayerSpec:
    """Metadata and compute function of a layer; the dashboard, API and docs are built from these.

    unit_de/unit_en: the unit of `value` (e.g. "%", "Personen"); value_format: a d3 format string;
    colorscale: a Plotly colour scale name; midpoint: centre of a diverging scale (None: sequential);
    sensitivity: "public" or "internal"; min_count: smallest numerator shown in the portal.
    """

    id: str
    title_de: str
    title_en: str
    description_de: str
    description_en: str
    unit_de: str
    unit_en: str
    value_format: str
    colorscale: str
    compute: Compute
    provenance: str
    groups: Callable[["Bundle"], tuple[Group, ...]] = field(default=lambda bundle: ())
    midpoint: float | None = None
    sensitivity: str = PUBLIC
    min_count: int = 3
    needs_period_from: bool = False
    categories: tuple[Category, ...] = ()  # non-empty: ``value`` holds a category code; the map shows classes, not a scale
    section: str = "migration"  # dashboard section the layer belongs to (migration, segregation, education, infrastructure, ...)
    aggregate: str = ""  # how values of several areas combine into one key figure, see AGGREGATES; "" = none for classes, else weighted_mean
    change_of: str | None = None  # for a change layer: the layer whose change between two periods it shows
    persons_de: str = "Einwohner/innen"  # who the ``residents`` column counts (Kita layers: children under 6)
    persons_en: str = "residents"
    about_migration: bool = False  # a migration figure outside the migration/segregation sections: never a ranking (BRIEF §6)

    def __post_init__(self) -> None:
        if not self.aggregate:
            object.__setattr__(self, "aggregate", "none" if self.categories else "weighted_mean")
        if self.categories and self.aggregate != "none":
            raise ValueError(f"layer {self.id!r}: class codes do not add up; aggregate must be 'none'")
        if self.aggregate not in AGGREGATES:
            raise ValueError(f"layer {self.id!r}: aggregate must be one of {', '.join(AGGREGATES)}, got {self.aggregate!r}")
        if self.sensitivity not in (PUBLIC, INTERNAL):
            raise ValueError(f"layer {self.id!r}: sensitivity must be {PUBLIC!r} or {INTERNAL!r}, got {self.sensitivity!r}")

    def title(self, lang: str) -> str:
        return self.title_de if lang == "de" else self.title_en

    def description(self, lang: str) -> str:
        return self.description_de if lang == "de" else self.description_en

    def unit(self, lang: str) -> str:
        return self.unit_de if lang == "de" else self.unit_en

    def persons(self, lang: str) -> str:
        """Who the ``residents`` column of this layer counts (e.g. "Kinder unter 6")."""
        return self.persons_de if lang == "de" else self.persons_en


def heading_anchor(heading: str) -> str:
    """The anchor GitHub (and most Markdown renderers) give a heading: lower case, punctuation dropped, spaces → hyphens.

    Examples
    --------
    >>> heading_anchor("Two-step floating catchment area (2SFCA)")
    'two-step-floating-catchment-area-2sfca'
    >>> heading_anchor("Kita and school: supply, demand and facility segregation")
    'kita-and-school-supply-demand-and-facility-segregation'
    """
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@dataclass(frozen=True)
class InputDate:
    """One input of a layer and the date of its data: `date` is the source's own date (e.g. "01/2026", "31.12.2020",
    ISO for indicator periods) or, for sources with one edition per Stichtag, the Stichtag itself; "" when the source
    states none."""

    source: str
    title: str
    date: str
    per_stichtag: bool = False


def input_dates(inputs: tuple[str, ...], sources: dict, result: LayerResult | None = None) -> tuple[InputDate, ...]:
    """The data date of every input of a layer, from the bundle's source metadata (`sources`: key → `Source`).

    Without a result: the layer's declared inputs (`inputs`, see `layers.topics.layer_inputs`) with each source's stated period (a per-Stichtag
    source shows the span of its Stichtage). With a result: the sources the result names, a per-Stichtag source dated by
    the result's period (``from → to`` for a change), and a date the result carries itself (`LayerResult.data_dates`,
    e.g. the MSS indicator period) before the source's stated one.

    Examples
    --------
    >>> from layers.bundle import Source
    >>> src = {"population": Source("population", "Register", "ASt", "CC BY", period="2021–2024"),
    ...        "kitas": Source("kitas", "Kitaliste", "SenBJF", "CC BY", period="01/2026")}
    >>> inputs = ("kitas", "population", "demo")
    >>> [(i.source, i.date) for i in input_dates(inputs, src)]
    [('kitas', '01/2026'), ('population', '2021–2024')]
    >>> r = LayerResult("education_kita_ratio", pd.DataFrame(), None, "2024-12-31", sources=("kitas", "population"))
    >>> [(i.source, i.date) for i in input_dates(inputs, src, r)]
    [('kitas', '01/2026'), ('population', '2024-12-31')]
    """
    own = dict(result.data_dates) if result is not None else {}
    keys = tuple(dict.fromkeys((*result.sources, *own))) if result is not None else inputs
    out = []
    for key in keys:
        source = sources.get(key)
        if source is None and key not in own:
            continue
        per_stichtag = key in PER_STICHTAG_SOURCES
        if key in own:
            date = own[key]
        elif per_stichtag and result is not None:
            date = f"{result.period_from} → {result.period}" if result.period_from else result.period
        else:
            date = source.period
        out.append(InputDate(key, source.title if source is not None else key, date, per_stichtag and key not in own))
    return tuple(out)


def comparison_spec(spec: LayerSpec) -> LayerSpec:
    """The spec of "change of `spec` between two periods": same layer, difference of values, diverging colours.

    Percentages change in percentage points; other units keep their unit with a Δ.
    """
    if spec.needs_period_from or spec.categories:
        return spec
    pct = spec.unit_en == "%"
    return replace(
        spec, title_de=f"Veränderung: {spec.title_de}", title_en=f"Change: {spec.title_en}",
        description_de=f"Differenz zwischen zwei Stichtagen. {spec.description_de}",
        description_en=f"Difference between two reference dates. {spec.description_en}",
        unit_de="Prozentpunkte" if pct else f"Δ {spec.unit_de}", unit_en="percentage points" if pct else f"Δ {spec.unit_en}",
        value_format="+" + spec.value_format.lstrip("+"), colorscale="PuOr_r", midpoint=0.0,
        aggregate="none" if spec.aggregate == "none" else spec.aggregate, change_of=spec.id,
    )


def find_by_id(items, item_id: str | None, default: str, what: str = "group"):
    """The item (a group, …) with `.id == item_id` (or `default` when None); KeyError naming the ids there are."""
    items = tuple(items)
    for item in items:
        if item.id == (item_id or default):
            return item
    raise KeyError(f"unknown {what} {item_id!r}; {what}s in this bundle: {', '.join(i.id for i in items)}")


def result_from_frame(layer_id: str, bundle: "Bundle", basis: Basis, period: str, frame: pd.DataFrame, source_keys: tuple[str, ...],
                      group: str | None = None, interpolated_from: str | None = None, notes: pd.DataFrame | None = None) -> LayerResult:
    """A LayerResult from a frame with value, numerator, denominator and residents (persons).

    Where there is no value, nothing rests on anybody (counts 0), so disclosure reads the area as "no value".
    Sources are the manifest's sources among `source_keys`.
    """
    out = frame[["value", "numerator", "denominator", "residents"]].astype(float)
    out.loc[out["value"].isna(), ["numerator", "denominator", "residents"]] = 0.0
    out["suppressed"] = False
    sources = tuple(s.key for s in bundle.manifest.sources if s.key in source_keys)
    return LayerResult(layer_id, out, basis, period, group, None, interpolated_from, sources, notes)


@dataclass(frozen=True)
class TableSpec:
    """What a published side table holds, so the exit knows what to protect.

    name: route or table name (for receipts and errors).
    residents: count columns of persons that must reach `min_residents` (zero stays) → the columns computed from each.
    cases: count columns of persons in a group that must reach `min_cases` (1 … min_cases−1 hidden) → derived columns.
    area_name: column by which rows of areas are ordered in the portal (no ranking of quarters); None: rows are not areas.
    internal: columns that never leave the server in the portal.
    decimals: decimals of every float column in the portal.
    """

    name: str
    residents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    area_name: str | None = None
    internal: tuple[str, ...] = ()
    decimals: int = 3
    units_column: str | None = None  # number of units behind each row: rows below `portal_index_min_units` are not shown
    planner_only: bool = False  # the whole table is internal planning data: the portal refuses it
