"""Green spaces of the synthetic demo city and their observed use.

Parks and playgrounds are the facilities of those types, with a gross area (m²) and, for playgrounds, a
net play area (m²). Use counts (visitors per day) exist for a handful of the largest parks: automatic
counters every day of 2024, observation surveys on two weekdays a week from April to September. Counts
follow a weekly pattern (busy weekends), a summer peak and the city's daily weather, shared by all parks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PARK_AREA_M2 = (9.6, 1.1)  # log-normal (mean, sd of log m²): median ≈ 15,000 m²
PLAYGROUND_AREA_M2 = (7.2, 0.6)  # median ≈ 1,300 m²
PLAYGROUND_NET_SHARE = (0.5, 0.8)  # net play area / gross area


def green_spaces_frame(rng: np.random.Generator, fac: pd.DataFrame) -> pd.DataFrame:
    """Parks and playgrounds (the facilities of those types) with gross and net area (m²)."""
    g = fac[fac["type"].isin(["park", "playground"])].reset_index(drop=True)
    park = (g["type"] == "park").to_numpy()
    mean = np.where(park, PARK_AREA_M2[0], PLAYGROUND_AREA_M2[0])
    sd = np.where(park, PARK_AREA_M2[1], PLAYGROUND_AREA_M2[1])
    area = np.round(np.exp(rng.normal(mean, sd)), -1).clip(min=100.0)
    net = np.where(park, np.nan, np.round(area * rng.uniform(*PLAYGROUND_NET_SHARE, size=len(g))))
    return pd.DataFrame({"space_id": g["facility_id"], "kind": g["type"], "name": g["name"], "area_m2": area,
                         "net_area_m2": net, "unit_id": g["unit_id"], "lon": g["lon"], "lat": g["lat"]})


SPACE_USE_YEAR = 2024
WEEKDAY_FACTOR = np.array([0.8, 0.8, 0.85, 0.85, 1.0, 1.6, 1.5])  # Monday … Sunday
SUMMER_AMPLITUDE = 0.6  # relative seasonal swing, peak in mid-July
VISITS_PER_SQRT_M2 = 2.5  # average daily visitors per √m² of park area
OBSERVATION_WEEKDAYS = (1, 5)  # Tuesday and Saturday survey days, April–September


def space_use_frame(rng: np.random.Generator, green: pd.DataFrame, n_spaces: int) -> pd.DataFrame:
    """Daily visitor counts (persons) in the largest parks over 2024: counters daily, observations on survey days."""
    parks = green[green["kind"] == "park"].sort_values(["area_m2", "space_id"], ascending=[False, True]).head(n_spaces)
    days = pd.date_range(f"{SPACE_USE_YEAR}-01-01", f"{SPACE_USE_YEAR}-12-31", freq="D")
    doy = days.day_of_year.to_numpy()
    season = 1.0 + SUMMER_AMPLITUDE * np.cos(2 * np.pi * (doy - 196) / 366)
    weather = np.exp(rng.normal(scale=0.25, size=len(days)))  # shared by all parks: same weather
    base = WEEKDAY_FACTOR[days.day_of_week.to_numpy()] * season * weather
    observed = np.isin(days.day_of_week, OBSERVATION_WEEKDAYS) & (days.month >= 4) & (days.month <= 9)
    frames = []
    for i, (sid, area) in enumerate(zip(parks["space_id"], parks["area_m2"])):
        counter = i % 3 != 2
        lam = VISITS_PER_SQRT_M2 * np.sqrt(area) * base * np.exp(rng.normal(scale=0.1, size=len(days)))
        count = rng.poisson(lam)
        keep = np.ones(len(days), bool) if counter else observed
        frames.append(pd.DataFrame({"space_id": sid, "timestamp": days[keep].strftime("%Y-%m-%d"), "count": count[keep],
                                    "method": "counter" if counter else "observation"}))
    return pd.concat(frames, ignore_index=True)
