"""A hand-made four-block city whose every figure can be computed by hand."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from layers.bundle import BundleBuild, Level, Manifest, Source

SIZE = 0.01  # degrees; blocks are 0.01° × 0.01° squares near 13.0 E, 52.0 N
# block id → (column, row, pop_total, pop_mig_bg, pop_foreign) on 2024-12-31
BLOCKS = {
    "A1": (0, 0, 1000, 600, 300),
    "A2": (1, 0, 500, 100, 40),
    "B1": (0, 1, 2000, 400, 200),
    "B2": (1, 1, 40, 2, 1),
}
PERIODS = ["2023-12-31", "2024-12-31"]


def tiny_build() -> BundleBuild:
    units = [
        {"unit_id": "A", "level": "district", "name": "Nord", "parent_id": None, "geometry": box(13.0, 52.0, 13.02, 52.01)},
        {"unit_id": "B", "level": "district", "name": "Süd", "parent_id": None, "geometry": box(13.0, 52.01, 13.02, 52.02)},
    ]
    rows = []
    for uid, (c, r, total, mig, foreign) in BLOCKS.items():
        units.append({"unit_id": uid, "level": "block", "name": f"Block {uid}", "parent_id": uid[0],
                      "geometry": box(13.0 + c * SIZE, 52.0 + r * SIZE, 13.0 + (c + 1) * SIZE, 52.0 + (r + 1) * SIZE)})
        for period, factor in zip(PERIODS, (0.5, 1.0)):
            rows.append({"unit_id": uid, "period": period, "pop_total": total, "pop_mig_bg": int(mig * factor),
                         "pop_foreign": int(foreign * factor)})
    manifest = Manifest(
        city="tiny", title="Tiny", synthetic=True,
        levels=[Level("district", "Bezirk", "District", r"^[A-Z]$"), Level("block", "Block", "Block", r"^[A-Z]\d$")],
        periods=PERIODS, sources=[Source("population", "Tiny population", "Test fixture", "CC0")], h3_resolutions=[8, 9],
        id_prefix_nesting=True,
    )
    return BundleBuild(manifest, {"units": gpd.GeoDataFrame(units, crs="EPSG:4326"), "population": pd.DataFrame(rows)})
