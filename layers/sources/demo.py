"""The synthetic demo city "Neustadt (synthetisch)": a complete city bundle generated from a seed.

`build_demo(size, seed)` returns a `BundleBuild` (manifest + tables) for `write_bundle`; it does no file I/O.
The same seed gives identical tables. Sizes: ``small`` (~20,000 residents, for tests), ``city`` (~400,000) and
``berlin`` (~3.9 million residents as ~400,000 address points, for benchmarks).

The pieces live in `demo_geography` (outline, units, points), `demo_population` (residents and address
counts), `demo_facilities` (facilities, Kita/school choice, catchments), `demo_green` (green spaces and their use) and
`demo_social` (MSS-like indicators and funding areas). Each part draws from its own random stream
(spawned from the seed), so changing one part does not reshuffle the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..bundle.schema import Manifest, Source
from ..bundle.store import BundleBuild
from .demo_arrival import build_arrival
from .demo_facilities import SOURCE_KEY, build_facilities
from .demo_geography import LEVELS, build_geography
from .demo_green import space_use_frame
from .demo_population import block_profiles, place_addresses, population_points_frame, simulate_counts
from .demo_social import INDICATORS, funding_areas_frame, indicators_frame, social_indicators

TITLE = "Neustadt (synthetisch)"
PERIODS: tuple[str, ...] = ("2023-12-31", "2024-12-31")  # Stichtage, one year apart
DENSITY_PER_KM2 = 3_500  # average residents per km² of city area (persons/km²)
DEFAULT_H3_RESOLUTIONS: tuple[int, ...] = (7, 8, 9, 10)


@dataclass(frozen=True)
class DemoSize:
    """Size parameters of the demo city."""

    residents: int  # persons at the first Stichtag
    districts: int  # units of level `bezirk`
    quarters_per_district: int  # `quartier` units per district
    blocks_per_quarter: int  # `block` units (finest level) per quarter
    funding_areas: int  # number of funding areas
    counted_parks: int  # parks with use counts (space_use)


SIZES: dict[str, DemoSize] = {
    "small": DemoSize(20_000, 2, 3, 10, 3, 3),  # 60 blocks
    "city": DemoSize(400_000, 4, 6, 8, 5, 5),  # 192 blocks
    "berlin": DemoSize(3_900_000, 12, 6, 7, 6, 8),  # 504 blocks
}


def demo_manifest(size: str, seed: int, h3_resolutions: list[int]) -> Manifest:
    """Manifest of the demo bundle (labelled synthetic)."""
    return Manifest(
        city=f"demo-{size}",
        title=TITLE,
        synthetic=True,
        levels=list(LEVELS),
        periods=list(PERIODS),
        sources=[Source(
            key=SOURCE_KEY, title="Synthetic demo city",
            attribution=f"Synthetische Daten – Quartiersatlas Demo-Generator (seed {seed})",
            licence="CC0 1.0", url="", period=", ".join(PERIODS))],
        indicators={k: {**v, "source": SOURCE_KEY, "period": PERIODS[-1]} for k, v in INDICATORS.items()},
        notes={
            "de": "Synthetische Stadt: alle Einwohner, Einrichtungen, Gebiete und Kennzahlen sind zufällig erzeugt "
                  "und beschreiben keinen realen Ort und keine realen Personen.",
            "en": "Synthetic city: every resident, facility, area and figure is randomly generated and describes "
                  "no real place and no real person.",
            "generator": "layers.sources.demo.build_demo",
            "size": size,
            "seed": str(seed),
        },
        h3_resolutions=list(h3_resolutions),
        id_prefix_nesting=True,
    )


def build_demo(size: str = "small", seed: int = 42, h3_resolutions: list[int] | None = None) -> BundleBuild:
    """Generate the synthetic demo city as a bundle build (manifest and tables), deterministically from `seed`.

    Parameters
    ----------
    size : ``small`` (~20,000 residents), ``city`` (~400,000) or ``berlin`` (~3.9 million).
    seed : random seed; the same seed gives identical tables.
    h3_resolutions : H3 resolutions the bundle is built for (default 7, 8, 9, 10).

    Returns
    -------
    BundleBuild with tables ``units``, ``population_points`` (persons per address point and Stichtag),
    ``facilities``, ``facility_composition`` (children per Kita / primary school), ``catchments``,
    ``funding_areas`` (budgets in EUR), ``green_spaces`` (areas in m²), ``space_use`` (visitors per day),
    ``indicators`` (per cent and class codes per finest unit), ``accommodation`` (sites with places, persons) and
    ``housing`` (dwellings, subsidised dwellings, net rent in €/m² per block and Stichtag).
    """
    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r} (choose one of {', '.join(SIZES)})")
    spec = SIZES[size]
    # a fifth stream for the arrival tables: spawn keeps the first four streams as they were
    geo_rng, pop_rng, fac_rng, social_rng, arrival_rng = np.random.Generator(np.random.PCG64(seed)).spawn(5)
    geo = build_geography(geo_rng, spec.residents / DENSITY_PER_KM2 * 1e6, spec.districts,
                          spec.quarters_per_district, spec.blocks_per_quarter)
    profile = block_profiles(pop_rng, geo, spec.residents)
    addresses = place_addresses(pop_rng, geo, profile)
    counts = simulate_counts(pop_rng, addresses, profile, len(PERIODS))
    points = population_points_frame(addresses, geo.block_ids, list(PERIODS), counts)
    fac = build_facilities(fac_rng, geo, addresses, list(PERIODS), counts, spec.residents)

    n_blocks = len(geo.block_ids)
    per_block = [{c: np.bincount(addresses.block, weights=k[c], minlength=n_blocks) for c in ("pop_total", "pop_mig_bg")}
                 for k in counts]
    share = [np.divide(b["pop_mig_bg"], b["pop_total"], out=np.zeros(n_blocks), where=b["pop_total"] > 0) for b in per_block]
    wide = social_indicators(social_rng, geo, share[-1], share[0])
    arrival = build_arrival(arrival_rng, geo, addresses, [b["pop_total"] for b in per_block], wide, list(PERIODS), spec.residents)
    tables = {
        "units": geo.units,
        "population_points": points,
        "facilities": pd.concat([fac.facilities, arrival.facilities], ignore_index=True),
        "facility_composition": fac.composition,
        "catchments": fac.catchments,
        "funding_areas": funding_areas_frame(social_rng, geo, wide["mss_child_poverty_pct"].to_numpy(),
                                             per_block[-1]["pop_total"], spec.funding_areas),
        "green_spaces": fac.green_spaces,
        "space_use": space_use_frame(social_rng, fac.green_spaces, spec.counted_parks),
        "indicators": indicators_frame(geo.block_ids, wide, PERIODS[-1]),
        "accommodation": arrival.accommodation,
        "housing": arrival.housing,
    }
    resolutions = list(DEFAULT_H3_RESOLUTIONS if h3_resolutions is None else h3_resolutions)
    return BundleBuild(demo_manifest(size, seed, resolutions), tables)
