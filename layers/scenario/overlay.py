"""A scenario applied to a bundle: the baseline bundle with added residents and changed facilities (every layer reads it).

`with_scenario(bundle, scenario)` returns a `ScenarioBundle`, a `Bundle` whose population counts (every basis, every
period) and facilities table carry the interventions; all other tables, units, weights and cells are the baseline's.
The layer modules compute on it unchanged, so every layer responds. None or an empty scenario returns the baseline
object itself, so "empty scenario = baseline" holds exactly and every baseline cache is reused.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..bundle.bundle import Counts
from ..bundle.derived import DerivedBundle
from ..bundle.schema import ACCOMMODATION_TYPES, AGE_BANDS, FACILITY_TYPES, Source
from ..settings import Settings, active_settings
from ..spatial.basis import Basis
from ..spatial.geometry import locate_points
from ..spatial.h3grid import cells_to_hex, points_to_cells
from .model import FacilityChange, Housing, NewAccommodation, NewFacility, Scenario, ScenarioError, Site

VARIANTS = ("central", "low", "high")
CHILD_BANDS = ("age_0_6", "age_6_15", "age_15_18")
SCENARIO_SOURCE = Source("scenario", "Szenario (Annahme)", "Szenario (Annahme) / scenario (assumption): planner's input", "", "", "")
NEW_FACILITY_PREFIX = "scenario-"
COUNTS_PER_OVERLAY = 12


# --- sites ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Placed:
    """A site resolved against a bundle: WGS84 point and the finest-level unit containing it."""

    lon: float
    lat: float
    unit_id: str


def _h3_valid(hex_id: str) -> int | None:
    import h3

    try:
        return h3.get_resolution(hex_id) if h3.is_valid_cell(hex_id) else None
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=32)
def cell_index(bundle: Bundle, res: int) -> pd.Index:
    """The city's cells at `res` as a hashed index (fast membership tests; cached per bundle)."""
    return pd.Index(np.asarray(bundle.cells(res), dtype=object))


def in_city(bundle: Bundle, cell: str, res: int) -> bool:
    return res in bundle.manifest.h3_resolutions and cell in cell_index(getattr(bundle, "base", bundle), res)


@lru_cache(maxsize=512)
def place_site(bundle: Bundle, site: Site) -> Placed:
    """Resolve a site to a point and finest unit; ValueError (message without the intervention prefix) when outside the city."""
    finest = bundle.finest_level.id
    if site.kind == "cell":
        res = _h3_valid(site.id or "")
        if res is None:
            raise ValueError(f"{site.id!r} is not an H3 cell")
        if not in_city(bundle, site.id, res):
            raise ValueError(f"cell {site.id} lies outside the city (not among its H3 cells at resolution {res})")
        import h3

        lat, lon = h3.cell_to_latlng(site.id)
        unit = locate_points(bundle, [lon], [lat])[0]
        if unit is None:  # centre just outside the outline: the unit with the largest share of the cell
            w = bundle.weights(res)
            w = w[w["cell"] == site.id]
            unit = str(w.sort_values("cell_share", ascending=False)["unit_id"].iloc[0])
        return Placed(float(lon), float(lat), str(unit))
    if site.kind == "unit":
        if site.id not in bundle.units["unit_id"].to_numpy():
            raise ValueError(f"unknown unit id {site.id!r}")
        if site.lon is None:
            level = bundle.units.loc[bundle.units["unit_id"] == site.id, "level"].iloc[0]
            geom = bundle.units_of(level).loc[site.id, "geometry"]
            rp = geom.representative_point()
            lon, lat = rp.x, rp.y
        else:
            lon, lat = site.lon, site.lat
        unit = locate_points(bundle, [lon], [lat])[0]
        if unit is None:
            raise ValueError(f"the point ({lon:.5f}, {lat:.5f}) lies outside the city")
        members = bundle.ancestor(bundle.units.loc[bundle.units["unit_id"] == site.id, "level"].iloc[0])
        if members.get(unit) != site.id:
            raise ValueError(f"the point ({lon:.5f}, {lat:.5f}) does not lie in unit {site.id}")
        return Placed(float(lon), float(lat), str(unit))
    unit = locate_points(bundle, [site.lon], [site.lat])[0]
    if unit is None:
        raise ValueError(f"the point ({site.lon:.5f}, {site.lat:.5f}) lies outside the city")
    for res in bundle.manifest.h3_resolutions:
        cell = cells_to_hex(points_to_cells(np.array([site.lat]), np.array([site.lon]), res))[0]
        if not in_city(bundle, cell, res):
            raise ValueError(f"the point ({site.lon:.5f}, {site.lat:.5f}) lies outside the city's H3 cells at resolution {res}")
    assert unit in bundle.units_of(finest).index
    return Placed(float(site.lon), float(site.lat), str(unit))


# --- validation -----------------------------------------------------------------------------------

def facility_type_choices(bundle: Bundle) -> list[str]:
    """Facility types a new facility may have: the schema's types (the bundle's own and e.g. ``meeting_place``)."""
    return list(FACILITY_TYPES)


def _facility_ids(bundle: Bundle) -> set[str]:
    return set(bundle.table("facilities")["facility_id"].astype(str)) if bundle.has("facilities") else set()


def validate_scenario(bundle: Bundle, scenario: Scenario, settings: Settings | None = None, source: str = "scenario") -> None:
    """Raise ScenarioError (naming source, intervention and field) for implausible or unknown inputs.

    Checks: dwellings 1 … `scenario_max_dwellings`; persons per dwelling within [`scenario_persons_min`,
    `scenario_persons_max`]; shares in 0–1; sites inside the city; known unit ids, facility ids and facility types;
    capacities 0 … `scenario_max_capacity`; at most `scenario_max_interventions` interventions.
    """
    s = (settings or active_settings()).values
    if len(scenario.interventions) > s["scenario_max_interventions"]:
        raise ScenarioError(f"{len(scenario.interventions)} interventions; at most {s['scenario_max_interventions']} are allowed", source=source)
    fac_ids = None
    new_ids = {f"{NEW_FACILITY_PREFIX}{n}" for n, i in enumerate(scenario.interventions, start=1) if isinstance(i, NewFacility)}
    for n, i in enumerate(scenario.interventions, start=1):
        def err(msg: str, fld: str | None = None, kind: str = i.kind) -> ScenarioError:
            return ScenarioError(msg, source=source, index=n, kind=kind, field=fld)

        if isinstance(i, Housing):
            if not isinstance(i.dwellings, (int, np.integer)) or isinstance(i.dwellings, bool):
                raise err(f"{i.dwellings!r} is not a whole number", "dwellings")
            if i.dwellings < 0:
                raise err(f"{i.dwellings} is negative", "dwellings")
            if i.dwellings == 0:
                raise err("0 dwellings add nobody; give at least 1", "dwellings")
            if i.dwellings > s["scenario_max_dwellings"]:
                raise err(f"{i.dwellings:,} is implausibly large for one site (at most {s['scenario_max_dwellings']:,})", "dwellings")
            lo, hi = s["scenario_persons_min"], s["scenario_persons_max"]
            if not np.isfinite(i.persons_per_dwelling) or not lo <= i.persons_per_dwelling <= hi:
                raise err(f"{i.persons_per_dwelling} is outside the plausible range {lo}–{hi}", "persons_per_dwelling")
            if not np.isfinite(i.subsidised_share) or not 0.0 <= i.subsidised_share <= 1.0:
                raise err(f"{i.subsidised_share} is not a share between 0 and 1", "subsidised_share")
            if i.mix not in ("reference", "new_build", "subsidised"):
                raise err(f"{i.mix!r} is not one of reference, new_build, subsidised", "mix")
            if i.reference_area is not None and i.reference_area not in set(bundle.units["unit_id"]):
                raise err(f"unknown unit id {i.reference_area!r}", "reference_area")
            try:
                place_site(bundle, i.site)
            except ValueError as exc:
                raise err(str(exc), "site") from None
        elif isinstance(i, NewFacility):
            if i.facility_type not in FACILITY_TYPES:
                raise err(f"unknown facility type {i.facility_type!r}; known: {', '.join(FACILITY_TYPES)}", "facility_type")
            if not np.isfinite(i.capacity) or i.capacity < 0:
                raise err(f"{i.capacity} is negative" if i.capacity < 0 else f"{i.capacity} is not a number", "capacity")
            if i.capacity > s["scenario_max_capacity"]:
                raise err(f"{i.capacity:,.0f} is implausibly large (at most {s['scenario_max_capacity']:,.0f})", "capacity")
            try:
                place_site(bundle, i.site)
            except ValueError as exc:
                raise err(str(exc), "site") from None
        elif isinstance(i, FacilityChange):
            fac_ids = _facility_ids(bundle) if fac_ids is None else fac_ids
            if i.facility_id not in fac_ids and i.facility_id not in new_ids:
                raise err(f"unknown facility id {i.facility_id!r}", "facility_id")
            if i.capacity is not None:
                if not np.isfinite(i.capacity) or i.capacity < 0:
                    raise err(f"{i.capacity} is negative", "capacity")
                if i.capacity > s["scenario_max_capacity"]:
                    raise err(f"{i.capacity:,.0f} is implausibly large (at most {s['scenario_max_capacity']:,.0f})", "capacity")
            if i.capacity is None and not i.closed:
                raise err("give a new capacity or closed=true", "capacity")
        elif isinstance(i, NewAccommodation):
            if not isinstance(i.places, (int, np.integer)) or isinstance(i.places, bool) or i.places < 1:
                raise err(f"{i.places!r} is not a whole number of places from 1", "places")
            if i.places > s["scenario_max_capacity"]:
                raise err(f"{i.places:,} places is implausibly large for one site (at most {s['scenario_max_capacity']:,.0f})", "places")
            if i.accommodation_type not in ACCOMMODATION_TYPES:
                raise err(f"unknown accommodation type {i.accommodation_type!r}; known: {', '.join(ACCOMMODATION_TYPES)}", "accommodation_type")
            if i.occupancy is not None and (not np.isfinite(i.occupancy) or not 0.0 < i.occupancy <= 1.0):
                raise err(f"{i.occupancy} is not a share above 0 and up to 1", "occupancy")
            try:
                place_site(bundle, i.site)
            except ValueError as exc:
                raise err(str(exc), "site") from None
        else:
            raise err(f"unknown intervention {type(i).__name__}", kind="?")


# --- resident mix -----------------------------------------------------------------------------------

def _age_mix(setting: list, name: str) -> np.ndarray:
    a = np.asarray(setting, dtype=float)
    if a.shape != (len(AGE_BANDS),) or (a < 0).any() or abs(a.sum() - 1.0) > 0.01:
        raise ValueError(f"setting {name} must be {len(AGE_BANDS)} non-negative shares summing to 1, got {setting!r}")
    return a / a.sum()


def _variant(age: np.ndarray, variant: str, v: dict) -> tuple[np.ndarray, float]:
    """The age shares and the factor on the number of residents of the low/high variant (central: unchanged).

    Low/high: residents × (1 ∓ ``scenario_persons_spread``); the shares under 18 × (1 ∓ ``scenario_child_spread``), the
    other bands rescaled so the shares still sum to 1.
    """
    if variant == "central":
        return age, 1.0
    sign = -1.0 if variant == "low" else 1.0
    child = np.array([b in CHILD_BANDS for b in AGE_BANDS])
    scaled = age * np.where(child, 1.0 + sign * float(v["scenario_child_spread"]), 1.0)
    rest = 1.0 - scaled[child].sum()
    scaled[~child] = age[~child] * (rest / age[~child].sum()) if age[~child].sum() > 0 else 0.0
    return scaled, 1.0 + sign * float(v["scenario_persons_spread"])


@lru_cache(maxsize=64)
def reference_profile(bundle: Bundle, unit_id: str, min_residents: int) -> tuple[str, pd.Series]:
    """Composition of a reference area at the latest period: (unit used, counts of all count columns).

    A unit with fewer than `min_residents` residents is replaced by its parent (repeatedly) so that the mix
    does not rest on a handful of people.
    """
    period = bundle.periods[-1]
    units = bundle.units.set_index("unit_id")
    current = unit_id
    while True:
        level = str(units.loc[current, "level"])
        c = bundle.counts(Basis(level=level), period).frame
        row = c.loc[current] if current in c.index else pd.Series(0.0, index=c.columns)
        parent = units.loc[current, "parent_id"]
        if float(row.get("pop_total", 0.0)) >= min_residents or parent is None or pd.isna(parent):
            return current, row.astype(float)
        current = str(parent)


def resident_mix(bundle: Bundle, housing: Housing, placed: Placed, variant: str, settings: Settings) -> pd.Series:
    """Residents added by one housing intervention, per count column of the bundle (persons, fractional).

    Notes
    -----
    R = dwellings × persons per dwelling (× (1 ∓ persons spread) for the low/high variant). Age band b gets R·a_b with
    a the age mix: the reference area's (``reference``), or the typical new-build / subsidised mix from the settings,
    blended as (1 − s)·a_mix + s·a_subsidised with s the subsidised share. Low/high scale the shares under 18 by
    (1 ∓ child spread) and rescale the other bands so the shares still sum to 1. Within each band the group shares
    (migration background) are the reference area's; groups without bands (foreigners, origin regions, women) take
    the reference area's shares of migration background or of all residents.
    """
    v = settings.values
    ref_id = housing.reference_area or placed.unit_id
    _, ref = reference_profile(bundle, ref_id, int(v["scenario_reference_min_residents"]))
    cols = bundle.count_columns
    total = max(float(ref.get("pop_total", 0.0)), 1e-9)
    bands = [b for b in AGE_BANDS if b in cols]
    ref_age = np.array([float(ref.get(b, 0.0)) for b in AGE_BANDS]) / total
    if housing.mix == "new_build":
        base = _age_mix(v["scenario_mix_new_build"], "scenario_mix_new_build")
    elif housing.mix == "subsidised":
        base = _age_mix(v["scenario_mix_subsidised"], "scenario_mix_subsidised")
    else:
        base = ref_age / ref_age.sum() if ref_age.sum() > 0 else _age_mix(v["scenario_mix_new_build"], "scenario_mix_new_build")
    sub = float(housing.subsidised_share) if housing.mix != "subsidised" else 0.0
    age = (1.0 - sub) * base + sub * _age_mix(v["scenario_mix_subsidised"], "scenario_mix_subsidised")
    age, factor = _variant(age, variant, v)
    r = housing.dwellings * float(housing.persons_per_dwelling) * factor
    out = pd.Series(0.0, index=cols)
    out["pop_total"] = r
    mig_total_share = float(ref.get("pop_mig_bg", 0.0)) / total
    mig = 0.0
    for b, share in zip(AGE_BANDS, age):
        if b not in bands:
            continue
        out[b] = r * share
        col = f"mig_bg_{b}"
        if col in cols:
            rb = float(ref.get(b, 0.0))
            rate = float(ref.get(col, 0.0)) / rb if rb > 0 else mig_total_share
            out[col] = out[b] * rate
            mig += out[col]
    if "pop_mig_bg" in cols:
        out["pop_mig_bg"] = mig if any(f"mig_bg_{b}" in cols for b in bands) else r * mig_total_share
        ref_mig = max(float(ref.get("pop_mig_bg", 0.0)), 1e-9)
        for c in cols:
            if c.startswith("origin_") or c in ("pop_foreign", "pop_german_mig_bg"):
                out[c] = out["pop_mig_bg"] * float(ref.get(c, 0.0)) / ref_mig
        if "pop_german_no_mig_bg" in cols:
            out["pop_german_no_mig_bg"] = r - out["pop_mig_bg"]
    for c in cols:
        if c == "pop_female":
            out[c] = r * float(ref.get(c, 0.0)) / total
    return out


ACCOMMODATION_FEMALE_SHARE = 0.4  # assumption: BAMF first asylum applications 2023, about 40 % women and girls


def accommodation_mix(bundle: Bundle, site: NewAccommodation, variant: str, settings: Settings) -> pd.Series:
    """Residents added by a new accommodation site, per count column of the bundle (persons, fractional).

    Notes
    -----
    R = places × occupancy (the intervention's, else ``accommodation_occupancy``), × (1 ∓ ``scenario_persons_spread``) for
    the low/high variant. Age band b gets R·a_b with a = ``accommodation_age_mix`` (low/high: the shares under 18 ×
    (1 ∓ ``scenario_child_spread``), the others rescaled). Everybody counts with migration background and as foreign
    (``pop_mig_bg``, ``mig_bg_<band>``, ``pop_foreign``); origin regions are not assigned (unknown); women and girls
    are R × 0.4 (assumption). Example: 200 places at 90 % occupancy add 180 residents, 21.6 of them under 6 with the
    default mix (0.12).
    """
    v = settings.values
    occupancy = float(site.occupancy if site.occupancy is not None else v["accommodation_occupancy"])
    age, factor = _variant(_age_mix(v["accommodation_age_mix"], "accommodation_age_mix"), variant, v)
    r = float(site.places) * occupancy * factor
    cols = bundle.count_columns
    out = pd.Series(0.0, index=cols)
    out["pop_total"] = r
    for b, share in zip(AGE_BANDS, age):
        if b in cols:
            out[b] = r * share
        if f"mig_bg_{b}" in cols:
            out[f"mig_bg_{b}"] = r * share
    for c in ("pop_mig_bg", "pop_foreign"):
        if c in cols:
            out[c] = r
    if "pop_female" in cols:
        out["pop_female"] = r * ACCOMMODATION_FEMALE_SHARE
    return out


# --- the overlay bundle -------------------------------------------------------------------------------

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


def site_cells(bundle: Bundle, placed: Placed, res: int) -> str:
    """The hex id of the cell at `res` containing a placed site."""
    return cells_to_hex(points_to_cells(np.array([placed.lat]), np.array([placed.lon]), res))[0]


__all__ = ["ScenarioBundle", "with_scenario", "validate_scenario", "place_site", "locate_points", "resident_mix", "reference_profile",
           "facility_type_choices", "Placed", "VARIANTS", "site_cells", "accommodation_mix"]
