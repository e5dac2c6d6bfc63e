"""Disclosure control (BRIEF §6): the one place every published value passes through."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

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
    Secondary suppression (siblings, periods) follows in the modes issue; this is the single hook for it.
    """
    v = result.values.copy()
    small = small_counts(v, max(min_cases, spec.min_count), min_residents)
    v["suppressed"] = small
    if not publish:
        return result.with_values(v)
    v.loc[small, COUNT_COLUMNS] = np.nan
    return _without_notes(result.with_values(v), v.index[small])


def _without_notes(result: LayerResult, hidden: pd.Index) -> LayerResult:
    """Hover notes of suppressed areas go too: they carry figures derived from the same counts."""
    if result.notes is None or len(hidden) == 0:
        return result
    notes = result.notes.copy()
    notes.loc[notes.index.isin(hidden), :] = ""
    return replace(result, notes=notes)


def suppress_cells_fed_by(result: LayerResult, suppressed_units: pd.Index, weights: pd.DataFrame) -> LayerResult:
    """Suppress every H3 cell that receives any share of a suppressed unit's counts.

    Cells interpolated from units mix their counts by public areal weights; publishing a cell fed by a
    suppressed unit would let anyone solve for that unit's counts.
    """
    fed = weights.loc[weights["unit_id"].isin(suppressed_units), "cell"].unique()
    v = result.values.copy()
    hit = v.index.isin(fed)
    v.loc[hit, "suppressed"] = True
    v.loc[hit, COUNT_COLUMNS] = np.nan
    return _without_notes(result.with_values(v), v.index[hit])


def hide_small_counts(frame: pd.DataFrame, rules: dict[str, list[str]], min_residents: int) -> pd.DataFrame:
    """Profile tables (one row per facility type, per area …) in the portal: where a count column is below
    `min_residents`, that count and every column computed from it become NaN ("not shown", never 0).

    `rules` maps a count column (persons) to the columns that rest on it, e.g. {"residents": ["covered_pct", …]}.
    """
    out = frame.copy()
    for count, derived in rules.items():
        small = out[count].to_numpy(dtype=float) < min_residents
        out.loc[small, [count, *derived]] = np.nan
    return out
