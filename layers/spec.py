"""What every layer declares (LayerSpec) and returns (LayerResult)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Protocol

import pandas as pd

from .spatial.basis import Basis

if TYPE_CHECKING:
    from .bundle import Bundle

PUBLIC = "public"
INTERNAL = "internal"
RESULT_COLUMNS = ("value", "numerator", "denominator", "residents", "suppressed")


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

    def title(self, lang: str) -> str:
        return self.title_de if lang == "de" else self.title_en

    def description(self, lang: str) -> str:
        return self.description_de if lang == "de" else self.description_en

    def unit(self, lang: str) -> str:
        return self.unit_de if lang == "de" else self.unit_en
