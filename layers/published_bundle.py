"""The bundle the public portal computes on: the baseline with every person count perturbed by its cell key.

In the portal every layer, side table, index and text is computed from this bundle, so every figure an outsider sees is
derived from published (perturbed) counts only; no combination of figures can give more than those counts do
(`layers.cellkey`). Geometry, weights, facilities, catchments, green spaces and indicators are the baseline's.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from functools import cached_property

import h3
import numpy as np
import pandas as pd

from . import cellkey
from .bundle import Bundle
from .bundle.bundle import Counts
from .bundle.derived import DerivedBundle
from .bundle.schema import ORIGIN_PREFIX, ORIGIN_TOTAL, POPULATION_GROUPS
from .segregation.groups import origin_partition
from .spatial.basis import Basis
from .spatial.cover import dominant_unit
from .spatial.h3grid import cells_to_hex

INTERNAL_TABLES = frozenset({"accommodation", "housing"})  # planning data that never reaches the public portal (BRIEF §6)
# sources of imported files behind internal tables (`import_<kind>_<file>`, kind = table): not named in the portal either
INTERNAL_SOURCE_PREFIXES = tuple(f"import_{table}_" for table in sorted(INTERNAL_TABLES))


def public_sources(manifest) -> list:
    """The manifest's sources without those of imported files behind internal tables (their names and row counts say
    that internal data exist)."""
    return [s for s in manifest.sources if not s.key.startswith(INTERNAL_SOURCE_PREFIXES)]
COUNTS_KEPT = 48  # published count frames kept per bundle (units: small; H3 res 10: ~70k rows × ~50 columns)


class PublishedBundle(DerivedBundle):
    """A `Bundle` whose population counts are the published ones (see module docstring). Made by `published_bundle`."""

    def __init__(self, base: Bundle, secret: bytes):  # noqa: D107 - no dataclass init
        self.base = base
        self.folder = base.folder
        self._secret = secret
        self.changes_facilities = False  # static functions (layers.bundle.static.on_baseline) run on the base: same tables
        self.manifest = replace(base.manifest, built_at=f"{base.manifest.built_at}+published-{cellkey.fingerprint(secret)}",
                                sources=public_sources(base.manifest),
                                tables={k: v for k, v in base.manifest.tables.items() if k not in INTERNAL_TABLES})
        self._frames: OrderedDict[tuple, Counts] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PublishedBundle({self.base.manifest.city!r})"

    def has(self, table: str) -> bool:
        return table not in INTERNAL_TABLES and self.base.has(table)

    def table(self, name: str) -> pd.DataFrame:
        """Baseline tables, except the population tables, which hold published counts only, and the internal tables
        (accommodation sites, housing stock), which the published bundle does not have."""
        if name in INTERNAL_TABLES:
            raise KeyError(f"the published bundle has no table {name!r}: it is internal (BRIEF §6)")
        if name == "population":
            return self._population
        if name == "population_points":
            return self._pseudo_points
        return self.base.table(name)

    # published counts ----------------------------------------------------------------------------------
    def _finest_counts(self, period: str) -> pd.DataFrame:
        return self.counts(Basis(level=self.finest_level.id), period).frame

    def counts(self, basis: Basis, period: str) -> Counts:
        """Published counts on `basis`: units (and H3 cells counted from points) perturbed by their own cell key; H3 cells
        interpolated from units are interpolated from the published finest units (no key of their own)."""
        key = (basis, period)
        with self._lock:
            hit = self._frames.get(key)
            if hit is not None:
                self._frames.move_to_end(key)
                return hit
        out = self._published(basis, period)
        with self._lock:
            self._frames[key] = out
            while len(self._frames) > COUNTS_KEPT:
                self._frames.popitem(last=False)
        return out

    def _published(self, basis: Basis, period: str) -> Counts:
        true = self.base.counts(basis, period)
        if basis.is_h3 and true.interpolated_from:
            finest = self.counts(Basis(level=self.finest_level.id), period).frame
            return Counts(self.interpolation(basis.res).apply(finest), basis, period, true.interpolated_from)
        records, groups = self._records(basis, period, true.frame.index)
        cols = list(true.frame.columns)
        keys = cellkey.record_keys(self._secret, records.index, period, cols)
        cell_keys = cellkey.cell_keys(records[cols].to_numpy(dtype=float), keys, groups, len(true.frame))
        frame = pd.DataFrame(cellkey.perturb(true.frame.to_numpy(dtype=float), cell_keys), index=true.frame.index, columns=cols)
        return Counts(_consistent(frame), basis, period, None)

    def _records(self, basis: Basis, period: str, cells: pd.Index) -> tuple[pd.DataFrame, np.ndarray | None]:
        """The records behind the counts of `basis` (finest units or address points) and each record's cell position."""
        if self.point_based:
            pts = self.base._points(period)
            pts = pts.set_index("point_id")
            if basis.is_h3:
                owner = cells_to_hex(self.base._point_cells(period, basis.res))
            else:
                finest = pts["unit_id"].to_numpy()
                owner = finest if basis.level == self.finest_level.id else self.ancestor(basis.level).reindex(finest).to_numpy()
            return pts, cells.get_indexer(owner)
        finest = self.base.counts(Basis(level=self.finest_level.id), period).frame
        if basis.level == self.finest_level.id:
            return finest, None
        return finest, cells.get_indexer(self.ancestor(basis.level).reindex(finest.index).to_numpy())

    @cached_property
    def _population(self) -> pd.DataFrame:
        frames = []
        for period in self.periods:
            f = self.counts(Basis(level=self.finest_level.id), period).frame
            frames.append(f.rename_axis("unit_id").reset_index().assign(period=pd.Timestamp(period)))
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def _pseudo_points(self) -> pd.DataFrame:
        """Point-based bundles: address points are never published; in their place one point per finest H3 cell, at the
        cell's centre, with the cell's published counts (for computations that walk from points)."""
        res = max(self.manifest.h3_resolutions)
        dominant = dominant_unit(self, res)
        frames = []
        for period in self.periods:
            f = self.counts(Basis(res=res), period).frame
            lat, lon = np.array([h3.cell_to_latlng(c) for c in f.index]).T if len(f) else (np.array([]), np.array([]))
            frames.append(f.reset_index(drop=True).assign(point_id=[f"cell-{c}" for c in f.index], period=pd.Timestamp(period),
                                                          lon=lon, lat=lat, unit_id=dominant.reindex(f.index).to_numpy()))
        return pd.concat(frames, ignore_index=True)


def _consistent(frame: pd.DataFrame) -> pd.DataFrame:
    """Published counts that fit together: the leaf origin regions fit into the residents with migration background,
    every group fits into all residents, and no group exceeds its denominator (a share above 100 % would be nonsense,
    not protection). Totals are raised, never lowered below their parts; each step uses published values only."""
    out = frame.copy()
    leaves = [c for c in origin_partition(list(out.columns))]
    if leaves and ORIGIN_TOTAL in out.columns:
        out[ORIGIN_TOTAL] = np.fmax(out[ORIGIN_TOTAL].to_numpy(dtype=float), out[leaves].sum(axis=1, min_count=1).to_numpy(dtype=float))
    if "pop_total" in out.columns:
        groups = [c for c, d in POPULATION_GROUPS.items() if d == "pop_total" and c in out.columns and not c.startswith("age_")]
        if groups:
            out["pop_total"] = np.fmax(out["pop_total"].to_numpy(dtype=float), out[groups].max(axis=1).to_numpy(dtype=float))
    bounds = {**POPULATION_GROUPS, **{c: ORIGIN_TOTAL for c in out.columns if c.startswith(ORIGIN_PREFIX) and c not in leaves}}
    for col in [c for c in bounds if bounds[c] == "pop_total"] + [c for c in bounds if bounds[c] != "pop_total"]:
        upper = bounds[col]
        if col in out.columns and upper in out.columns:
            out[col] = np.fmin(out[col].to_numpy(dtype=float), out[upper].to_numpy(dtype=float))
    return out


_PUBLISHED: dict[tuple[int, str], PublishedBundle] = {}
_LOCK = threading.Lock()


def published_bundle(bundle: Bundle, secret: bytes) -> PublishedBundle:
    """The published view of `bundle` under `secret` (one object per bundle and secret, so its caches are shared)."""
    if isinstance(bundle, PublishedBundle):
        return bundle
    key = (id(bundle), cellkey.fingerprint(secret))
    with _LOCK:
        hit = _PUBLISHED.get(key)
        if hit is None or hit.base is not bundle:
            hit = _PUBLISHED[key] = PublishedBundle(bundle, secret)
        return hit
