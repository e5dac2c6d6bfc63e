"""Walking distance on Cologne: the street network against straight line × 1.3 (time, and how often the rule errs near
the coverage radius)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .common import Row, median_seconds


def bench_routing(settings, work: Path) -> list[Row]:
    from layers.build import build_city
    from layers.bundle import load_bundle
    from layers.settings import load_settings
    from layers.spatial.h3grid import hex_to_cells
    from layers.spatial.network import build_network
    from layers.spatial.routing import StraightLineRouter, cell_centres_xy

    folder = work / "koeln"
    if not (folder / "manifest.json").exists():
        build_city(load_settings(settings.config_path, bundle_dir=str(work)), "koeln", log=lambda *_: None)
    bundle = load_bundle(folder)
    t0 = time.perf_counter()
    network = build_network(bundle.table("streets").geometry.values)
    build_s = time.perf_counter() - t0
    cells = bundle.cells(9)
    xy = cell_centres_xy(hex_to_cells(cells))
    fac = bundle.table("facilities")
    kitas = fac[fac["type"] == "kita"]
    from layers.spatial.routing import to_metric_xy

    kxy = to_metric_xy(kitas.geometry.x.to_numpy(), kitas.geometry.y.to_numpy())
    line = StraightLineRouter(1.3)
    net_s = median_seconds(lambda: network.within(xy, kxy, 500.0), 3)
    line_s = median_seconds(lambda: line.within(xy, kxy, 500.0), 3)
    i, j, d = network.within(xy, kxy, 1500.0)
    straight = np.hypot(*(xy[i] - kxy[j]).T)
    ratio = d[straight > 100] / straight[straight > 100]
    wrong = {}
    for radius in (500.0, 1000.0):
        near = (straight * 1.3 <= radius) != (d <= radius)
        wrong[radius] = 100 * near[(straight * 1.3 > radius * 0.5) & (straight * 1.3 < radius * 1.5)].mean()
    return [
        Row("street network of Cologne built (15,846 lines)", "–", f"{build_s:.2f} s", None, f"{len(network.nodes):,} nodes"),
        Row("Kitas within 500 m of every H3 res-9 cell: network", "< 2 s", f"{net_s * 1000:.0f} ms", net_s < 2,
            f"{len(xy):,} cells × {len(kxy):,} Kitas; straight line × 1.3: {line_s * 1000:.0f} ms"),
        Row("network / straight-line distance (pairs ≤ 1.5 km)", "–", f"median {np.median(ratio):.2f}", None,
            f"10th–90th percentile {np.percentile(ratio, 10):.2f}–{np.percentile(ratio, 90):.2f}"),
        Row("pairs the × 1.3 rule puts on the wrong side of the radius", "–",
            f"{wrong[500.0]:.1f} % at 500 m, {wrong[1000.0]:.1f} % at 1,000 m", None, "pairs within ±50 % of the radius"),
    ]
