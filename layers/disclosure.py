"""Disclosure control (BRIEF §6): the one place every published value passes through."""

from __future__ import annotations

import numpy as np

from .spec import LayerResult, LayerSpec


def apply_minimum_counts(result: LayerResult, spec: LayerSpec, min_cases: int, min_residents: int, publish: bool) -> LayerResult:
    """Flag values from fewer than `min_cases` cases or fewer than `min_residents` residents.

    With ``publish=True`` (portal mode) flagged values are removed (NaN) and the counts behind them too,
    so no output can show them; they are displayed as "not shown (fewer than N)", never as 0.
    With ``publish=False`` (planner mode) values stay and carry the flag.
    Secondary suppression follows in the modes issue; this is the single hook for it.
    """
    v = result.values.copy()
    min_cases = max(min_cases, spec.min_count)
    numerator = v["numerator"].to_numpy()
    small = (numerator > 0) & (numerator < min_cases) | (v["residents"].to_numpy() < min_residents)
    v["suppressed"] = small
    if publish:
        v.loc[small, ["value", "numerator", "denominator", "residents"]] = np.nan
    return result.with_values(v)
