"""Benchmarks of the infrastructure section: nearest distances to every H3 res 10 cell, coverage for all types, cached repeats."""

from __future__ import annotations

import time
from pathlib import Path

from .common import Row, timed


def bench_infrastructure(settings, folder: Path) -> list[Row]:
    from layers.bundle import Bundle
    from layers.infrastructure.access import access, cell_centres, cell_distances, facility_points, facility_types
    from layers.infrastructure.layers import compute_distance
    from layers.spatial.basis import Basis
    from layers.standards import Params

    bundle = Bundle(folder)  # a fresh object: nothing cached
    params = Params.from_settings(settings)
    period = bundle.periods[-1]
    n_fac = len(facility_points(bundle))
    types = facility_types(bundle)
    _, centres_s = timed(lambda: cell_centres(bundle, 10))
    dist, near_s = timed(lambda: cell_distances(bundle, 10, params))
    total = centres_s + near_s
    rows = [Row(f"nearest distance, {n_fac:,} facilities ({len(types)} types) → {len(dist):,} H3 res 10 cells", "< 10 s",
                f"{total:.2f} s", total < 10, f"cell centres {centres_s:.2f} s + KD-tree queries {near_s:.2f} s")]
    for basis in (Basis(res=10), Basis(level=bundle.finest_level.id)):
        t0 = time.perf_counter()
        for kind in types:
            access(bundle, basis, period, kind, params)
        secs = time.perf_counter() - t0
        rows.append(Row(f"coverage for all {len(types)} types, {basis.key}", "< 5 s", f"{secs:.2f} s", secs < 5,
                        "includes the origin pieces (unit ∩ res 10 cell) on the first level call"))
    compute_distance(bundle, Basis(res=10), period, group="kita")  # warm the layer (notes)
    _, cached = timed(lambda: cell_distances(bundle, 10, params))
    ms = cached * 1000
    rows.append(Row("nearest distances again (cached)", "< 50 ms", f"{ms:.2f} ms", ms < 50))
    _, layer_s = timed(lambda: compute_distance(bundle, Basis(res=10), period, group="playground"))
    rows.append(Row("distance layer res 10, another type (distances cached, notes rebuilt)", "–", f"{layer_s * 1000:.0f} ms", None))
    return rows
