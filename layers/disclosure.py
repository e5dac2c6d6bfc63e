"""Disclosure rules of layer results (BRIEF §6): the primary rule, hidden H3 cells, group levels and the parent fallback.

The portal computes every layer on published (cell-key perturbed) counts (`layers.published_bundle`); these rules
decide which of those values are shown. `layers.publication` is the one exit that applies them to every output."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import pandas as pd

from .minimum_counts import small_counts
from .registry import get_layer
from .spatial.basis import Basis
from .spatial.cover import cells_of_units
from .spec import LayerResult, LayerSpec

COUNT_COLUMNS = ["value", "numerator", "denominator", "residents"]


def apply_minimum_counts(result: LayerResult, spec: LayerSpec, min_cases: int, min_residents: int, publish: bool) -> LayerResult:
    """Flag values from too few cases or residents (see `small_counts`).

    With ``publish=True`` (portal mode) flagged values are removed (NaN) and the counts behind them too,
    so no output can show them; they are displayed as "not shown (fewer than N)", never as 0.
    With ``publish=False`` (planner mode) values stay and carry the flag.
    This is the primary rule only; `disclose` adds the rule on true counts, hidden H3 cells, group levels and the fallback.
    """
    v = result.values.copy()
    small = small_counts(v, max(min_cases, spec.min_count), min_residents)
    v["suppressed"] = small
    if not publish:
        return result.with_values(v)
    return _without_notes(result.with_values(_blank(v, small)), v.index[small])


def _blank(values: pd.DataFrame, hit: np.ndarray) -> pd.DataFrame:
    """`values` with the rows `hit` (bool mask) flagged suppressed and their value and counts removed (NaN)."""
    out = values.copy()
    for col in COUNT_COLUMNS:
        col_values = out[col].to_numpy(dtype=float, copy=True)
        col_values[hit] = np.nan
        out[col] = col_values
    flags = out["suppressed"].to_numpy(dtype=bool, copy=True)
    flags[hit] = True
    out["suppressed"] = flags
    return out


def _without_notes(result: LayerResult, hidden: pd.Index) -> LayerResult:
    """Hover notes of suppressed areas go too: they carry figures derived from the same counts."""
    if result.notes is None or len(hidden) == 0 or not result.notes.index.isin(hidden).any():
        return result
    notes = result.notes.copy()
    notes.loc[notes.index.isin(hidden), :] = ""
    return replace(result, notes=notes)


# --- the rules of a deployment --------------------------------------------------------------------------------------

FALLBACKS = ("suppress", "parent")


@dataclass(frozen=True)
class Rules:
    """The disclosure parameters of a deployment (settings `min_cases`, `min_residents`, `suppression_fallback`,
    `min_count_overrides`, `group_min_level`), hashable so results can be cached per rule set."""

    min_cases: int = 3
    min_residents: int = 50
    fallback: str = "suppress"
    overrides: tuple[tuple[str, int], ...] = ()
    group_levels: tuple[tuple[str, str], ...] = ()

    def min_cases_for(self, spec: LayerSpec) -> int:
        """Smallest number of cases a value of `spec` may rest on: the larger of `min_cases` and the layer's own minimum
        (its `min_count`, or the deployment's override for it)."""
        return max(self.min_cases, dict(self.overrides).get(spec.id, spec.min_count))

    def finest_level_for(self, group: str | None) -> str | None:
        """The finest level on which `group` is published (None: every level and H3)."""
        for prefix, level in self.group_levels:
            if group and group.startswith(prefix):
                return level
        return None


def _json_setting(values: dict, name: str, example: str) -> dict:
    raw = values.get(name, "{}") or "{}"
    try:
        table = json.loads(raw) if isinstance(raw, str) else dict(raw)
        if not isinstance(table, dict):
            raise TypeError(name)
        return table
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"{name} must be a JSON object, e.g. {example}; got {raw!r}") from exc


def rules_from(settings) -> Rules:
    """Rules from resolved settings; a malformed setting raises ValueError naming it."""
    values = getattr(settings, "values", {})
    try:
        overrides = tuple(sorted((str(k), int(v)) for k, v in _json_setting(values, "min_count_overrides", '{"migration_count": 5}').items()))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"min_count_overrides must be a JSON object of layer id → minimum count, e.g. {{\"migration_count\": 5}}; "
                         f"got {values.get('min_count_overrides')!r}") from exc
    levels = tuple(sorted((str(k), str(v)) for k, v in _json_setting(values, "group_min_level", '{"origin_": "bezirksregion"}').items()))
    fallback = values.get("suppression_fallback", "suppress")
    if fallback not in FALLBACKS:
        raise ValueError(f"suppression_fallback must be one of {', '.join(FALLBACKS)}; got {fallback!r}")
    return Rules(int(settings.min_cases), int(settings.min_residents), fallback, overrides, levels)


def _hide(result: LayerResult, hidden) -> LayerResult:
    hit = result.values.index.isin(hidden)
    if not hit.any():
        return result
    return _without_notes(result.with_values(_blank(result.values, hit)), result.values.index[hit])


def _primary_hidden(result: LayerResult, spec: LayerSpec, rules: Rules) -> pd.Index:
    return result.values.index[small_counts(result.values, rules.min_cases_for(spec), rules.min_residents)]


def _finer_than(bundle, basis: Basis, level: str) -> bool:
    """Whether `basis` is finer than `level` (every H3 resolution counts as finer than any unit level)."""
    order = [lvl.id for lvl in bundle.levels]
    if level not in order:
        raise ValueError(f"group_min_level names level {level!r}; levels of this bundle: {', '.join(order)}")
    return basis.is_h3 or order.index(basis.level) > order.index(level)


def disclose(bundle, settings, spec: LayerSpec, result: LayerResult, compute: Callable[..., LayerResult],
             truth: Callable[..., LayerResult] | None = None) -> LayerResult:
    """Which values of a layer result are shown.

    Planner mode: every value stays; small ones carry ``suppressed`` (primary rule). Portal mode, where `result` and
    `compute` are computed on the published bundle (cell-key perturbed counts):

    1. the primary rule (`small_counts` with the layer's minimum) hides values resting on too few people;
    2. groups finer than their `group_min_level` are hidden on finer levels and on H3;
    3. H3 cells interpolated from units are hidden wherever a hidden finest-level unit feeds them, so a cell never
       carries a share of a hidden unit; change layers also hide what their layer hides at either date;
    4. with `suppression_fallback = "parent"`, a hidden unit shows the value of its nearest shown ancestor (not for
       count-valued layers), with ``fallback_from`` naming that ancestor; its counts stay hidden.

    The primary rule applies to the published counts and, where `truth` is given, to the true counts as well, so no value
    from fewer than the minimum is shown even when its noise lifted it above.

    `compute(basis, period, period_from, spec)` returns the layer (undisclosed, on the same bundle) elsewhere; `truth` the
    same on the baseline bundle (true counts; never published, only used to decide what to hide).
    """
    rules = rules_from(settings)
    if settings.mode != "portal":
        return apply_minimum_counts(result, spec, rules.min_cases_for(spec), rules.min_residents, publish=False)

    def hidden_of(basis: Basis, period: str, period_from: str | None, layer: LayerSpec) -> pd.Index:
        out = _primary_hidden(compute(basis, period, period_from, layer), layer, rules)
        return out.union(_primary_hidden(truth(basis, period, period_from, layer), layer, rules)) if truth else out

    result = apply_minimum_counts(result, spec, rules.min_cases_for(spec), rules.min_residents, publish=True)
    if truth:
        result = _hide(result, _primary_hidden(truth(result.basis, result.period, result.period_from, spec), spec, rules))
    finest = rules.finest_level_for(result.group)
    if finest and _finer_than(bundle, result.basis, finest):
        return _hide(result, result.values.index)
    if spec.change_of and result.period_from:
        base = _base_layer(spec)
        for when in (result.period, result.period_from):
            result = _hide(result, hidden_of(result.basis, when, None, base))
    if result.basis.is_h3 and result.interpolated_from:
        level = Basis(level=result.interpolated_from)
        hidden = hidden_of(level, result.period, result.period_from, spec)
        if spec.change_of and result.period_from:
            base = _base_layer(spec)
            for when in (result.period, result.period_from):
                hidden = hidden.union(hidden_of(level, when, None, base))
        result = _hide(result, cells_of_units(bundle.weights(result.basis.res), hidden))
    if rules.fallback == "parent" and not result.basis.is_h3 and spec.aggregate != "sum":
        result = _parent_fallback(bundle, spec, result, rules, compute, hidden_of)
    return result


def _base_layer(spec: LayerSpec) -> LayerSpec:
    return get_layer(spec.change_of)


def _parent_fallback(bundle, spec: LayerSpec, result: LayerResult, rules: Rules, compute: Callable[..., LayerResult],
                     hidden_of: Callable[..., pd.Index]) -> LayerResult:
    """Hidden units show the value of their nearest shown ancestor; ``fallback_from`` names it (empty elsewhere)."""
    levels = [lvl.id for lvl in bundle.levels]
    depth = levels.index(result.basis.level)
    v = result.values.copy()
    v["fallback_from"] = ""
    hidden = v.index[v["suppressed"].to_numpy(dtype=bool)]
    if depth == 0 or len(hidden) == 0:
        return result.with_values(v)
    notes = result.notes.copy() if result.notes is not None else pd.DataFrame({"de": "", "en": ""}, index=v.index)
    current = pd.Series(hidden, index=hidden)
    todo = pd.Index(hidden)
    parent_of = bundle.units.set_index("unit_id")["parent_id"]
    for up in range(depth - 1, -1, -1):
        if len(todo) == 0:
            break
        current = current.reindex(todo).map(parent_of)
        level = bundle.levels[up]
        ancestor = compute(Basis(level=level.id), result.period, result.period_from, spec)
        shown = ~ancestor.values.index.isin(hidden_of(Basis(level=level.id), result.period, result.period_from, spec))
        values = ancestor.values["value"].where(shown)
        take = current[current.map(values).notna()]
        if take.empty:
            continue
        names = bundle.units_of(level.id)["name"]
        v.loc[take.index, "value"] = values.reindex(take.to_numpy()).to_numpy()
        v.loc[take.index, "fallback_from"] = take.to_numpy()
        v.loc[take.index, "suppressed"] = False  # a value is shown: the parent's, named in fallback_from and the hover
        parent_names = names.reindex(take.to_numpy()).fillna("").to_numpy()
        notes.loc[take.index, "de"] = [f"Wert für {level.name_de} {n} (hier zu wenige Fälle)" for n in parent_names]
        notes.loc[take.index, "en"] = [f"value of {level.name_en} {n} (too few cases here)" for n in parent_names]
        todo = todo.difference(take.index)
    return replace(result, values=v, notes=notes)
