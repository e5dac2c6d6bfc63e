"""Disclosure control (BRIEF §6): the one place every published value passes through."""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import pandas as pd

from .spatial.basis import Basis
from .spec import LayerResult, LayerSpec

COUNT_COLUMNS = ["value", "numerator", "denominator", "residents"]


def small_counts(values: pd.DataFrame, min_cases: int, min_residents: int) -> np.ndarray:
    """Rows whose value rests on too few people.

    A row is small when 1 to `min_cases`−1 people are in the group, when 1 to `min_cases`−1 people of the
    denominator are *not* in it (a share of 98 % of 40 reveals the one who is not), or when the area or
    the group's denominator has fewer than `min_residents` residents. Zero stays publishable, as in the
    statistical offices' tables.
    """
    num = values["numerator"].to_numpy(dtype=float)
    den = values["denominator"].to_numpy(dtype=float)
    residents = values["residents"].to_numpy(dtype=float)
    rest = den - num
    small = ((num > 0) & (num < min_cases)) | ((rest > 0) & (rest < min_cases) & (num > 0)) \
        | (residents < min_residents) | (den < min_residents)
    # An area without a value that rests on nobody has nothing to hide: it reads "no value", not "not shown".
    value = values["value"].to_numpy(dtype=float) if "value" in values else np.zeros(len(values))
    nobody = ~np.isfinite(value) & (np.nan_to_num(num) == 0) & (np.nan_to_num(den) == 0) & (np.nan_to_num(residents) == 0)
    return small & ~nobody


def apply_minimum_counts(result: LayerResult, spec: LayerSpec, min_cases: int, min_residents: int, publish: bool) -> LayerResult:
    """Flag values from too few cases or residents (see `small_counts`).

    With ``publish=True`` (portal mode) flagged values are removed (NaN) and the counts behind them too,
    so no output can show them; they are displayed as "not shown (fewer than N)", never as 0.
    With ``publish=False`` (planner mode) values stay and carry the flag.
    This is the primary rule only; `disclose` adds secondary suppression, fallback and rounding.
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


def suppress_cells_fed_by(result: LayerResult, suppressed_units: pd.Index, weights: pd.DataFrame) -> LayerResult:
    """Suppress every H3 cell that receives any share of a suppressed unit's counts.

    Cells interpolated from units mix their counts by public areal weights; publishing a cell fed by a
    suppressed unit would let anyone solve for that unit's counts.
    """
    hit = result.values.index.isin(fed_cells(suppressed_units, weights))
    return _without_notes(result.with_values(_blank(result.values, hit)), result.values.index[hit])


def fed_cells(units, weights: pd.DataFrame) -> pd.Index:
    """H3 cells (hex ids) that receive any share of the counts of `units` by the areal weights."""
    return pd.Index(weights["cell"].to_numpy()[weights["unit_id"].isin(units).to_numpy()]).unique()


def hide_small_counts(frame: pd.DataFrame, rules: dict[str, list[str]], min_residents: int, round_to: int = 1) -> pd.DataFrame:
    """Profile tables (one row per facility type, per area …) in the portal: where a count column is below
    `min_residents`, that count and every column computed from it become NaN ("not shown", never 0); the counts
    that stay are rounded to multiples of `round_to` like the layers' counts (derived columns keep their unrounded basis).

    `rules` maps a count column (persons) to the columns that rest on it, e.g. {"residents": ["covered_pct", …]}.
    """
    out = frame.copy()
    for count, derived in rules.items():
        small = out[count].to_numpy(dtype=float) < min_residents
        out.loc[small, [count, *derived]] = np.nan
        if round_to > 1:
            out[count] = _round_to(out[count].to_numpy(dtype=float), round_to)
    return out


# --- secondary suppression, rounding, parent fallback (issue 8) ------------------------------------------------------

COUNTS = ["numerator", "denominator", "residents"]
FALLBACKS = ("suppress", "parent")


@dataclass(frozen=True)
class Rules:
    """The disclosure parameters of a deployment (settings `min_cases`, `min_residents`, `round_counts_to`,
    `suppression_fallback`, `min_count_overrides`), hashable so plans can be cached per rule set."""

    min_cases: int = 3
    min_residents: int = 50
    round_to: int = 0
    fallback: str = "suppress"
    overrides: tuple[tuple[str, int], ...] = ()

    def min_cases_for(self, spec: LayerSpec) -> int:
        """Smallest number of cases a value of `spec` may rest on: the larger of `min_cases` and the layer's own minimum
        (its `min_count`, or the deployment's override for it)."""
        return max(self.min_cases, dict(self.overrides).get(spec.id, spec.min_count))


def rules_from(settings) -> Rules:
    """Rules from resolved settings; a malformed `min_count_overrides` raises ValueError naming the setting."""
    values = getattr(settings, "values", {})
    raw = values.get("min_count_overrides", "{}") or "{}"
    try:
        table = json.loads(raw) if isinstance(raw, str) else dict(raw)
        overrides = tuple(sorted((str(k), int(v)) for k, v in table.items()))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"min_count_overrides must be a JSON object of layer id → minimum count, e.g. {{\"migration_count\": 5}}; "
                         f"got {raw!r}") from exc
    fallback = values.get("suppression_fallback", "suppress")
    if fallback not in FALLBACKS:
        raise ValueError(f"suppression_fallback must be one of {', '.join(FALLBACKS)}; got {fallback!r}")
    return Rules(int(settings.min_cases), int(settings.min_residents), int(values.get("round_counts_to", 0) or 0), fallback, overrides)


def secondary_suppression(levels: list[pd.DataFrame], parents: list[pd.Series | None], min_cases: int, min_residents: int,
                          root_published: bool = True) -> list[pd.Series]:
    """Complementary (secondary) suppression in a hierarchy of additive tables, iterated to a fixed point.

    Parameters
    ----------
    levels : list of DataFrame, coarse → fine
        One frame per level, indexed by area id, with the additive counts ``numerator``, ``denominator``, ``residents``
        (persons) and a bool ``suppressed`` (the primary suppressions, and any already decided).
    parents : list of Series or None
        ``parents[i]`` maps the ids of level ``i`` to ids of level ``i − 1``; ``parents[0]`` is ignored (the coarsest
        level's parent is the whole city).
    min_cases, min_residents : int
        The primary rule (`small_counts`), also applied to the sum revealed by a published parent.
    root_published : bool
        Whether the city total (sum of the coarsest level) counts as published.

    Returns
    -------
    list of bool Series, one per level (same index): suppressed after secondary suppression.

    Notes
    -----
    Every parent with its children is an equation parent = Σ children; the suppressed areas are its unknowns. An
    equation with exactly one unknown reveals it, so until no equation has exactly one unknown:

    * published parent, one suppressed child → also suppress the smallest published sibling;
    * suppressed parent, no suppressed child → suppress its smallest published child;
    * published parent whose suppressed children add up to a sum that is itself small (`small_counts`) → suppress the
      smallest published sibling too;
    * when there is no published sibling left to take (a single child, or only empty ones), the parent is suppressed.

    "Smallest" is by denominator, then residents, then numerator, then id, so the result is deterministic. Children
    without anybody (all counts 0) are never chosen: hiding a known empty area protects nothing.
    """
    supp = [lvl["suppressed"].to_numpy(dtype=bool).copy() for lvl in levels]
    counts = [lvl[COUNTS].to_numpy(dtype=float) for lvl in levels]
    codes = []
    for i, lvl in enumerate(levels):
        if i == 0:
            codes.append(np.zeros(len(lvl), dtype=np.int64))
        else:
            parent_ids = parents[i].reindex(lvl.index).to_numpy()
            codes.append(levels[i - 1].index.get_indexer(parent_ids))
    order_keys = [np.lexsort((lvl.index.astype(str).to_numpy(), np.nan_to_num(c[:, 0]), np.nan_to_num(c[:, 2]), np.nan_to_num(c[:, 1])))
                  for lvl, c in zip(levels, counts)]
    rank = []
    for key in order_keys:
        r = np.empty(len(key), dtype=np.int64)
        r[key] = np.arange(len(key))
        rank.append(r)
    for _ in range(10_000):
        changed = False
        for i in range(len(levels)):
            if i == 0 and not root_published:
                continue  # no equation: the city total is not published
            n_parents = 1 if i == 0 else len(levels[i - 1])
            parent_supp = np.array([not root_published]) if i == 0 else supp[i - 1]
            code, s, c = codes[i], supp[i], np.nan_to_num(counts[i])
            ok = code >= 0
            k = np.bincount(code[ok], weights=s[ok].astype(float), minlength=n_parents)
            n = np.bincount(code[ok], minlength=n_parents)
            residual = np.column_stack([np.bincount(code[ok], weights=(c[:, j] * s)[ok], minlength=n_parents) for j in range(3)])
            residual_small = small_counts(pd.DataFrame(residual, columns=COUNTS).assign(value=1.0), min_cases, min_residents)
            need = (n > 0) & (((k == 1) & ~parent_supp) | ((k == 0) & parent_supp) | ((k >= 2) & ~parent_supp & residual_small))
            if not need.any():
                continue
            candidate = ok & ~s & ((c[:, 1] > 0) | (c[:, 2] > 0))
            candidate[ok] &= need[code[ok]]
            idx = np.flatnonzero(candidate)
            if len(idx):
                idx = idx[np.lexsort((rank[i][idx], code[idx]))]
                first = idx[np.r_[True, code[idx][1:] != code[idx][:-1]]]
                s[first] = True
                need[code[first]] = False
                changed = True
            if i > 0:  # no published sibling left: the parent goes (a published parent whose complement cannot be protected)
                lift = need & ~parent_supp & (n > 0)
                if lift.any():
                    supp[i - 1][lift] = True
                    changed = True
        if not changed:
            break
    return [pd.Series(s, index=lvl.index, name="suppressed") for s, lvl in zip(supp, levels)]


def round_counts(values: pd.DataFrame, base: int, value_is_count: bool) -> pd.DataFrame:
    """Counts rounded to the nearest multiple of `base` (halves up); a positive count never becomes 0 (it becomes `base`).

    Rounds numerator, denominator and residents, and ``value`` too when the layer's value is a count
    (`value_is_count`). Shares and other values stay as computed from the unrounded counts. NaN stays NaN.
    """
    if base <= 1:
        return values
    out = values.copy()
    cols = [*COUNTS, "value"] if value_is_count else COUNTS
    for col in cols:
        out[col] = _round_to(out[col].to_numpy(dtype=float), base)
    return out


def _round_to(x: np.ndarray, base: int) -> np.ndarray:
    """Nearest multiple of `base` (halves up); a positive count never becomes 0 (it becomes `base`); NaN stays NaN."""
    r = np.floor(x / base + 0.5) * base
    return np.where((x > 0) & (r == 0), base, r)


_PLANS: OrderedDict = OrderedDict()
_PLAN_CACHE_SIZE = 256


def clear_plans() -> None:
    """Forget cached suppression plans (tests, a rebuilt bundle is keyed apart anyway)."""
    _PLANS.clear()


def _cached(key, make):
    if key in _PLANS:
        _PLANS.move_to_end(key)
        return _PLANS[key]
    value = make()
    _PLANS[key] = value
    if len(_PLANS) > _PLAN_CACHE_SIZE:
        _PLANS.popitem(last=False)
    return value


def _primary(result: LayerResult, spec: LayerSpec, rules: Rules) -> pd.DataFrame:
    v = result.values[COUNTS].astype(float).copy()
    v["suppressed"] = small_counts(result.values, rules.min_cases_for(spec), rules.min_residents)
    return v


def unit_plan(bundle, spec: LayerSpec, period: str, group: str | None, period_from: str | None, rules: Rules,
              compute: Callable[..., LayerResult], context: str = "") -> dict[str, pd.Index]:
    """The suppressed unit ids of every level for one (layer, group, period, start period), after secondary suppression.

    `compute(basis, period, period_from, spec)` returns the undisclosed result of layer `spec`. A change layer (`change_of`) also
    hides every area its underlying layer hides at either period, so no change reveals a value hidden at one date.
    Cached per bundle build, layer, group, periods, rules and `context` (the settings the layers compute with).
    """
    key = ("units", str(bundle.folder), bundle.manifest.built_at, spec.id, group, period, period_from, rules, context)

    def make() -> dict[str, pd.Index]:
        levels = [lvl.id for lvl in bundle.levels]
        frames = [_primary(compute(Basis(level=lvl), period, period_from, spec), spec, rules) for lvl in levels]
        if spec.change_of and period_from:
            from .registry import get_layer

            base = get_layer(spec.change_of)
            for when in (period, period_from):
                hidden = unit_plan(bundle, base, when, group, None, rules, compute, context)
                for lvl, frame in zip(levels, frames):
                    frame.loc[frame.index.isin(hidden[lvl]), "suppressed"] = True
        parents = [None] + [bundle.units_of(lvl)["parent_id"] for lvl in levels[1:]]
        final = secondary_suppression(frames, parents, rules.min_cases_for(spec), rules.min_residents)
        return {lvl: s.index[s.to_numpy()] for lvl, s in zip(levels, final)}

    return _cached(key, make)


def h3_plan(bundle, spec: LayerSpec, period: str, group: str | None, period_from: str | None, rules: Rules,
            compute: Callable[..., LayerResult], context: str = "") -> dict[int, pd.Index]:
    """As `unit_plan`, over the H3 resolutions of the bundle (res r cell → its res r−1 parent), for cells counted
    exactly from points. (Cells interpolated from units need no tree of their own: see `disclose`.)"""
    import h3

    key = ("h3", str(bundle.folder), bundle.manifest.built_at, spec.id, group, period, period_from, rules, context)

    def make() -> dict[int, pd.Index]:
        resolutions = sorted(bundle.manifest.h3_resolutions)
        frames = [_primary(compute(Basis(res=r), period, period_from, spec), spec, rules) for r in resolutions]
        if spec.change_of and period_from:
            from .registry import get_layer

            base = get_layer(spec.change_of)
            for when in (period, period_from):
                hidden = h3_plan(bundle, base, when, group, None, rules, compute, context)
                for r, frame in zip(resolutions, frames):
                    frame.loc[frame.index.isin(hidden[r]), "suppressed"] = True
        parents: list[pd.Series | None] = [None]
        for r, frame in zip(resolutions[1:], frames[1:]):
            parents.append(pd.Series([h3.cell_to_parent(c, r - 1) for c in frame.index], index=frame.index))
        final = secondary_suppression(frames, parents, rules.min_cases_for(spec), rules.min_residents)
        return {r: s.index[s.to_numpy()] for r, s in zip(resolutions, final)}

    return _cached(key, make)


def _hide(result: LayerResult, hidden) -> LayerResult:
    hit = result.values.index.isin(hidden)
    if not hit.any():
        return result
    return _without_notes(result.with_values(_blank(result.values, hit)), result.values.index[hit])


def disclose(bundle, settings, spec: LayerSpec, result: LayerResult,
             compute: Callable[..., LayerResult]) -> LayerResult:
    """Disclosure control of one layer result: the single function every published value passes through.

    Planner mode: values stay, small ones carry ``suppressed`` (primary rule only). Portal mode:

    1. primary suppression (`small_counts` with the layer's minimum);
    2. secondary suppression over the unit hierarchy (`unit_plan`), computed for all levels at once so every level hides
       consistently; change layers also hide what their layer hides at either date;
    3. H3 cells interpolated from units: hidden wherever a hidden finest-level unit feeds them, so a published cell is
       a fixed combination (public areal weights) of published units only, and no difference of cells reveals more
       than the units already show; H3 cells counted from points get their own tree over resolutions (`h3_plan`);
    4. with `suppression_fallback = "parent"`: a hidden unit shows the value of its nearest published ancestor
       (not for count-valued layers), flagged by a hover line; its counts stay hidden;
    5. counts rounded to multiples of `round_counts_to` (`round_counts`).

    `compute(basis, period, period_from, spec)` returns the undisclosed result of a layer on another basis or period.
    """
    rules = rules_from(settings)
    publish = settings.mode == "portal"
    if not publish:
        return apply_minimum_counts(result, spec, rules.min_cases_for(spec), rules.min_residents, publish=False)
    result = apply_minimum_counts(result, spec, rules.min_cases_for(spec), rules.min_residents, publish=True)
    basis, period, group, period_from = result.basis, result.period, result.group, result.period_from
    context = repr(sorted(getattr(settings, "values", {}).items()))  # layers compute with the settings (radii, rates …)
    if not basis.is_h3:
        plan = unit_plan(bundle, spec, period, group, period_from, rules, compute, context)
        result = _hide(result, plan[basis.level])
        if rules.fallback == "parent" and spec.aggregate != "sum":
            result = _parent_fallback(bundle, spec, result, plan, compute)
    elif result.interpolated_from:
        plan = unit_plan(bundle, spec, period, group, period_from, rules, compute, context)
        units = plan[result.interpolated_from]
        fed = _cached(("fed", str(bundle.folder), bundle.manifest.built_at, basis.res, tuple(sorted(units))),
                      lambda: fed_cells(units, bundle.weights(basis.res)))
        result = _hide(result, fed)
        if spec.change_of and period_from:  # cells hidden at either date stay hidden in the change
            from .registry import get_layer

            base = get_layer(spec.change_of)
            for when in (period, period_from):
                before = compute(basis, when, None, base)
                result = _hide(result, before.values.index[small_counts(before.values, rules.min_cases_for(base), rules.min_residents)])
    else:
        result = _hide(result, h3_plan(bundle, spec, period, group, period_from, rules, compute, context)[basis.res])
    return result.with_values(round_counts(result.values, rules.round_to, spec.aggregate == "sum"))


def _parent_fallback(bundle, spec: LayerSpec, result: LayerResult, plan: dict[str, pd.Index],
                     compute: Callable[..., LayerResult]) -> LayerResult:
    """Hidden units show the value of their nearest published ancestor level, with a hover line saying so."""
    levels = [lvl.id for lvl in bundle.levels]
    depth = levels.index(result.basis.level)
    v = result.values.copy()
    hidden = v.index[v["suppressed"].to_numpy(dtype=bool)]
    if depth == 0 or len(hidden) == 0:
        return result
    notes = result.notes.copy() if result.notes is not None else pd.DataFrame({"de": "", "en": ""}, index=v.index)
    current = pd.Series(hidden, index=hidden)
    todo = pd.Index(hidden)
    parent_of = bundle.units.set_index("unit_id")["parent_id"]
    for up in range(depth - 1, -1, -1):
        if len(todo) == 0:
            break
        current = current.reindex(todo).map(parent_of)
        level = bundle.levels[up]
        published = ~current.isin(plan[level.id])
        if not published.any():
            continue
        ancestor_values = compute(Basis(level=level.id), result.period, result.period_from, spec).values["value"]
        names = bundle.units_of(level.id)["name"]
        take = current[published]
        v.loc[take.index, "value"] = ancestor_values.reindex(take.to_numpy()).to_numpy()
        v.loc[take.index, "suppressed"] = False
        parent_names = names.reindex(take.to_numpy()).fillna("").to_numpy()
        notes.loc[take.index, "de"] = [f"Wert für {level.name_de} {n} (hier zu wenige Fälle)" for n in parent_names]
        notes.loc[take.index, "en"] = [f"value of {level.name_en} {n} (too few cases here)" for n in parent_names]
        todo = todo.difference(take.index)
    return replace(result, values=v, notes=notes)
