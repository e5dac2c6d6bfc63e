"""Scale-out on Dask: the shipped region (Berlin, Cologne and 50 synthetic municipalities) built with 1 and with 2 local
workers, and the regional bundle served by the app."""

from __future__ import annotations

import os
from pathlib import Path

from .common import Row

REGION = Path(__file__).resolve().parent.parent / "data" / "regions" / "berlin-brandenburg.toml"


def bench_scaleout(settings, work: Path) -> list[Row]:
    from dashboard.app import create_app
    from layers.bundle import load_bundle
    from layers.scaleout import build_many, read_region
    from layers.settings import load_settings
    from layers.spatial.basis import Basis

    region = read_region(REGION)
    rows, times = [], {}
    for workers in (1, 2):
        folder = work / f"scaleout-{workers}"
        s = load_settings(settings.config_path, bundle_dir=str(folder))
        done = build_many(s, REGION, workers=workers, log=lambda *_: None)
        times[workers] = done["seconds"]
        used = len({m["worker"] for m in done["members"]})
        rows.append(Row(f"build {len(region.members)} municipalities + regional bundle, {workers} local worker(s)", "–",
                        f"{done['seconds']:.1f} s", None, f"{used} worker process(es) did the builds"))
    rows.append(Row("speed-up 2 vs 1 worker", "> 1.3×", f"{times[1] / times[2]:.2f}×", times[1] / times[2] > 1.3,
                    f"{os.cpu_count()} cores"))
    bundle = load_bundle(done["region"])
    gemeinden, bezirke = (len(bundle.units_of(lvl.id)) for lvl in bundle.levels)
    residents = bundle.counts(Basis(level="gemeinde"), bundle.periods[-1]).frame["pop_total"].sum()
    app = create_app(load_settings(settings.config_path, bundle_dir=str(done["region"].parent), mode="portal", rate_limit_api=""),
                     done["region"])
    client = app.server.test_client()
    ok = all(client.get(f"/api/v1/layers/migration_share?level={lvl}").status_code == 200 for lvl in ("gemeinde", "bezirk"))
    rows.append(Row("regional bundle served (portal, levels gemeinde and bezirk)", "200", "200" if ok else "failed", ok,
                    f"{gemeinden} Gemeinden, {bezirke} Bezirke, {residents:,.0f} residents on {bundle.periods[-1]}; "
                    f"Stichtage {', '.join(bundle.periods)}"))
    return rows
