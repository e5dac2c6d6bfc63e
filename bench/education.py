"""Education benchmarks: 2SFCA for all Berlin Kitas on H3 res 9 and 10; facility segregation for 1,000 facilities."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import Row, timed


def bench_education(settings, folder: Path) -> list[Row]:
    from layers.bundle import Bundle
    from layers.education import facility_segregation as fs
    from layers.education.kita import kita_access, kitas
    from layers.education.params import EducationParams

    params = EducationParams.from_settings(settings)
    rows = []
    for res, target in ((9, 3.0), (10, 15.0)):
        bundle = Bundle(folder)  # fresh: no cached tables, counts or weights
        period = bundle.periods[-1]
        a, secs = timed(lambda: kita_access(bundle, res, period, params))
        n = len(kitas(bundle))
        rows.append(Row(f"2SFCA all Berlin Kitas ({n:,}) on H3 res {res}, cold", f"< {target:.0f} s", f"{secs:.2f} s", secs < target,
                        f"{int((a.cells['demand'] > 0).sum()):,} cells with demand, {len(a.fca.origin):,} pairs within {params.radius_m:.0f} m"))
    rng = np.random.default_rng(1)
    n = rng.integers(20, 600, size=1000).astype(float)
    p = rng.uniform(0.05, 0.9, size=1000)
    x = rng.binomial(n.astype(int), np.clip(p + rng.normal(0, 0.1, 1000), 0, 1)).astype(float)

    def run():
        dev = fs.deviation(n, x, p)
        return dev, fs.choice_adds(n, x, p)

    (_, summary), secs = timed(run)
    rows.append(Row("facility segregation, 1,000 facilities (deviation, ratio, z, city D)", "< 1 s", f"{secs * 1000:.1f} ms", secs < 1,
                    f"choice adds {summary['choice_adds']:.3f}"))
    return rows
