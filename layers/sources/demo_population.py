"""Residents of the synthetic demo city: individuals at address points, two Stichtage, aggregated per address.

Each resident has an age band, a migration-background flag, a foreign-nationality flag (a subset of
migration background), a female flag and, with migration background, one origin region. Composition varies
smoothly in space (a few "arrival quarters" with high migration-background shares, a denser, younger centre)
and between buildings. The second Stichtag follows from the first: residents move out, age into the next
band, are naturalised, and newcomers move in. Everything is vectorised numpy; no per-resident Python loops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..bundle.schema import AGE_BANDS
from .demo_geography import Geography, points_in_units, to_metric

# Age distribution of a large German city (share of residents per band in schema.AGE_BANDS order).
AGE_SHARES = np.array([0.058, 0.083, 0.026, 0.095, 0.280, 0.125, 0.135, 0.198])
AGE_BAND_YEARS = np.array([6, 9, 3, 9, 18, 10, 10, np.inf])  # width of each band in years
# Age tilts of the block profile: log-factor per band for one standard deviation of the block's index.
FAMILY_TILT = np.array([0.25, 0.25, 0.20, 0.0, 0.08, 0.0, -0.05, -0.12])
STUDENT_TILT = np.array([-0.05, -0.05, 0.0, 0.35, 0.12, -0.05, -0.10, -0.15])
ELDERLY_TILT = np.array([-0.10, -0.10, -0.05, -0.10, -0.10, 0.05, 0.15, 0.35])

MIG_BASE_LOGIT = -0.75  # log-odds of migration background in an average block, before the age offsets
MIG_SPREAD = 1.0  # log-odds per standard deviation of the block's migration field
MIG_ADDRESS_SD = 0.7  # log-odds spread between buildings of one block
MIG_AGE_LOGIT = np.array([0.60, 0.55, 0.50, 0.25, 0.10, -0.05, -0.40, -1.00])  # offset per age band
MIG_TREND_LOGIT = 0.15  # newcomers are a little more often of migration background (composition change)

ORIGINS: tuple[str, ...] = ("origin_eu", "origin_turkey", "origin_arab_countries", "origin_former_soviet_union", "origin_other")
ORIGIN_SHARES = np.array([0.30, 0.15, 0.13, 0.14, 0.28])
ORIGIN_MIG_TILT = np.array([-0.2, 0.35, 0.35, 0.0, 0.0])  # log-factor per SD of the migration field
ORIGIN_TREND = np.array([0.0, -0.1, 0.15, 0.0, 0.1])  # log-factor for newcomers
FOREIGN_GIVEN_ORIGIN = np.array([0.72, 0.42, 0.70, 0.45, 0.62])  # P(foreign | migration background, origin)
CHILD_FOREIGN_FACTOR = 0.55  # under-18s with migration background are more often German
FEMALE_SHARE = np.array([0.487, 0.487, 0.486, 0.490, 0.485, 0.490, 0.505, 0.565])

RESIDENTS_PER_ADDRESS = 8.0  # persons per address point on average
MIN_BLOCK_RESIDENTS = 12  # persons; no block is empty
SPARSE_BLOCK_SHARE = 0.08  # share of blocks that are mostly parks, industry or water
SPARSE_BLOCK_FACTOR = 0.15  # their density relative to the field
LEAVE_PROB = np.array([0.07, 0.06, 0.06, 0.16, 0.12, 0.07, 0.05, 0.07])  # per year: move out or die
NEWCOMER_AGE_FACTOR = np.array([2.2, 0.7, 0.5, 2.2, 1.5, 0.7, 0.5, 0.35])  # newcomers (incl. births) vs block profile
NEWCOMERS_PER_LEAVER = 1.12  # average replacement; gives ~1.5 % growth per year
CONSTRUCTION_SHARE = 0.06  # share of blocks with new housing
CONSTRUCTION_FACTOR = 2.5  # their newcomer multiplier
NATURALISATION_RATE = 0.025  # per year, of foreign residents who stay


def _standardise(v: np.ndarray) -> np.ndarray:
    sd = v.std()
    return (v - v.mean()) / (sd if sd > 0 else 1.0)


def _softmax_rows(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _expit(v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-v))


def categorical(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One draw per element of `rows` from the categorical distribution `probs[row]` (vectorised, O(n) memory)."""
    n_rows, k = probs.shape
    cum = np.cumsum(probs, axis=1)
    cum[:, -1] = 1.0
    flat = (cum + np.arange(n_rows)[:, None]).ravel()
    return (np.searchsorted(flat, rows + rng.random(len(rows)), side="right") - rows * k).clip(0, k - 1).astype(np.int8)


@dataclass
class BlockProfile:
    """Per-block parameters of the synthetic population (arrays over finest units)."""

    residents: np.ndarray  # persons at the first Stichtag
    density_z: np.ndarray  # standardised density index
    mig_z: np.ndarray  # standardised migration field
    age_probs: np.ndarray  # (n, 8) age band distribution
    origin_probs: np.ndarray  # (n, 5) origin distribution of residents with migration background
    growth: np.ndarray  # newcomers per leaver


def _bump_field(rng: np.random.Generator, xy: np.ndarray, n_bumps: int, width_m: float) -> np.ndarray:
    centres = xy[rng.choice(len(xy), size=min(n_bumps, len(xy)), replace=False)]
    amp = rng.uniform(0.5, 1.0, size=len(centres))
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return (amp * np.exp(-d2 / (2 * width_m**2))).sum(axis=1)


def block_profiles(rng: np.random.Generator, geo: Geography, n_residents: int) -> BlockProfile:
    """Spatially varying density, age structure, migration share and origin mix per block."""
    xy, n = geo.block_centroid, len(geo.block_centroid)
    radius = geo.radius_m
    dist = np.hypot(xy[:, 0], xy[:, 1]) / radius
    n_bumps = max(2, len(geo.district_ids) // 2)
    mig_z = _standardise(_standardise(_bump_field(rng, xy, n_bumps, 0.22 * radius)) - 0.5 * dist + 0.35 * rng.normal(size=n))
    density = np.exp(-1.3 * dist + 0.15 * mig_z + 0.45 * rng.normal(size=n))
    density[rng.random(n) < SPARSE_BLOCK_SHARE] *= SPARSE_BLOCK_FACTOR
    weight = density * geo.block_area_m2
    residents = np.maximum(rng.multinomial(n_residents, weight / weight.sum()), MIN_BLOCK_RESIDENTS)

    family = _standardise(0.5 * mig_z + _standardise(_bump_field(rng, xy, n_bumps, 0.3 * radius)) + 0.5 * rng.normal(size=n))
    student = _standardise(-dist + 0.5 * rng.normal(size=n))
    elderly = _standardise(dist - 0.4 * mig_z + 0.6 * rng.normal(size=n))
    age_logits = (np.log(AGE_SHARES)[None, :] + family[:, None] * FAMILY_TILT + student[:, None] * STUDENT_TILT
                  + elderly[:, None] * ELDERLY_TILT)
    district_mix = rng.normal(scale=0.5, size=(len(geo.district_ids), len(ORIGINS)))
    origin_logits = (np.log(ORIGIN_SHARES)[None, :] + district_mix[geo.block_district] + mig_z[:, None] * ORIGIN_MIG_TILT
                     + rng.normal(scale=0.3, size=(n, len(ORIGINS))))
    growth = NEWCOMERS_PER_LEAVER * np.exp(rng.normal(scale=0.1, size=n))
    growth[rng.random(n) < CONSTRUCTION_SHARE] *= CONSTRUCTION_FACTOR
    return BlockProfile(residents, _standardise(np.log(density)), mig_z, _softmax_rows(age_logits),
                        _softmax_rows(origin_logits), growth)


@dataclass
class Addresses:
    """Address points: WGS84 position, metric position (m), block index and building-level migration log-odds."""

    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    block: np.ndarray
    mig_logit: np.ndarray
    initial_pop: np.ndarray  # persons at the first Stichtag

    def __len__(self) -> int:
        return len(self.lon)

    @property
    def ids(self) -> np.ndarray:
        """Point ids `A0000001`, …"""
        width = max(7, len(str(len(self))))
        return np.array([f"A{i:0{width}d}" for i in range(1, len(self) + 1)], dtype=object)


def place_addresses(rng: np.random.Generator, geo: Geography, profile: BlockProfile) -> Addresses:
    """Address points inside their blocks; denser blocks have larger buildings (persons per address)."""
    size = np.clip(RESIDENTS_PER_ADDRESS * np.exp(0.35 * profile.density_z), 3.0, 30.0)
    n_addr = np.clip(np.round(profile.residents / size), 1, profile.residents).astype(np.int64)
    lonlat, block = points_in_units(geo.blocks.geometry.to_numpy(), n_addr, rng)
    x, y = to_metric(lonlat[:, 0], lonlat[:, 1])
    weights = rng.gamma(1.5, size=len(block))
    pop = np.ones(len(block), dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(n_addr)])
    for b in range(len(n_addr)):  # one multinomial per block (a few hundred), not per resident
        w = weights[starts[b]:starts[b + 1]]
        pop[starts[b]:starts[b + 1]] += rng.multinomial(profile.residents[b] - n_addr[b], w / w.sum())
    mig_logit = MIG_BASE_LOGIT + MIG_SPREAD * profile.mig_z[block] + rng.normal(scale=MIG_ADDRESS_SD, size=len(block))
    return Addresses(lonlat[:, 0], lonlat[:, 1], x, y, block, mig_logit, pop)


@dataclass
class Residents:
    """Individual residents at one Stichtag (parallel arrays)."""

    addr: np.ndarray  # int32 address index
    band: np.ndarray  # int8 index into AGE_BANDS
    mig: np.ndarray  # bool, migration background
    foreign: np.ndarray  # bool, foreign nationality (subset of mig)
    female: np.ndarray  # bool
    origin: np.ndarray  # int8 index into ORIGINS, -1 without migration background

    def __len__(self) -> int:
        return len(self.addr)


def _draw(rng: np.random.Generator, addr: np.ndarray, addresses: Addresses, age_probs: np.ndarray,
          origin_probs: np.ndarray, mig_shift: float) -> Residents:
    block = addresses.block[addr]
    band = categorical(rng, age_probs, block)
    mig = rng.random(len(addr)) < _expit(addresses.mig_logit[addr] + MIG_AGE_LOGIT[band] + mig_shift)
    origin = np.where(mig, categorical(rng, origin_probs, block), -1).astype(np.int8)
    p_foreign = FOREIGN_GIVEN_ORIGIN[np.maximum(origin, 0)] * np.where(band <= 2, CHILD_FOREIGN_FACTOR, 1.0)
    foreign = mig & (rng.random(len(addr)) < p_foreign)
    female = rng.random(len(addr)) < FEMALE_SHARE[band]
    return Residents(addr.astype(np.int32), band, mig, foreign, female, origin)


def first_residents(rng: np.random.Generator, addresses: Addresses, profile: BlockProfile) -> Residents:
    """Residents at the first Stichtag."""
    addr = np.repeat(np.arange(len(addresses), dtype=np.int32), addresses.initial_pop)
    return _draw(rng, addr, addresses, profile.age_probs, profile.origin_probs, 0.0)


def next_year(rng: np.random.Generator, res: Residents, addresses: Addresses, profile: BlockProfile) -> Residents:
    """Residents one year later: leavers, ageing, naturalisation and newcomers (incl. births)."""
    n = len(res)
    stay = rng.random(n) >= LEAVE_PROB[res.band]
    up = rng.random(n) < 1.0 / AGE_BAND_YEARS[res.band]
    band = np.minimum(res.band + up, len(AGE_BANDS) - 1).astype(np.int8)
    foreign = res.foreign & (rng.random(n) >= NATURALISATION_RATE)
    leavers = np.bincount(res.addr[~stay], minlength=len(addresses))
    n_new = rng.poisson(leavers * profile.growth[addresses.block])
    new_addr = np.repeat(np.arange(len(addresses), dtype=np.int32), n_new)
    newcomers = _draw(rng, new_addr, addresses, _normalise_rows(profile.age_probs * NEWCOMER_AGE_FACTOR),
                      _normalise_rows(profile.origin_probs * np.exp(ORIGIN_TREND)), MIG_TREND_LOGIT)
    stayed = Residents(res.addr[stay], band[stay], res.mig[stay], foreign[stay], res.female[stay], res.origin[stay])
    return Residents(*(np.concatenate([getattr(stayed, f), getattr(newcomers, f)])
                       for f in ("addr", "band", "mig", "foreign", "female", "origin")))


def _normalise_rows(m: np.ndarray) -> np.ndarray:
    return m / m.sum(axis=1, keepdims=True)


def aggregate(res: Residents, n_addr: int) -> dict[str, np.ndarray]:
    """Count columns of `population_points` per address (persons), with np.bincount."""
    k, n_or = len(AGE_BANDS), len(ORIGINS)
    a = res.addr.astype(np.int64)
    am, bm = a[res.mig], res.band[res.mig].astype(np.int64)
    out = {
        "pop_total": np.bincount(a, minlength=n_addr),
        "pop_mig_bg": np.bincount(am, minlength=n_addr),
        "pop_foreign": np.bincount(a[res.foreign], minlength=n_addr),
        "pop_german_mig_bg": np.bincount(a[res.mig & ~res.foreign], minlength=n_addr),
        "pop_german_no_mig_bg": np.bincount(a[~res.mig], minlength=n_addr),
        "pop_female": np.bincount(a[res.female], minlength=n_addr),
    }
    bands = np.bincount(a * k + res.band, minlength=n_addr * k).reshape(n_addr, k)
    mig_bands = np.bincount(am * k + bm, minlength=n_addr * k).reshape(n_addr, k)
    origins = np.bincount(am * n_or + res.origin[res.mig], minlength=n_addr * n_or).reshape(n_addr, n_or)
    out.update({band: bands[:, i] for i, band in enumerate(AGE_BANDS)})
    out.update({f"mig_bg_{band}": mig_bands[:, i] for i, band in enumerate(AGE_BANDS)})
    out.update({o: origins[:, i] for i, o in enumerate(ORIGINS)})
    return {c: v.astype(np.int64) for c, v in out.items()}


def simulate_counts(rng: np.random.Generator, addresses: Addresses, profile: BlockProfile, n_periods: int) -> list[dict[str, np.ndarray]]:
    """Per-address count columns for `n_periods` consecutive yearly Stichtage."""
    res = first_residents(rng, addresses, profile)
    counts = [aggregate(res, len(addresses))]
    for _ in range(n_periods - 1):
        res = next_year(rng, res, addresses, profile)
        counts.append(aggregate(res, len(addresses)))
    return counts


def population_points_frame(addresses: Addresses, block_ids: np.ndarray, periods: list[str],
                            counts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """The `population_points` table: one row per address point and period (counts in persons)."""
    n = len(addresses)
    reps = len(periods)
    frame = {
        "point_id": np.tile(addresses.ids, reps),
        "period": np.repeat(np.asarray(periods, dtype=object), n),
        "lon": np.tile(addresses.lon, reps),
        "lat": np.tile(addresses.lat, reps),
        "unit_id": np.tile(np.asarray(block_ids, dtype=object)[addresses.block], reps),
    }
    for col in counts[0]:
        frame[col] = np.concatenate([c[col] for c in counts])
    return pd.DataFrame(frame)
