"""Which units cover which H3 cells, read from the bundle's areal weights (`h3grid.areal_weights`).

Two questions are asked of the weights throughout the domain: which unit covers most of a cell (a cell takes that
unit's class, district or name), and which cells hold any part of some units (the cells their counts reach). They are
answered here once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from ..bundle.static import on_baseline

if TYPE_CHECKING:  # the bundle package imports the spatial core: a run-time import would close a cycle
    from ..bundle import Bundle


@on_baseline("units", "weights")
@lru_cache(maxsize=32)
def dominant_unit(bundle: Bundle, res: int, level: str | None = None) -> pd.Series:
    """The unit covering the largest part of each H3 cell's area.

    Parameters
    ----------
    bundle : Bundle
        City bundle with areal weights at `res`.
    res : int
        H3 resolution.
    level : str, optional
        Level of the units (a level id of the bundle); None for the finest level. A unit of a coarser level covers the
        area of its finest units within the cell.

    Returns
    -------
    pd.Series
        Unit id (str) per cell (hex id), for every cell of the city at `res`. The unit with the largest share of the
        cell's area within the city (``cell_share``) wins; the shares are compared as areas (m², equal-area
        projection), which order alike within a cell. Equal areas go to the smallest unit id, so the result does not
        depend on the order of the weights. Cached per baseline bundle (see `layers.bundle.static`).

    Examples
    --------
    In the example city, 40 % of the cell's area lies in block A1 and 60 % in block A2, both in district A:

    >>> from layers.examples import example_bundle
    >>> b = example_bundle()
    >>> dominant_unit(b, 9)["891f1801017ffff"], dominant_unit(b, 9, "district")["891f1801017ffff"]
    ('A2', 'A')
    """
    w = bundle.weights(res)
    area = pd.DataFrame({"cell": w["cell"], "unit_id": w["unit_id"].astype(str), "area_m2": w["area_m2"]})
    if level is not None:  # the weights hold one row per finest unit and cell; a coarser unit sums its finest units
        area = area.assign(unit_id=area["unit_id"].map(bundle.ancestor(level)))
        area = area.groupby(["cell", "unit_id"])["area_m2"].sum().reset_index()
    # by id, then stably by area (largest first): each cell's first row is its largest area, of equal ones the smallest id
    top = area.sort_values("unit_id").sort_values("area_m2", ascending=False, kind="stable").drop_duplicates("cell")
    return top.set_index("cell")["unit_id"]


def cells_of_units(weights: pd.DataFrame, units) -> pd.Index:
    """H3 cells that hold any part of `units`: the cells areal interpolation feeds from their counts.

    Parameters
    ----------
    weights : pd.DataFrame
        Areal weights of one resolution (``Bundle.weights``).
    units : list-like of str
        Finest-level unit ids.

    Returns
    -------
    pd.Index
        Hex ids of the cells, each once, in the order of `weights`.

    Examples
    --------
    >>> w = pd.DataFrame({"unit_id": ["a", "a", "b"], "cell": ["c1", "c2", "c2"]})
    >>> cells_of_units(w, ["a"]).tolist(), cells_of_units(w, ["b"]).tolist()
    (['c1', 'c2'], ['c2'])
    """
    return pd.Index(weights["cell"].to_numpy()[weights["unit_id"].isin(units).to_numpy()]).unique()
