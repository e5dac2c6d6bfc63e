"""Key figures of a set of areas (a selection, a district, the city) and the profile of one area over time.

Every figure is computed from published layer results (`run_query`), so what the portal hides stays hidden:
suppressed areas add nothing to a sum, and the figure says how many areas were left out. A figure is a sum over
published areas only (cell-key perturbed counts in the portal), never a district or city total minus something; the
difference between a published district and a card's sum is its hidden areas' counts plus noise that does not cancel
(every level carries its own cell-key noise, `layers.cellkey`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .bundle import Bundle
from .query import LayerQuery, run_query
from .registry import get_layer
from .settings import Settings
from .spatial.selection import ids_in_district
from .spec import LayerResult, LayerSpec


@dataclass(frozen=True)
class KeyFigure:
    """One set of areas summarised: the layer's value for the whole set, the persons behind it, and coverage.

    value: in the layer's unit (None where the layer's values do not combine, or nothing was published);
    residents and numerator: persons, summed over published areas; areas: number of areas in the set;
    left_out: areas whose values are not shown (suppressed or no value) and are therefore not counted.
    """

    value: float | None
    residents: float
    numerator: float
    areas: int
    left_out: int


def aggregate(spec: LayerSpec, values: pd.DataFrame, city: pd.DataFrame | None = None) -> float | None:
    """The layer's value for a set of areas (rows of `values`), by the layer's `aggregate` rule.

    ratio_pct: 100·Σnumerator/Σdenominator; sum: Σvalue; location_quotient: (Σx/Σt)/(X/T) with X, T from `city`;
    weighted_mean: Σ(value·residents)/Σresidents; none: not combinable (None).
    """
    v = values[np.isfinite(values["value"].to_numpy(dtype=float))]
    if v.empty or spec.aggregate == "none":
        return None
    num, den = v["numerator"].sum(), v["denominator"].sum()
    if spec.aggregate == "ratio_pct":  # Σ(share·denominator)/Σdenominator: = 100·Σnum/Σden, and one area's figure is its map value
        return float((v["value"] * v["denominator"]).sum() / den) if den > 0 else None  # even where the portal rounds counts
    if spec.aggregate == "sum":
        return float(v["value"].sum())
    if spec.aggregate == "location_quotient":
        c = city if city is not None else values
        city_ratio = c["numerator"].sum() / c["denominator"].sum()
        return float((num / den) / city_ratio) if den > 0 and city_ratio > 0 else None
    weights = v["residents"].fillna(0.0)
    return float((v["value"] * weights).sum() / weights.sum()) if weights.sum() > 0 else float(v["value"].mean())


def key_figure(spec: LayerSpec, result: LayerResult, ids, city: LayerResult | None = None) -> KeyFigure:
    """Summarise the areas `ids` of one disclosed result."""
    total = len(pd.Index(ids).intersection(result.values.index))
    shown = result.values.loc[_shown(result, ids)]
    city_values = (city or result).values
    return KeyFigure(aggregate(spec, shown, city_values.dropna(subset=["numerator", "denominator"])),
                     float(shown["residents"].sum()), float(shown["numerator"].sum()), total, total - len(shown))


def _base_query(query: LayerQuery) -> tuple[LayerSpec, LayerQuery, str | None]:
    """For a change layer or a comparison: the layer whose change it is, and the start period."""
    spec = get_layer(query.layer_id)
    if query.compare_from:
        return spec, replace(query, compare_from=None), query.compare_from
    if spec.change_of:
        return get_layer(spec.change_of), replace(query, layer_id=spec.change_of, period_from=None), query.period_from
    return spec, query, None


def key_figures(bundle: Bundle, settings: Settings, query: LayerQuery, selection: list[str], district: str | None,
                compute=run_query) -> dict[str, KeyFigure | None]:
    """Selection vs district vs city for the query's layer, basis and period.

    For a change (a change layer, or any layer compared with an earlier period) each figure is the change of
    the set's value: figure now minus figure then, computed on the sets, not averaged from the areas' changes.
    `compute` runs a query (default `run_query`; the dashboard passes its cached version).
    """
    spec, base, start = _base_query(query)
    sets = {"selection": list(selection) or None, "district": ids_in_district(bundle, query.basis, district) if district else None,
            "city": bundle.ids(query.basis)}
    now = compute(bundle, settings, base)
    figures = {name: key_figure(spec, now, ids) if ids is not None else None for name, ids in sets.items()}
    if start is None:
        return figures
    before = compute(bundle, settings, replace(base, period=start))
    out = {}
    for name, ids in sets.items():
        if ids is None:
            out[name] = None
            continue
        both = _shown(now, ids).intersection(_shown(before, ids))  # the same areas at both dates, or the change mixes sets
        then_figure, now_figure = key_figure(spec, before, both), key_figure(spec, now, both)
        change = None if now_figure.value is None or then_figure.value is None else now_figure.value - then_figure.value
        total = len(pd.Index(ids).intersection(now.values.index))
        out[name] = replace(now_figure, value=change, areas=total, left_out=total - len(both))
    return out


def _shown(result: LayerResult, ids) -> pd.Index:
    """The areas among `ids` with a published value."""
    rows = result.values.reindex(pd.Index(ids).intersection(result.values.index))
    return rows.index[np.isfinite(rows["value"].to_numpy(dtype=float)) & rows["numerator"].notna().to_numpy()]


def area_history(bundle: Bundle, settings: Settings, query: LayerQuery, area_id: str, compute=run_query) -> pd.DataFrame:
    """The layer's value for one area at every period of the bundle (columns period, value, suppressed).

    Used for the sparkline of the detail panel; for a change layer or comparison, the values of the underlying layer.
    """
    _, base, _ = _base_query(query)
    rows = []
    for period in bundle.periods:
        values = compute(bundle, settings, replace(base, period=period)).values
        row = values.loc[area_id] if area_id in values.index else None
        rows.append({"period": period, "value": None if row is None or pd.isna(row["value"]) else float(row["value"]),
                     "suppressed": bool(row["suppressed"]) if row is not None else True})
    return pd.DataFrame(rows)
