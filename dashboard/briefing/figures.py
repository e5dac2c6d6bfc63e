"""Key figures for the printed pages: computed through the app's cache and written as text (value and unit, "not
shown", level and area labels, sources)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from layers import KeyFigure, LayerQuery, LayerResult, LayerSpec, Settings, format_value, key_figures
from layers.bundle import Bundle

from ..context import layer_result
from ..i18n import not_shown, t


@dataclass(frozen=True)
class NumberFormat:
    """A number format for `layers.narrative.format_value` outside a layer: a d3 format and one unit in every language."""

    value_format: str
    unit_text: str = ""

    def unit(self, lang: str) -> str:
        return self.unit_text


PERSONS = NumberFormat(",.0f")
PERCENT = NumberFormat(".1f", "%")
WHOLE_PERCENT = NumberFormat(".0f", "%")
SQUARE_METRES = NumberFormat(",.0f", "m²")


def cached_run(bundle: Bundle, settings: Settings, query: LayerQuery) -> LayerResult:
    """`layers.query.run_query` through the app's cache (`bundle` and `settings` are the app's own)."""
    return layer_result(query)


def cached_key_figures(bundle: Bundle, settings: Settings, query: LayerQuery, selection: list[str], district: str | None) -> dict[str, KeyFigure | None]:
    """`layers.summary.key_figures` (selection, district, city) with every query through the app's cache."""
    return key_figures(bundle, settings, query, selection, district, compute=cached_run)


def all_left_out(figure: KeyFigure) -> bool:
    """No area of the figure's set is published."""
    return bool(figure.areas and figure.left_out == figure.areas)


def figure_text(figure: KeyFigure | None, spec: LayerSpec, settings: Settings, lang: str, unit: bool = True) -> str:
    """A key figure's value (with unit); "not shown (fewer than N)" where nothing in the set is published, never 0."""
    if figure is None:
        return "–"
    if all_left_out(figure):
        return not_shown(settings, lang) if settings.mode == "portal" else t("briefing_no_value", lang)
    if spec.aggregate == "none" or figure.value is None:
        return "–"
    return format_value(figure.value, spec, lang, unit=unit)


def source_names(bundle: Bundle, keys: Iterable[str]) -> list[str]:
    """The attributions of the bundle's sources `keys` (unknown keys left out)."""
    return [bundle.sources[k].attribution for k in keys if k in bundle.sources]
