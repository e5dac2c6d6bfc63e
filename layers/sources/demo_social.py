"""Social-monitoring indicators and funding areas of the synthetic demo city.

The indicators imitate Berlin's Monitoring Soziale Stadtentwicklung (MSS): unemployment, transfer receipt
and child poverty per finest unit, a status class (1 high … 4 very low) and a dynamics class (1 positive,
3 stable, 5 negative). They correlate with the migration-background share but are not a function of it:
half of their variation is an independent spatial field. Funding areas lie over quarters with high child
poverty.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..bundle.schema import CRS
from .demo_geography import Geography, geoms_to_lonlat, polygonal

MIG_WEIGHT = 0.65  # weight of the standardised migration share in the latent social index
OWN_WEIGHT = 0.75  # weight of the independent field
STATUS_CUTS = (0.12, 0.75, 0.88)  # cumulative shares of units in status classes 1, 2, 3 (rest: 4)
DYNAMICS_CUTS = (0.15, 0.85)  # cumulative shares: class 1 (positive), 3 (stable), 5 (negative)
# indicator id -> (mean, change per SD of the latent index, noise SD, min, max); all in per cent
RATES: dict[str, tuple[float, float, float, float, float]] = {
    "mss_unemployment_pct": (6.0, 2.5, 0.5, 0.5, 30.0),
    "mss_transfer_pct": (12.0, 6.0, 1.2, 1.0, 60.0),
    "mss_child_poverty_pct": (24.0, 11.0, 2.5, 2.0, 85.0),
}
INDICATORS: dict[str, dict[str, str]] = {
    "mss_status_class": {"title_de": "Status-Index (Klasse)", "title_en": "Status index (class)",
                         "unit": "Klasse 1 (hoch) … 4 (sehr niedrig)"},
    "mss_dynamics_class": {"title_de": "Dynamik-Index (Klasse)", "title_en": "Dynamics index (class)",
                           "unit": "Klasse 1 (positiv), 3 (stabil), 5 (negativ)"},
    "mss_unemployment_pct": {"title_de": "Arbeitslosigkeit", "title_en": "Unemployment", "unit": "%"},
    "mss_transfer_pct": {"title_de": "Transferbezug (SGB II/XII)", "title_en": "Receipt of transfer benefits", "unit": "%"},
    "mss_child_poverty_pct": {"title_de": "Kinderarmut (Transferbezug unter 15 Jahren)",
                              "title_en": "Child poverty (transfer receipt, under 15)", "unit": "%"},
}

PROGRAMMES: tuple[tuple[str, str, str], ...] = (  # programme, id prefix, name prefix
    ("Quartiersmanagement", "QM", "Quartiersmanagement"),
    ("Sozialer Zusammenhalt", "SZ", "Fördergebiet Sozialer Zusammenhalt"),
    ("soziale Erhaltungsgebiet", "EG", "Soziales Erhaltungsgebiet"),
)
QM_BUDGET_PER_YEAR_EUR = (250_000, 450_000)
SZ_BUDGET_EUR = (2_000_000, 12_000_000)
FUNDING_RADIUS_FACTOR = 0.8  # area radius / radius of the quarter


def _standardise(v: np.ndarray) -> np.ndarray:
    sd = v.std()
    return (v - v.mean()) / (sd if sd > 0 else 1.0)


def _classes(values: np.ndarray, cuts: tuple[float, ...], labels: tuple[int, ...]) -> np.ndarray:
    ranks = (np.argsort(np.argsort(values, kind="stable"), kind="stable") + 0.5) / len(values)
    return np.asarray(labels)[np.searchsorted(np.asarray(cuts), ranks)]


def social_indicators(rng: np.random.Generator, geo: Geography, mig_share: np.ndarray, mig_share_before: np.ndarray) -> pd.DataFrame:
    """Indicator values per finest unit (wide: one column per indicator id, index = block order)."""
    n = len(mig_share)
    own = _standardise(0.6 * rng.normal(size=len(geo.quarter_ids))[geo.block_quarter] + 0.4 * rng.normal(size=n))
    latent = _standardise(MIG_WEIGHT * _standardise(mig_share) + OWN_WEIGHT * own)
    out = {}
    for ind, (mean, slope, noise, lo, hi) in RATES.items():
        out[ind] = np.round(np.clip(mean + slope * latent + rng.normal(scale=noise, size=n), lo, hi), 1)
    index = sum(_standardise(out[i]) for i in RATES)
    out["mss_status_class"] = _classes(index, STATUS_CUTS, (1, 2, 3, 4)).astype(float)
    trend = 0.5 * _standardise(mig_share - mig_share_before) + 0.85 * rng.normal(size=n)
    out["mss_dynamics_class"] = _classes(trend, DYNAMICS_CUTS, (1, 3, 5)).astype(float)
    return pd.DataFrame(out)[list(INDICATORS)]


def indicators_frame(block_ids: np.ndarray, wide: pd.DataFrame, period: str) -> pd.DataFrame:
    """The `indicators` table (long format: unit_id, period, indicator, value)."""
    long = wide.assign(unit_id=block_ids).melt(id_vars="unit_id", var_name="indicator", value_name="value")
    long.insert(1, "period", period)
    return long[["unit_id", "period", "indicator", "value"]]


def funding_areas_frame(rng: np.random.Generator, geo: Geography, child_poverty: np.ndarray,
                        block_pop: np.ndarray, n_areas: int) -> gpd.GeoDataFrame:
    """Funding areas over the quarters with the highest child poverty.

    Quartiersmanagement and Sozialer Zusammenhalt areas are a disc around the poorest block clipped to the
    quarter, with a total budget (EUR) over the programme years; a soziale Erhaltungsgebiet covers the whole
    quarter and has no budget.
    """
    q = geo.block_quarter
    pop = np.maximum(block_pop, 1)
    quarter_poverty = np.bincount(q, weights=child_poverty * pop) / np.bincount(q, weights=pop)
    picked = np.argsort(-quarter_poverty, kind="stable")[:n_areas]
    rows = []
    serial: dict[str, int] = {}
    for i, qi in enumerate(picked):
        programme, prefix, label = PROGRAMMES[i % len(PROGRAMMES)]
        serial[prefix] = serial.get(prefix, 0) + 1
        qgeom = geo.quarter_metric[qi]
        blocks = np.flatnonzero(q == qi)
        centre = shapely.point_on_surface(geo.block_metric[blocks[np.argmax(child_poverty[blocks])]])
        radius = FUNDING_RADIUS_FACTOR * np.sqrt(qgeom.area / np.pi)
        geom = qgeom if prefix == "EG" else shapely.intersection(qgeom, centre.buffer(radius, quad_segs=16))
        start, end, budget, status = int(rng.integers(2015, 2023)), None, np.nan, "laufend"
        if prefix == "QM":
            start = int(rng.integers(2005, 2021))
            if start <= 2010:
                end, status = start + int(rng.integers(8, 13)), "abgeschlossen"
            else:
                end = start + int(rng.integers(10, 15))
            years = end - start + 1
            budget = float(np.round(years * rng.uniform(*QM_BUDGET_PER_YEAR_EUR), -3))
        elif prefix == "SZ":
            end = start + int(rng.integers(10, 16))
            budget = float(np.round(rng.uniform(*SZ_BUDGET_EUR), -4))
        name = geo.units.set_index("unit_id").at[geo.quarter_ids[qi], "name"]
        rows.append({"area_id": f"{prefix}{serial[prefix]:02d}", "programme": programme, "name": f"{label} {name}",
                     "start_year": start, "end_year": end, "budget_eur": budget, "status": status, "geometry": geom})
    df = pd.DataFrame(rows)
    df["start_year"] = df["start_year"].astype("Int64")
    df["end_year"] = pd.array(df["end_year"].tolist(), dtype="Int64")
    geoms = geoms_to_lonlat(df.pop("geometry").to_numpy())
    geoms = np.array([polygonal(g) for g in geoms], dtype=object)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=CRS), crs=CRS)
