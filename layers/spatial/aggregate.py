"""Counts on any basis: roll units up the hierarchy, points to cells and units, units to cells by areal weighting."""

from __future__ import annotations

import numpy as np
import pandas as pd


def roll_up(counts: pd.DataFrame, ancestor: pd.Series) -> pd.DataFrame:
    """Sum counts indexed by finest-level unit to the ancestor unit given by `ancestor` (finest id → ancestor id)."""
    return counts.groupby(ancestor.reindex(counts.index).to_numpy()).sum(min_count=1)


def points_to_cells(points: pd.DataFrame, cells: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """Sum point counts per cell (`cells`: hex id of every point, same order). Exact, no interpolation."""
    return points[columns].groupby(cells, sort=False).sum()


def interpolate_to_cells(counts: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Areal interpolation of unit counts to H3 cells; conserves totals.

    Notes
    -----
    count_c = Σ_u w_uc · count_u with w_uc = |u ∩ c| / |u| (areas in an equal-area projection), so
    Σ_c count_c = Σ_u count_u exactly. Results are fractional; they carry the badge
    "interpolated from <level>".
    """
    pos, hit = _positions(counts.index, weights["unit_id"])
    values = counts.to_numpy(dtype=float)[pos] * weights["unit_share"].to_numpy()[hit, None]
    return pd.DataFrame(values, columns=counts.columns).groupby(weights["cell"].to_numpy()[hit], sort=False).sum()


def cells_to_units(values: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Take cell counts back to finest-level units by the share of each cell's area in each unit; conserves totals."""
    pos, hit = _positions(values.index, weights["cell"])
    v = values.to_numpy(dtype=float)[pos] * weights["cell_share"].to_numpy()[hit, None]
    return pd.DataFrame(v, columns=values.columns).groupby(weights["unit_id"].to_numpy()[hit], sort=False).sum()


def _positions(index: pd.Index, keys: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Row positions in `index` of the `keys` found there, and the mask of those keys (a hash lookup: with pandas'
    string dtype this is some 30× faster than `keys.isin(index)` on 80,000 H3 weight rows)."""
    pos = index.get_indexer(keys)
    hit = pos >= 0
    return pos[hit], hit
