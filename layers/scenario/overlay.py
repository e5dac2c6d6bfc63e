"""A scenario applied to a bundle: the baseline bundle with added residents and changed facilities (every layer reads it).

`with_scenario(bundle, scenario)` returns a `ScenarioBundle`, a `Bundle` whose population counts (every basis, every
period) and facilities table carry the interventions; all other tables, units, weights and cells are the baseline's.
The layer modules compute on it unchanged, so every layer responds. None or an empty scenario returns the baseline
object itself, so "empty scenario = baseline" holds exactly and every baseline cache is reused. `scenario_bundle` is
`with_scenario` under given settings, refused in the portal (query, compare and effects compute on it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..bundle.bundle import Counts
from ..bundle.derived import DerivedBundle
from ..bundle.schema import Source
from ..request import ParameterError
from ..settings import Settings, active_settings, using_settings
from ..spatial.basis import Basis
from ..spatial.h3grid import cells_to_hex, points_to_cells
from .model import NEW_FACILITY_PREFIX, FacilityChange, Housing, NewAccommodation, NewFacility, Scenario
from .residents import accommodation_mix, resident_mix
from .sites import Placed, place_site
from .validate import validate_scenario

VARIANTS = ("central", "low", "high")
SCENARIO_SOURCE = Source("scenario", "Szenario (Annahme)", "Szenario (Annahme) / scenario (assumption): planner's input", "", "", "")
COUNTS_PER_OVERLAY = 12


@dataclass(frozen=True)
class AddedResidents:
    """Residents one housing intervention adds: where (point, finest unit) and how many per count column."""

    index: int  # 1-based position in the scenario
    placed: Placed
    counts: pd.Series


class ScenarioBundle(DerivedBundle):
    """The baseline bundle with a scenario applied (see module docstring). Do not construct directly: `with_scenario`."""

    def __init__(self, base: Bundle, scenario: Scenario, variant: str, settings: Settings):  # noqa: D107 - no dataclass init
        self.base = base
        self.scenario = scenario
        self.variant = variant
        self.folder = base.folder
        self.manifest = replace(base.manifest, sources=[*base.manifest.sources, SCENARIO_SOURCE],
                                built_at=f"{base.manifest.built_at}+scenario-{scenario.fingerprint()}-{variant}")
        self._settings = settings
        self._counts: OrderedDict[tuple, Counts] = OrderedDict()
        self._counts_lock = threading.Lock()
        self.added: list[AddedResidents] = []
        self.new_facilities: list[tuple[str, NewFacility, Placed]] = []
        self.new_sites: list[tuple[str, NewAccommodation, Placed]] = []
        self.changes_facilities = any(isinstance(i, (NewFacility, FacilityChange)) for i in scenario.interventions)
        for n, i in enumerate(scenario.interventions, start=1):
            if isinstance(i, Housing):
                placed = place_site(base, i.site)
                self.added.append(AddedResidents(n, placed, resident_mix(base, i, placed, variant, settings)))
            elif isinstance(i, NewFacility):
                self.new_facilities.append((f"{NEW_FACILITY_PREFIX}{n}", i, place_site(base, i.site)))
            elif isinstance(i, NewAccommodation):
                placed = place_site(base, i.site)
                self.added.append(AddedResidents(n, placed, accommodation_mix(base, i, variant, settings)))
                self.new_sites.append((f"{NEW_FACILITY_PREFIX}{n}", i, placed))

    def __repr__(self) -> str:
        return f"ScenarioBundle({self.base.manifest.city!r}, {self.scenario.fingerprint()}, {self.variant})"

    def has(self, table: str) -> bool:
        if table == "facilities" and self.new_facilities:
            return True
        # a new site joins the site list only where the city has one: without it (Berlin's open data) every other area
        # would show 0 places, which is not known
        return self.base.has(table)

    # changed by the scenario -------------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        if not self.has(name):
            raise KeyError(f"the bundle {self.manifest.city!r} has no table {name!r}")
        if name == "facilities":
            return self._facilities if self.changes_facilities else self.base.table(name)
        if name == "population_points" and self.added:
            return self._population_points
        if name == "accommodation" and self.new_sites:
            return self._accommodation
        return self.base.table(name)

    @cached_property
    def _accommodation(self) -> gpd.GeoDataFrame:
        """The baseline's sites plus the scenario's, open from before the first Stichtag (so every period shows them)."""
        rows = gpd.GeoDataFrame({
            "site_id": [sid for sid, _, _ in self.new_sites], "type": [a.accommodation_type for _, a, _ in self.new_sites],
            "name": [a.label or f"Szenario {sid}" for sid, a, _ in self.new_sites], "capacity": [int(a.places) for _, a, _ in self.new_sites],
            "opened": pd.Timestamp("1900-01-01"), "closed": pd.NaT, "unit_id": [p.unit_id for _, _, p in self.new_sites],
            "source": "scenario"},
            geometry=gpd.points_from_xy([p.lon for _, _, p in self.new_sites], [p.lat for _, _, p in self.new_sites]), crs="EPSG:4326")
        base = self.base.table("accommodation")
        return gpd.GeoDataFrame(pd.concat([base, rows], ignore_index=True), geometry="geometry", crs=base.crs)

    @cached_property
    def _facilities(self) -> gpd.GeoDataFrame:
        fac = self.base.table("facilities").copy() if self.base.has("facilities") else gpd.GeoDataFrame(
            {"facility_id": pd.array([], dtype="string"), "type": pd.array([], dtype="string"), "capacity": pd.array([], dtype="Int64")},
            geometry=[], crs="EPSG:4326")
        if self.new_facilities:
            rows = gpd.GeoDataFrame({
                "facility_id": [fid for fid, _, _ in self.new_facilities],
                "type": [f.facility_type for _, f, _ in self.new_facilities],
                "name": [f.label or f"Szenario {fid}" for fid, f, _ in self.new_facilities],
                "capacity": [round(f.capacity) for _, f, _ in self.new_facilities],
                "unit_id": [p.unit_id for _, _, p in self.new_facilities],
                "source": ["scenario"] * len(self.new_facilities),
            }, geometry=gpd.points_from_xy([p.lon for _, _, p in self.new_facilities], [p.lat for _, _, p in self.new_facilities]),
                crs=fac.crs or "EPSG:4326")
            for c in rows.columns:
                if c in fac.columns and c != "geometry":
                    rows[c] = rows[c].astype(fac[c].dtype)
            fac = pd.concat([fac, rows], ignore_index=True)
        ids = fac["facility_id"].astype(str)
        closed = []
        for i in self.scenario.interventions:
            if isinstance(i, FacilityChange):
                at = (ids == i.facility_id).to_numpy()
                if i.is_closure:
                    closed.append(i.facility_id)
                elif "capacity" in fac.columns:
                    fac.loc[at, "capacity"] = round(i.capacity)
        if closed:
            fac = fac[~ids.isin(closed).to_numpy()]
        return gpd.GeoDataFrame(fac.reset_index(drop=True), geometry="geometry", crs=fac.crs)

    @cached_property
    def _population_points(self) -> pd.DataFrame:
        base = self.base.table("population_points")
        rows = []
        for a in self.added:
            for period in self.base.periods:
                row = {"point_id": f"{NEW_FACILITY_PREFIX}housing-{a.index}", "period": pd.Timestamp(period), "lon": a.placed.lon,
                       "lat": a.placed.lat, "unit_id": a.placed.unit_id, **a.counts.to_dict()}
                rows.append(row)
        add = pd.DataFrame(rows)
        for c in add.columns:
            if c in base.columns and c in self.count_columns:
                add[c] = add[c].astype(float)
        out = pd.concat([base.astype({c: float for c in self.count_columns}), add[base.columns]], ignore_index=True)
        return out

    def _delta(self, basis: Basis) -> pd.DataFrame:
        """Added residents per unit or cell of `basis` (count columns; only the areas that get any)."""
        if not self.added:
            return pd.DataFrame(columns=self.count_columns, dtype=float)
        rows = pd.DataFrame([a.counts for a in self.added]).fillna(0.0)
        if basis.is_h3:
            keys = cells_to_hex(points_to_cells(np.array([a.placed.lat for a in self.added]), np.array([a.placed.lon for a in self.added]),
                                                basis.res))
        else:
            finest = np.array([a.placed.unit_id for a in self.added], dtype=object)
            keys = finest if basis.level == self.finest_level.id else self.ancestor(basis.level).reindex(finest).to_numpy()
        return rows.groupby(keys, sort=False).sum()

    def _finest_counts(self, period: str) -> pd.DataFrame:
        return self.counts(Basis(level=self.finest_level.id), period).frame

    def counts(self, basis: Basis, period: str) -> Counts:
        """Baseline counts plus the added residents: in the site's unit on every level, in the site's cell on every
        resolution (exactly, not spread by areal weights), at every period.

        Cached per overlay (at most `COUNTS_PER_OVERLAY` frames, so an evicted overlay frees its memory)."""
        key = (basis, period)
        with self._counts_lock:
            hit = self._counts.get(key)
            if hit is not None:
                self._counts.move_to_end(key)
                return hit
        base = self.base.counts(basis, period)
        delta = self._delta(basis)
        out = base if delta.empty else Counts(_add(base.frame, delta), basis, period, base.interpolated_from)
        with self._counts_lock:
            self._counts[key] = out
            while len(self._counts) > COUNTS_PER_OVERLAY:
                self._counts.popitem(last=False)
        return out


def _add(frame: pd.DataFrame, delta: pd.DataFrame) -> pd.DataFrame:
    """frame + delta on the shared columns (as floats); rows of delta missing in frame are appended."""
    missing = delta.index.difference(frame.index)
    index = frame.index.append(missing) if len(missing) else frame.index
    values = np.zeros((len(index), len(frame.columns)))
    values[:len(frame)] = frame.to_numpy(dtype=float)
    rows = index.get_indexer(delta.index)
    cols = frame.columns.get_indexer(delta.columns)
    keep = cols >= 0
    values[np.ix_(rows, cols[keep])] += delta.to_numpy(dtype=float)[:, keep]
    return pd.DataFrame(values, index=index, columns=frame.columns)


_LOCK = threading.Lock()
_OVERLAYS: OrderedDict[tuple, ScenarioBundle] = OrderedDict()
OVERLAY_CACHE_SIZE = 12


def with_scenario(bundle: Bundle, scenario: Scenario | None, variant: str = "central", settings: Settings | None = None) -> Bundle:
    """The bundle with `scenario` applied; the very same `bundle` for None or an empty scenario.

    `variant` ``"low"`` / ``"high"`` uses the low/high end of the guessed inputs (persons per dwelling and the
    share of children in the mix, see `resident_mix`). Overlays are cached per (bundle, scenario fingerprint,
    variant) in a small LRU, so the layer caches keyed on the bundle work for a scenario too.
    """
    if scenario is None or scenario.is_empty:
        return bundle
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    if isinstance(bundle, ScenarioBundle):
        raise ValueError("the bundle already carries a scenario; apply scenarios to the baseline bundle")
    settings = settings or active_settings()
    mix_keys = tuple(repr(settings.values.get(k)) for k in sorted(settings.values) if k.startswith("scenario_"))
    key = (bundle, scenario.fingerprint(), variant, mix_keys)
    with _LOCK:
        hit = _OVERLAYS.get(key)
        if hit is not None:
            _OVERLAYS.move_to_end(key)
            return hit
    validate_scenario(bundle, scenario, settings)
    overlay = ScenarioBundle(bundle, scenario, variant, settings)
    with _LOCK:
        _OVERLAYS[key] = overlay
        while len(_OVERLAYS) > OVERLAY_CACHE_SIZE:
            _OVERLAYS.popitem(last=False)
    return overlay


def planner_only(settings: Settings) -> None:
    """Raise ParameterError in the portal: the public portal never runs scenarios, it shows the baseline only."""
    if settings.mode == "portal":
        raise ParameterError("scenario", "(a scenario)", ["(none: the public portal shows the baseline only)"])


def scenario_bundle(bundle: Bundle, settings: Settings, scenario: Scenario, variant: str = "central") -> Bundle:
    """`with_scenario` under `settings` (ParameterError in the portal): the bundle every scenario figure is computed on."""
    planner_only(settings)
    with using_settings(settings):
        return with_scenario(bundle, scenario, variant, settings)


__all__ = ["ScenarioBundle", "with_scenario", "scenario_bundle", "planner_only", "VARIANTS"]
