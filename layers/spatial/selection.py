"""Areas on one basis expressed on another: districts of areas, and a selection carried across bases.

Conventions (documented in docs/methods.md, "Linked selection"):

- a cell belongs to the finest unit that covers the largest part of its area (``cell_share``), and through
  it to that unit's district;
- units → cells: the cells whose largest part lies in a selected unit ("the cells inside the units");
- cells → units: the units that have at least half of their area in selected cells, or, where a selection
  covers no unit that well, every unit holding the largest share of a selected cell;
- level → level: finer units are the descendants of the selected units; coarser units are those with at
  least half of their finest units selected (or containing a selected unit when none reaches half);
- H3 → H3: a cell of a finer resolution is selected when its centre lies in a selected cell; of a coarser one,
  when it is the parent of a selected cell (H3 is not strictly nested, see `h3grid`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..bundle.static import on_baseline
from .basis import Basis
from .cover import dominant_unit

if TYPE_CHECKING:  # the bundle package imports the spatial core: a run-time import would close a cycle
    from ..bundle import Bundle


@on_baseline("units")
@lru_cache(maxsize=64)
def _finest_of(bundle: Bundle, basis: Basis) -> pd.Series:
    """Finest unit → the id it has on `basis` (a level); for H3 see `cover.dominant_unit`."""
    finest = bundle.finest_level.id
    if basis.level == finest:
        ids = bundle.units_of(finest).index
        return pd.Series(ids, index=ids)
    return bundle.ancestor(basis.level)


@on_baseline("units", "weights")
@lru_cache(maxsize=64)
def district_of(bundle: Bundle, basis: Basis) -> pd.Series:
    """Id on `basis` → id of its unit on the coarsest level (the district); cached per bundle and basis."""
    district = bundle.ancestor(bundle.levels[0].id)
    if basis.is_h3:
        return dominant_unit(bundle, basis.res).map(district).reindex(bundle.cells(basis.res))
    if basis.level == bundle.levels[0].id:
        ids = bundle.units_of(basis.level).index
        return pd.Series(ids, index=ids)
    pairs = pd.DataFrame({"id": _finest_of(bundle, basis), "district": district})
    return pairs.drop_duplicates("id").set_index("id")["district"]


def ids_in_district(bundle: Bundle, basis: Basis, district: str | None) -> np.ndarray:
    """All ids of `basis` (whole city when `district` is None) as an array."""
    if not district:
        return bundle.ids(basis)
    d = district_of(bundle, basis)
    return d.index[d.to_numpy() == district].to_numpy()


def _to_finest(bundle: Bundle, ids: list[str], basis: Basis) -> pd.Series:
    """Selected ids → weights per finest unit: the share of each finest unit's area that is selected (0–1)."""
    if basis.is_h3:
        w = bundle.weights(basis.res)
        return w[w["cell"].isin(ids)].groupby("unit_id")["unit_share"].sum().clip(upper=1.0)
    finest = _finest_of(bundle, basis)
    hit = finest.index[finest.isin(ids)]
    return pd.Series(1.0, index=hit)


def _h3_to_h3(ids: list[str], source: int, target: int, city_cells: np.ndarray) -> list[str]:
    import h3

    if target > source:
        out = {c for cell in ids for c in h3.cell_to_children(cell, target)}
    else:
        out = {h3.cell_to_parent(cell, target) for cell in ids}
    return [c for c in city_cells if c in out]


def translate_selection(bundle: Bundle, ids: list[str], source: Basis, target: Basis) -> list[str]:
    """The ids on `target` that correspond to the selection `ids` on `source` (see the module conventions)."""
    if not ids or source == target:
        return list(ids)
    if source.is_h3 and target.is_h3:
        return _h3_to_h3(ids, source.res, target.res, bundle.cells(target.res))
    share = _to_finest(bundle, ids, source)
    if share.empty:
        return []
    if target.is_h3:
        dominant = dominant_unit(bundle, target.res)
        chosen = set(share.index[share >= 0.5])
        return dominant.index[dominant.isin(chosen)].tolist()
    finest = _finest_of(bundle, target)
    frame = pd.DataFrame({"target": finest, "share": share.reindex(finest.index).fillna(0.0)})
    per_target = frame.groupby("target")["share"].mean()  # finest units weigh equally within a target unit
    chosen = per_target.index[per_target >= 0.5]
    if len(chosen) == 0:
        chosen = per_target.index[per_target > 0]
    return [str(i) for i in chosen]
