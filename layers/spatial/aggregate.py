"""Counts on any basis: roll units up the hierarchy, points to cells and units, units to cells by areal weighting."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse


def roll_up(counts: pd.DataFrame, ancestor: pd.Series) -> pd.DataFrame:
    """Sum counts indexed by finest-level unit to the ancestor unit given by `ancestor` (finest id → ancestor id)."""
    return counts.groupby(ancestor.reindex(counts.index).to_numpy()).sum(min_count=1)


def points_to_cells(points: pd.DataFrame, cells: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """Sum point counts per cell (`cells`: hex id of every point, same order). Exact, no interpolation."""
    return points[columns].groupby(cells, sort=False).sum()


class CellInterpolation:
    """Areal interpolation of unit counts to H3 cells as one sparse matrix product (built once per bundle and
    resolution, then ~3 ms a period at Berlin H3 res 9 and ~30 ms at res 10, where the row-wise sum took ~25–37 ms and
    ~110–130 ms).

    Notes
    -----
    count_c = Σ_u w_uc · count_u with w_uc = |u ∩ c| / |u| (areas in an equal-area projection), so
    Σ_c count_c = Σ_u count_u exactly. Results are fractional; they carry the badge "interpolated from <level>".
    A cell is in the result when one of its weights belongs to a unit of the counts; a missing count adds nothing.

    Parameters
    ----------
    weights : pandas.DataFrame
        Areal weights with columns ``unit_id``, ``cell`` (hex id) and ``unit_share`` (w_uc, dimensionless).
    """

    def __init__(self, weights: pd.DataFrame) -> None:
        unit_codes, self.units = pd.factorize(weights["unit_id"].to_numpy())
        cell_codes, self.cells = pd.factorize(weights["cell"].to_numpy())  # order of first appearance
        shape = (len(self.cells), len(self.units))
        self.matrix = sparse.csr_matrix((weights["unit_share"].to_numpy(dtype=float), (cell_codes, unit_codes)), shape=shape)
        self.reaches = sparse.csr_matrix((np.ones(len(weights)), (cell_codes, unit_codes)), shape=shape)
        self._unit_index = pd.Index(self.units)

    def apply(self, counts: pd.DataFrame) -> pd.DataFrame:
        """Counts indexed by unit id → counts indexed by cell (hex id), same columns."""
        if not counts.index.is_unique:
            raise ValueError(f"counts to interpolate name a unit twice: {list(counts.index[counts.index.duplicated()][:5])}")
        pos, hit = _positions(self._unit_index, pd.Series(counts.index))
        x = np.zeros((len(self.units), counts.shape[1]))
        x[pos] = np.nan_to_num(counts.to_numpy(dtype=float)[hit], nan=0.0)
        present = np.zeros(len(self.units))
        present[pos] = 1.0
        kept = (self.reaches @ present) > 0
        return pd.DataFrame((self.matrix @ x)[kept], index=self.cells[kept], columns=counts.columns)


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
