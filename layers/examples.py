"""The hand-made city of the docstring examples: two districts of two blocks each, every figure computable by hand.

The population is that of `tests/tiny.py` (residents and residents with migration background per block on
2024-12-31; 2023-12-31 has half the migration counts), plus children under 6 (10 % of the residents), the social
monitoring's child poverty and status class (source "mss", dated 2020-12-31), the origin region Turkey (`TURKEY`: half
of the residents with migration background in A1 and A2, a quarter in B1, none in B2) and one Kita with 70 places in
block A1:

======  ========  ==========  ===========  ==============  ============  ====
block   district  pop_total   pop_mig_bg   under 6         child pov. %  MSS
======  ========  ==========  ===========  ==============  ============  ====
A1      A         1,000       600          100             30            4
A2      A         500         100          50              10            2
B1      B         2,000       400          200             20            3
B2      B         40          2            4               –             1
======  ========  ==========  ===========  ==============  ============  ====

`example_bundle()` writes it once per process to a temporary folder (about 0.1 s) and opens it.

Examples
--------
>>> bundle = example_bundle()
>>> bundle.periods, [lvl.id for lvl in bundle.levels]
(['2023-12-31', '2024-12-31'], ['district', 'block'])
"""

from __future__ import annotations

import tempfile
from functools import lru_cache

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from .bundle import Bundle, BundleBuild, Level, Manifest, Source, load_bundle, write_bundle

SIZE = 0.01  # degrees; blocks are 0.01° × 0.01° squares near 13.0 E, 52.0 N
# block → (column, row, pop_total, pop_mig_bg, pop_foreign, child poverty %, MSS status class) on 2024-12-31
BLOCKS = {
    "A1": (0, 0, 1000, 600, 300, 30.0, 4),
    "A2": (1, 0, 500, 100, 40, 10.0, 2),
    "B1": (0, 1, 2000, 400, 200, 20.0, 3),
    "B2": (1, 1, 40, 2, 1, None, 1),
}
TURKEY = {"A1": 0.5, "A2": 0.5, "B1": 0.25, "B2": 0.0}  # share of pop_mig_bg with origin region Turkey (the rest: other origins)
PERIODS = ["2023-12-31", "2024-12-31"]
MSS_DATE = "2020-12-31"
_FOLDERS: list[tempfile.TemporaryDirectory] = []  # kept open for the life of the process (the bundle reads lazily)


def example_build() -> BundleBuild:
    """The tables and manifest of the example city (see the module)."""
    units = [
        {"unit_id": "A", "level": "district", "name": "Nord", "parent_id": None, "geometry": box(13.0, 52.0, 13.02, 52.01)},
        {"unit_id": "B", "level": "district", "name": "Süd", "parent_id": None, "geometry": box(13.0, 52.01, 13.02, 52.02)},
    ]
    rows, indicators = [], []
    for uid, (c, r, total, mig, foreign, poverty, status) in BLOCKS.items():
        units.append({"unit_id": uid, "level": "block", "name": f"Block {uid}", "parent_id": uid[0],
                      "geometry": box(13.0 + c * SIZE, 52.0 + r * SIZE, 13.0 + (c + 1) * SIZE, 52.0 + (r + 1) * SIZE)})
        for period, factor in zip(PERIODS, (0.5, 1.0)):
            rows.append({"unit_id": uid, "period": period, "pop_total": total, "pop_mig_bg": int(mig * factor),
                         "pop_foreign": int(foreign * factor), "age_0_6": total // 10,
                         "origin_turkey": int(int(mig * factor) * TURKEY[uid])})
        indicators += [{"unit_id": uid, "period": MSS_DATE, "indicator": "mss_child_poverty_pct", "value": poverty},
                       {"unit_id": uid, "period": MSS_DATE, "indicator": "mss_status_class", "value": float(status)}]
    kitas = gpd.GeoDataFrame([{"facility_id": "kita1", "type": "kita", "name": "Kita am Markt", "capacity": 70, "unit_id": "A1",
                               "source": "kitas", "geometry": Point(13.005, 52.005)}], crs="EPSG:4326")
    manifest = Manifest(
        city="example", title="Example", synthetic=True,
        levels=[Level("district", "Bezirk", "District", r"^[A-Z]$"), Level("block", "Block", "Block", r"^[A-Z]\d$")],
        periods=PERIODS,
        sources=[Source("population", "Example population", "Docstring example", "CC0", period="31.12.2023, 31.12.2024"),
                 Source("mss", "Example social monitoring", "Docstring example", "CC0", period="31.12.2020"),
                 Source("kitas", "Example Kita list", "Docstring example", "CC0", period="01/2026")],
        indicators={
            "mss_child_poverty_pct": {"title_de": "Kinderarmut", "title_en": "Child poverty", "unit": "%", "source": "mss",
                                      "period": MSS_DATE},
            "mss_status_class": {"title_de": "Statusindex", "title_en": "Status index", "unit": "class", "source": "mss",
                                 "period": MSS_DATE},
        },
        h3_resolutions=[9], id_prefix_nesting=True,
    )
    tables = {"units": gpd.GeoDataFrame(units, crs="EPSG:4326"), "population": pd.DataFrame(rows),
              "indicators": pd.DataFrame(indicators), "facilities": kitas}
    return BundleBuild(manifest, tables)


@lru_cache(maxsize=1)
def example_bundle() -> Bundle:
    """The example city, written once per process to a temporary folder and opened."""
    folder = tempfile.TemporaryDirectory(prefix="quartiersatlas-example-")
    _FOLDERS.append(folder)
    return load_bundle(write_bundle(example_build(), f"{folder.name}/example", log=lambda *_: None))
