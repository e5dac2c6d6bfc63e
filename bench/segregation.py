"""Segregation benchmarks: all single-group indices, Gi* with 999 permutations on H3 res 9, cached repeats."""

from __future__ import annotations

from pathlib import Path

from .common import Row, timed

GROUPS = ("mig_bg", "foreign", "mig_bg_age_0_6", "mig_bg_age_6_15")


def bench_segregation(settings, folder: Path) -> list[Row]:
    from layers.bundle import Bundle
    from layers.segregation import indices as si
    from layers.segregation import local
    from layers.segregation.groups import get_group, group_frame
    from layers.spatial.basis import Basis

    bundle = Bundle(folder)
    basis = Basis(level="planungsraum")
    _, warm_s = timed(lambda: (si.single_kernels(), si.multi_kernels(), [bundle.counts(basis, p) for p in bundle.periods]))
    _, city_s = timed(lambda: [si.single_indices(group_frame(bundle, basis, p, get_group(bundle, g))[0]) for g in GROUPS for p in bundle.periods])
    _, full_s = timed(lambda: [si.index_table(bundle, "planungsraum", g) for g in GROUPS])
    _, cached_s = timed(lambda: [si.index_table(bundle, "planungsraum", g) for g in GROUPS])
    period = bundle.periods[-1]
    _, jit_s = timed(lambda: local.hot_spots(bundle, "h3_7", period, "mig_bg"))  # first call: numba compiles esda's kernels
    _, gi_s = timed(lambda: local.hot_spots(bundle, "h3_9", period, "mig_bg"))
    _, gi_cached_s = timed(lambda: local.hot_spots(bundle, "h3_9", period, "mig_bg"))
    n9 = len(bundle.ids(Basis(res=9)))
    return [
        Row("segregation: 6 single-group indices, city, 542 PLR × 8 periods × 4 groups", "< 2 s", f"{city_s:.2f} s", city_s < 2,
            f"PySAL import + counts first: {warm_s:.1f} s"),
        Row("segregation: same incl. 12 districts (13 areas)", "–", f"{full_s:.2f} s", None, "index_table, cached afterwards"),
        Row("segregation: repeated index request (cached)", "< 50 ms", f"{cached_s * 1000:.2f} ms", cached_s < 0.05),
        Row("segregation: first Gi* + local Moran in a process (numba compile, H3 res 7)", "–", f"{jit_s:.1f} s", None,
            "esda's permutation kernels compile once per process"),
        Row(f"segregation: Gi* + local Moran, 999 permutations, H3 res 9 ({n9:,} cells)", "< 10 s", f"{gi_s:.2f} s", gi_s < 10,
            "EB smoothing, weights, both statistics, FDR"),
        Row("segregation: repeated Gi* request (cached)", "< 50 ms", f"{gi_cached_s * 1000:.2f} ms", gi_cached_s < 0.05),
    ]
