"""A hand-made point-based city for the infrastructure, public-space and funding tests: every figure by hand.

Four blocks of 0.01° × 0.01° (A1, A2 in district A; B1, B2 in district B), one address point at each block
centre, one Kita (50 places) at the centre of A1. At 52.005° N, 0.01° of longitude is 685 m and 0.01° of
latitude 1,113 m, so with a 500 m coverage distance only A1's residents are within reach of the Kita.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, box

from layers.bundle import BundleBuild, Level, Manifest, Source
from layers.spatial.h3grid import cell_polygons, hex_to_cells, to_metric
from layers.standards import Params

PERIODS = ["2023-12-31", "2024-12-31"]
# block → (column, row, residents, children under 6, children 6 to 15)
POINTS = {"A1": (0, 0, 100, 10, 12), "A2": (1, 0, 300, 30, 20), "B1": (0, 1, 200, 20, 25), "B2": (1, 1, 60, 6, 5)}
CHILD_POVERTY = {"A1": 20.0, "A2": 40.0, "B2": 10.0}  # B1 has no MSS value
# MSS classes: status 1 high … 4 very low; dynamics 1 positive, 3 stable, 5 negative
MSS = {"A1": (2, 5), "A2": (3, 3), "B1": (2, 1), "B2": (1, 5)}
PARAMS = Params(detour_factor=1.3)  # 500 m coverage for every type, as config.toml sets for Kitas and playgrounds


def centre(block: str) -> tuple[float, float]:
    c, r = POINTS[block][:2]
    return 13.005 + 0.01 * c, 52.005 + 0.01 * r


def block_box(block: str):
    """The block's square (WGS84)."""
    c, r = POINTS[block][:2]
    return box(13.0 + c * 0.01, 52.0 + r * 0.01, 13.01 + c * 0.01, 52.01 + r * 0.01)


def block_areas_in_cells(cells: np.ndarray) -> pd.DataFrame:
    """|block ∩ cell| in m² (equal-area projection) for the given hex cells × the four blocks, straight from the
    geometry: the input of hand-worked areal interpolation (w_uc = |u ∩ c| / |u|, cell shares |u ∩ c| / Σ_u |u ∩ c|)."""
    hexes = to_metric(cell_polygons(hex_to_cells(cells)))
    return pd.DataFrame({b: shapely.area(shapely.intersection(hexes, to_metric(np.array([block_box(b)]))[0])) for b in POINTS},
                        index=pd.Index(cells))


def tiny_infra_build() -> BundleBuild:
    units = [
        {"unit_id": "A", "level": "district", "name": "Nord", "parent_id": None, "geometry": box(13.0, 52.0, 13.02, 52.01)},
        {"unit_id": "B", "level": "district", "name": "Süd", "parent_id": None, "geometry": box(13.0, 52.01, 13.02, 52.02)},
    ]
    points = []
    for uid, (c, r, total, u6, u15) in POINTS.items():
        units.append({"unit_id": uid, "level": "block", "name": f"Block {uid}", "parent_id": uid[0], "geometry": block_box(uid)})
        lon, lat = centre(uid)
        for period in PERIODS:
            points.append({"point_id": f"p{uid}", "period": period, "lon": lon, "lat": lat, "unit_id": uid, "pop_total": total,
                           "age_0_6": u6, "age_6_15": u15, "pop_mig_bg": total // 3})
    lon, lat = centre("A1")
    facilities = gpd.GeoDataFrame(
        [{"facility_id": "kita1", "type": "kita", "name": "Kita Eins", "capacity": 50, "provider": "Träger X", "unit_id": "A1",
          "source": "tiny", "geometry": Point(lon, lat)},
         {"facility_id": "play1", "type": "playground", "name": "Spielplatz", "capacity": None, "provider": None, "unit_id": "B2",
          "source": "tiny", "geometry": Point(*centre("B2"))}], crs="EPSG:4326")
    facilities["capacity"] = facilities["capacity"].astype("Int64")
    indicators = [{"unit_id": u, "period": "2024-12-31", "indicator": "mss_child_poverty_pct", "value": v} for u, v in CHILD_POVERTY.items()]
    for u, (s, d) in MSS.items():
        indicators += [{"unit_id": u, "period": "2024-12-31", "indicator": "mss_status_class", "value": float(s)},
                       {"unit_id": u, "period": "2024-12-31", "indicator": "mss_dynamics_class", "value": float(d)}]
    # One funding area: all of A1 and the western quarter of A2 (A2 is 25 % covered).
    funding = gpd.GeoDataFrame([{"area_id": "QM1", "programme": "Quartiersmanagement", "name": "QM Nord", "start_year": 2015,
                                 "end_year": 2026, "budget_eur": 1_000_000.0, "status": "laufend",
                                 "geometry": box(13.0, 52.0, 13.0125, 52.01)}], crs="EPSG:4326")
    funding["start_year"] = funding["start_year"].astype("Int64")
    funding["end_year"] = funding["end_year"].astype("Int64")
    green = pd.DataFrame([
        {"space_id": "park1", "kind": "park", "name": "Park Eins", "area_m2": 1200.0, "net_area_m2": None, "unit_id": "A1",
         "lon": centre("A1")[0], "lat": centre("A1")[1]},
        {"space_id": "park2", "kind": "park", "name": "Park Zwei", "area_m2": 600.0, "net_area_m2": None, "unit_id": "A1",
         "lon": None, "lat": None},
        {"space_id": "play1", "kind": "playground", "name": "Spielplatz", "area_m2": 200.0, "net_area_m2": 90.0, "unit_id": "A2",
         "lon": None, "lat": None},
        {"space_id": "play2", "kind": "playground", "name": "Spielplatz Süd", "area_m2": 150.0, "net_area_m2": 60.0, "unit_id": "B2",
         "lon": None, "lat": None},
    ])
    space_use = pd.DataFrame({"space_id": ["park1", "park1", "park1"], "timestamp": ["2024-06-01", "2024-06-02", "2024-06-03"],
                              "count": [120, 80, 95], "method": ["counter"] * 3})
    manifest = Manifest(
        city="tiny-infra", title="Tiny infrastructure city", synthetic=True,
        levels=[Level("district", "Bezirk", "District", r"^[A-Z]$"), Level("block", "Block", "Block", r"^[A-Z]\d$")],
        periods=PERIODS, sources=[Source("demo", "Tiny", "Test fixture", "CC0")], h3_resolutions=[9, 10], id_prefix_nesting=True,
    )
    return BundleBuild(manifest, {"units": gpd.GeoDataFrame(units, crs="EPSG:4326"), "population_points": pd.DataFrame(points),
                                  "facilities": facilities, "indicators": pd.DataFrame(indicators), "funding_areas": funding,
                                  "green_spaces": green, "space_use": space_use})
