"""A loaded city bundle: tables read lazily, counts on any basis and period, cached per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..spatial import aggregate
from ..spatial.basis import Basis
from ..spatial.h3grid import cells_to_hex, points_to_cells
from .schema import TABLES, Level, Manifest, Source
from .store import read_manifest, read_table, weights_file

POINT_META = ("point_id", "period", "lon", "lat", "unit_id")


@dataclass(frozen=True)
class Counts:
    """Resident counts on one basis and period.

    `frame` is indexed by unit id or H3 cell (hex); its columns are the bundle's count columns
    (persons; fractional where interpolated). `interpolated_from` names the level the values were
    areally interpolated from, or is None when they were aggregated exactly.
    """

    frame: pd.DataFrame
    basis: Basis
    period: str
    interpolated_from: str | None = None


@dataclass(eq=False)
class Bundle:
    """A city bundle folder opened for reading."""

    folder: Path
    manifest: Manifest = field(init=False)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.manifest = read_manifest(self.folder)

    # --- metadata -------------------------------------------------------------------------
    @property
    def levels(self) -> list[Level]:
        return self.manifest.levels

    @property
    def periods(self) -> list[str]:
        return sorted(self.manifest.periods)

    @property
    def sources(self) -> dict[str, Source]:
        return {s.key: s for s in self.manifest.sources}

    def level(self, level_id: str) -> Level:
        for lvl in self.levels:
            if lvl.id == level_id:
                return lvl
        raise KeyError(level_id)

    @property
    def finest_level(self) -> Level:
        return self.levels[-1]

    def has(self, table: str) -> bool:
        return (self.folder / TABLES[table].file).exists()

    def table(self, name: str) -> pd.DataFrame:
        """A bundle table (cached); raises KeyError when the bundle does not have it."""
        if not self.has(name):
            raise KeyError(f"the bundle {self.manifest.city!r} has no table {name!r}")
        return self._table(name)

    @lru_cache(maxsize=None)
    def _table(self, name: str) -> pd.DataFrame:
        self._check_unchanged()
        return read_table(self.folder, name)

    def _check_unchanged(self) -> None:
        """Tables are read lazily: refuse to mix them with a manifest from an earlier build of the folder."""
        on_disk = read_manifest(self.folder).built_at
        if on_disk != self.manifest.built_at:
            raise RuntimeError(f"the bundle in {self.folder} was rebuilt ({on_disk}) after it was opened "
                               f"({self.manifest.built_at}); restart the server to use the new build")

    # --- units ----------------------------------------------------------------------------
    @cached_property
    def units(self) -> gpd.GeoDataFrame:
        return self.table("units")

    @lru_cache(maxsize=None)
    def units_of(self, level_id: str) -> gpd.GeoDataFrame:
        """Units of one level, indexed by unit id (cached; do not modify the returned frame)."""
        return self.units[self.units["level"] == level_id].set_index("unit_id")

    @lru_cache(maxsize=None)
    def ancestor(self, level_id: str) -> pd.Series:
        """Finest-level unit id → id of its ancestor on `level_id`."""
        parent = self.units.set_index("unit_id")["parent_id"]
        current = pd.Series(self.units_of(self.finest_level.id).index, index=self.units_of(self.finest_level.id).index)
        depth = [lvl.id for lvl in self.levels].index(level_id)
        for _ in range(len(self.levels) - 1 - depth):
            current = current.map(parent)
        return current

    @lru_cache(maxsize=None)
    def weights(self, res: int) -> pd.DataFrame:
        """Areal weights between finest-level units and H3 cells at `res` (see `areal_weights`)."""
        path = self.folder / weights_file(res)
        self._check_unchanged()
        if not path.exists():
            raise KeyError(f"H3 resolution {res} was not built for {self.manifest.city!r} (built: {self.manifest.h3_resolutions})")
        return pd.read_parquet(path)

    @lru_cache(maxsize=None)
    def interpolation(self, res: int) -> aggregate.CellInterpolation:
        """The areal interpolation of finest-level counts to H3 cells at `res` (cached: on every H3 layer's hot path)."""
        return aggregate.CellInterpolation(self.weights(res))

    @lru_cache(maxsize=None)
    def cells(self, res: int) -> np.ndarray:
        """Hex ids of all cells covering the city at `res` (cached: on every layer's hot path)."""
        return self.weights(res)["cell"].unique()

    # --- population -----------------------------------------------------------------------
    @cached_property
    def point_based(self) -> bool:
        return self.has("population_points")

    @cached_property
    def count_columns(self) -> list[str]:
        name = "population_points" if self.point_based else "population"
        cols = self.table(name).columns
        return [c for c in cols if c not in POINT_META and c != "geometry"]

    def _check_period(self, period: str) -> None:
        if period not in self.manifest.periods:
            raise KeyError(f"period {period!r} not in the bundle (periods: {', '.join(self.periods)})")

    @lru_cache(maxsize=64)
    def _points(self, period: str) -> pd.DataFrame:
        pts = self.table("population_points")
        return pts[pts["period"] == pd.Timestamp(period)].reset_index(drop=True)

    @lru_cache(maxsize=64)
    def _point_cells(self, period: str, res: int) -> np.ndarray:
        pts = self._points(period)
        return points_to_cells(pts["lat"].to_numpy(), pts["lon"].to_numpy(), res)

    @lru_cache(maxsize=64)
    def _finest_counts(self, period: str) -> pd.DataFrame:
        if self.point_based:
            pts = self._points(period)
            return pts.groupby("unit_id")[self.count_columns].sum()
        pop = self.table("population")
        return pop[pop["period"] == pd.Timestamp(period)].set_index("unit_id")[self.count_columns]

    @lru_cache(maxsize=128)
    def counts(self, basis: Basis, period: str) -> Counts:
        """Resident counts per unit or cell for `period` (ISO date of the Stichtag)."""
        self._check_period(period)
        if basis.is_h3:
            if self.point_based:
                pts = self._points(period)
                cells = self._point_cells(period, basis.res)
                frame = pts[self.count_columns].groupby(cells, sort=False).sum()
                frame.index = cells_to_hex(frame.index.to_numpy())
                return Counts(frame, basis, period, None)
            frame = self.interpolation(basis.res).apply(self._finest_counts(period))
            return Counts(frame, basis, period, self.finest_level.id)
        self.level(basis.level)
        finest = self._finest_counts(period)
        if basis.level == self.finest_level.id:
            return Counts(finest, basis, period, None)
        return Counts(aggregate.roll_up(finest, self.ancestor(basis.level)), basis, period, None)

    def ids(self, basis: Basis) -> np.ndarray:
        """All ids of a basis: the units of a level, or the cells covering the city."""
        return self.cells(basis.res) if basis.is_h3 else self.units_of(basis.level).index.to_numpy()


@lru_cache(maxsize=8)
def load_bundle(folder: str | Path) -> Bundle:
    """Open the bundle in `folder` once per process."""
    return Bundle(Path(folder).resolve())
