"""Accommodation sites, housing stock, public-transport stops and shops of the synthetic demo city.

Accommodation imitates what cities report: a few large shared sites (Gemeinschaftsunterkünfte, modular buildings, one
initial reception centre) on larger, less densely built blocks, and many small sites of flats spread with the
population; sites open from 2015 on, some close again, so places change between Stichtage. About 8 places per 1,000
residents in the city sizes (Berlin's LAF ran ~30,000 places for 3.9 million residents in 2024); the small test city has
at least one site of every type and so about 20 per 1,000. Housing stock: ~1.85 residents per
dwelling, subsidised dwellings and rents following the social index (large estates with social housing, rents falling
with the status class). Stops: one per ~550 residents (Berlin: 7,362 OSM stops for 3.9 million); shops one per ~4,000.
Drawn from a random stream of their own, so the other demo tables stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from ..bundle.schema import CRS
from .demo_facilities import SOURCE_KEY, spread_sample, street_names, weighted_sample
from .demo_geography import Geography
from .demo_population import Addresses

PLACES_PER_1000 = 8.0
RESIDENTS_PER_STOP = 550
RESIDENTS_PER_SHOP = 4_000
RESIDENTS_PER_DWELLING = 1.85
# type: (share of places, places per site range)
SITE_MIX: dict[str, tuple[float, tuple[int, int]]] = {
    "erstaufnahme": (0.15, (400, 900)),
    "gemeinschaftsunterkunft": (0.45, (120, 450)),
    "modulare_unterkunft": (0.25, (200, 450)),
    "wohnungen": (0.15, (8, 40)),
}
NAMES = {"erstaufnahme": "Ankunftszentrum", "gemeinschaftsunterkunft": "Gemeinschaftsunterkunft",
         "modulare_unterkunft": "Modulare Unterkunft", "wohnungen": "Wohnungsverbund"}
PROVIDERS = ("Landesamt (öffentlich)", "Wohlfahrtsverband", "gemeinnütziger Träger", "privater Betreiber")


@dataclass(frozen=True)
class ArrivalTables:
    accommodation: gpd.GeoDataFrame
    housing: pd.DataFrame
    facilities: gpd.GeoDataFrame  # transit stops and shops, appended to the demo's facilities


def _points(addresses: Addresses, idx: np.ndarray) -> np.ndarray:
    return np.column_stack([addresses.lon[idx], addresses.lat[idx]])


def _sites(rng: np.random.Generator, geo: Geography, addresses: Addresses, n_residents: int, periods: list[str]) -> gpd.GeoDataFrame:
    target = PLACES_PER_1000 * n_residents / 1000.0
    block_pop = np.bincount(addresses.block, weights=addresses.initial_pop, minlength=len(geo.block_ids)).astype(float)
    density = block_pop / np.maximum(geo.block_area_m2, 1.0)
    rows = []
    # smaller cities run smaller sites: shared sites scaled by √(residents / 400,000), so the test city (20,000) keeps every
    # type and stays near its target instead of holding one 900-place centre
    scale = float(np.clip(np.sqrt(n_residents / 400_000), 0.2, 1.0))
    for kind, (share, (lo, hi)) in SITE_MIX.items():
        if kind != "wohnungen":
            lo, hi = max(30, int(lo * scale)), max(40, int(hi * scale))
        n = max(1, int(round(share * target / ((lo + hi) / 2))))
        if kind == "wohnungen":
            idx = weighted_sample(rng, addresses.initial_pop + 0.5, n)
        else:  # large sites on big, thinly built blocks (former commercial or edge land), in few districts
            block_w = geo.block_area_m2 / np.maximum(density, 1e-4) ** 0.5
            blocks = rng.choice(len(geo.block_ids), size=n, p=block_w / block_w.sum())
            idx = np.array([rng.choice(np.flatnonzero(addresses.block == b)) if (addresses.block == b).any() else
                            int(rng.integers(len(addresses))) for b in blocks])
        cap = rng.integers(lo, hi + 1, size=n)
        cap = np.round(cap / 10).astype(int) * 10 if kind != "wohnungen" else cap
        opened = pd.to_datetime(rng.integers(pd.Timestamp("2015-09-01").value // 10**9, pd.Timestamp(periods[-1]).value // 10**9,
                                             size=n), unit="s").normalize()
        closes = rng.random(n) < (0.25 if kind in ("erstaufnahme", "gemeinschaftsunterkunft") else 0.05)
        close_at = opened + pd.to_timedelta(rng.integers(365, 9 * 365, size=n), unit="D")
        closed = pd.Series(np.where(closes & (close_at <= pd.Timestamp(periods[-1]) + pd.Timedelta(days=365)), close_at, pd.NaT))
        rows.append(pd.DataFrame({"type": kind, "capacity": cap, "occupancy": np.round(cap * rng.uniform(0.7, 1.0, size=n)).astype(int),
                                  "opened": opened, "closed": pd.to_datetime(closed), "block": addresses.block[idx],
                                  "lon": addresses.lon[idx], "lat": addresses.lat[idx]}))
    df = pd.concat(rows, ignore_index=True)
    # the first Stichtag must already have sites, and one site opens between the Stichtage (places change over time)
    df.loc[0, "opened"] = pd.Timestamp("2016-02-01")
    df.loc[0, "closed"] = pd.NaT
    df.loc[len(df) - 1, "opened"] = pd.Timestamp(periods[0]) + pd.Timedelta(days=90)
    df.loc[len(df) - 1, "closed"] = pd.NaT
    n = len(df)
    df["site_id"] = [f"UK{i:04d}" for i in range(1, n + 1)]
    df["name"] = [f"{NAMES[k]} {s}" for k, s in zip(df["type"], street_names(rng, n))]
    df["provider"] = np.asarray(PROVIDERS, dtype=object)[rng.integers(len(PROVIDERS), size=n)]
    df["unit_id"] = geo.block_ids[df["block"].to_numpy()]
    df["source"] = SOURCE_KEY
    df["opened"] = df["opened"].dt.strftime("%Y-%m-%d")
    df["closed"] = df["closed"].dt.strftime("%Y-%m-%d")
    out = df[["site_id", "type", "name", "capacity", "occupancy", "opened", "closed", "provider", "unit_id", "source"]]
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=CRS)


def _housing(rng: np.random.Generator, geo: Geography, block_pop: list[np.ndarray], wide: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    status = wide["mss_status_class"].to_numpy(dtype=float)
    social_share = np.clip(0.02 + 0.06 * (status - 1) + rng.normal(0.0, 0.04, size=len(status)), 0.0, 0.6)
    estates = rng.random(len(status)) < 0.08  # large estates of social housing
    social_share = np.where(estates, rng.uniform(0.35, 0.7, size=len(status)), social_share)
    rent = np.round(np.clip(13.5 - 1.2 * (status - 1) + rng.normal(0.0, 0.8, size=len(status)), 5.5, 19.0), 2)
    wohnlage = np.where(rent >= 12.5, "gut", np.where(rent >= 9.0, "mittel", "einfach"))
    frames = []
    for period, pop in zip(periods, block_pop):
        dwellings = np.round(pop / RESIDENTS_PER_DWELLING).astype(int)
        frames.append(pd.DataFrame({"unit_id": geo.block_ids, "period": period, "dwellings": dwellings,
                                    "social_dwellings": np.round(dwellings * social_share).astype(int), "rent_eur_m2": rent,
                                    "wohnlage": wohnlage}))
    return pd.concat(frames, ignore_index=True)


def _stops_and_shops(rng: np.random.Generator, geo: Geography, addresses: Addresses, n_residents: int) -> gpd.GeoDataFrame:
    xy = np.column_stack([addresses.x, addresses.y])
    frames = []
    for kind, prefix, per, label in (("transit_stop", "HST", RESIDENTS_PER_STOP, "Haltestelle"), ("shop", "NV", RESIDENTS_PER_SHOP, "Markt")):
        n = max(2, round(n_residents / per))
        idx = spread_sample(rng, xy, addresses.initial_pop + 0.5, n) if kind == "transit_stop" else weighted_sample(rng, addresses.initial_pop + 0.5, n)
        n = len(idx)
        lonlat = _points(addresses, idx)
        frames.append(pd.DataFrame({"facility_id": [f"{prefix}{i:05d}" for i in range(1, n + 1)], "type": kind,
                                    "name": [f"{label} {s}" for s in street_names(rng, n)], "capacity": pd.array([pd.NA] * n, dtype="Int64"),
                                    "pupils": pd.array([pd.NA] * n, dtype="Int64"), "provider": "—" if kind == "shop" else "Verkehrsbetrieb",
                                    "unit_id": geo.block_ids[addresses.block[idx]], "source": SOURCE_KEY,
                                    "lon": lonlat[:, 0], "lat": lonlat[:, 1]}))
    fac = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(fac.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(fac["lon"], fac["lat"]), crs=CRS)


def build_arrival(rng: np.random.Generator, geo: Geography, addresses: Addresses, block_pop: list[np.ndarray], wide: pd.DataFrame,
                  periods: list[str], n_residents: int) -> ArrivalTables:
    """Accommodation sites, housing stock per block and Stichtag, and stops/shops (see module docstring)."""
    return ArrivalTables(_sites(rng, geo, addresses, n_residents, periods), _housing(rng, geo, block_pop, wide, periods),
                         _stops_and_shops(rng, geo, addresses, n_residents))
