"""The primary disclosure rule (BRIEF §6) on its own: which values rest on too few people.

`layers.disclosure` applies it with the other rules; the education views flag small counts of their tables with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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
