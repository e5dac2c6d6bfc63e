"""A bundle on top of another one: geometry, weights, cells and tables are the base's unless a subclass overrides them
(the scenario overlay changes population and facilities, the portal's published bundle changes population counts)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..spatial import aggregate
from ..spatial.basis import Basis
from .bundle import Bundle


class DerivedBundle(Bundle):
    """Everything of `self.base` that a subclass does not override (subclasses set `base`, `folder` and `manifest`)."""

    base: Bundle

    def _check_unchanged(self) -> None:
        self.base._check_unchanged()

    @property
    def units(self) -> gpd.GeoDataFrame:
        return self.base.units

    def units_of(self, level_id: str) -> gpd.GeoDataFrame:
        return self.base.units_of(level_id)

    def ancestor(self, level_id: str) -> pd.Series:
        return self.base.ancestor(level_id)

    def weights(self, res: int) -> pd.DataFrame:
        return self.base.weights(res)

    def cells(self, res: int) -> np.ndarray:
        return self.base.cells(res)

    def interpolation(self, res: int) -> aggregate.CellInterpolation:
        return self.base.interpolation(res)

    def ids(self, basis: Basis) -> np.ndarray:
        return self.base.ids(basis)

    @property
    def point_based(self) -> bool:
        return self.base.point_based

    @property
    def count_columns(self) -> list[str]:
        return self.base.count_columns

    def has(self, table: str) -> bool:
        return self.base.has(table)
