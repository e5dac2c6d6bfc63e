"""`quartiersatlas bench`: build, aggregation, start-up and callback timings on this machine, printed as a table."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from layers.settings import load_settings

from .common import Row, timed


def bench_berlin_build(settings, work: Path) -> list[Row]:
    from layers.cities import build_city

    s = load_settings(settings.config_path, bundle_dir=str(work))
    _, secs = timed(lambda: build_city(s, "berlin", log=lambda *_: None))
    return [Row("build Berlin bundle (542 PLR, 8 periods, H3 7–10)", "< 60 s", f"{secs:.1f} s", secs < 60)]


def bench_demo_aggregate(settings, work: Path) -> list[Row]:
    from layers.bundle import Bundle
    from layers.cities import build_city
    from layers.spatial.basis import Basis

    s = load_settings(settings.config_path, bundle_dir=str(work))
    folder, build_s = timed(lambda: build_city(s, "demo", size="berlin", log=lambda *_: None))
    bundle = Bundle(folder)
    period = bundle.periods[-1]
    pts, read_s = timed(lambda: bundle._points(period))
    residents = int(pts["pop_total"].sum())
    counts, agg_s = timed(lambda: bundle.counts(Basis(res=9), period))
    return [
        Row("build demo city size berlin", "–", f"{build_s:.1f} s", None, f"{residents:,} residents, {len(pts):,} address points"),
        Row("read address points (one period)", "–", f"{read_s:.2f} s", None),
        Row("aggregate demo city (3.9 M residents) to H3 res 9", "< 5 s", f"{agg_s:.2f} s", agg_s < 5,
            f"{len(counts.frame):,} cells"),
    ]


def bench_app_start(settings, folder: Path) -> list[Row]:
    code = ("import time; t=time.perf_counter(); from dashboard.app import create_app; from layers.settings import load_settings;"
            f"app=create_app(load_settings(), {str(folder)!r}); c=app.server.test_client(); r=c.get('/'); "
            "assert r.status_code==200; print(time.perf_counter()-t)")
    secs = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip())
    return [Row(f"app start on built bundle ({folder.name}), fresh process", "< 3 s", f"{secs:.2f} s", secs < 3)]


def _payload(layer: str, group: str, basis: str, period: str, period_from: str, changed: str) -> dict:
    from dashboard import ids

    values = {ids.LAYER: layer, ids.GROUP: group, ids.BASIS: basis, ids.PERIOD: period, ids.PERIOD_FROM: period_from, ids.LANGUAGE: "de"}
    return {
        "output": f"..{ids.MAP}.figure...{ids.LEGEND}.children..",
        "outputs": [{"id": ids.MAP, "property": "figure"}, {"id": ids.LEGEND, "property": "children"}],
        "inputs": [{"id": k, "property": "value", "value": v} for k, v in values.items()],
        "changedPropIds": [f"{changed}.value"], "state": [],
    }


def bench_callbacks(settings, folder: Path, repeat: int) -> list[Row]:
    """Median server time of a layer or period switch through the real Dash endpoint, cache off."""
    from dashboard import ids
    from dashboard.app import create_app
    from layers.bundle import load_bundle
    from layers.spatial.basis import Basis

    s = load_settings(settings.config_path, cache_type="NullCache")
    client = create_app(s, folder).server.test_client()
    bundle = load_bundle(folder)
    periods = bundle.periods
    layers = ["migration_share", "migration_lq", "migration_count"]
    rows = []
    for basis in (bundle.finest_level.id, "h3_9"):
        first = client.post("/_dash-update-component", json=_payload("migration_share", "mig_bg", basis, periods[-1], periods[0], ids.BASIS))
        full_bytes = len(first.data)
        for kind in ("period", "layer"):
            times, sizes = [], []
            for i in range(repeat):
                # periods[0] first: its counts are not cached yet, so the first call is a cold one
                period = periods[i % len(periods)] if kind == "period" else periods[-1]
                layer = layers[i % len(layers)] if kind == "layer" else "migration_share"
                body = _payload(layer, "mig_bg", basis, period, periods[0], ids.PERIOD if kind == "period" else ids.LAYER)
                t0 = time.perf_counter()
                resp = client.post("/_dash-update-component", json=body)
                times.append(time.perf_counter() - t0)
                assert resp.status_code == 200, resp.data[:300]
                sizes.append(len(resp.data))
            med = statistics.median(times) * 1000
            n = len(bundle.ids(Basis.parse(basis)))
            rows.append(Row(f"{kind} switch, {basis} ({n:,} areas), median of {repeat}", "< 200 ms", f"{med:.0f} ms", med < 200,
                            f"first call {times[0] * 1000:.0f} ms (cold); patch {statistics.median(sizes) / 1024:.0f} KiB "
                            f"vs full figure {full_bytes / 1024:.0f} KiB"))
    return rows


def print_table(rows: list[Row]) -> None:
    headers = ("benchmark", "target", "measured", "ok", "note")
    cells = [(r.name, r.target, r.measured, "–" if r.ok is None else ("yes" if r.ok else "NO"), r.note) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    line = lambda c: "| " + " | ".join(x.ljust(w) for x, w in zip(c, widths)) + " |"  # noqa: E731
    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for c in cells:
        print(line(c))


def _ensure_berlin(settings, work: Path) -> Path:
    """The Berlin bundle in the benchmark's work folder, built once."""
    berlin = work / "berlin"
    if not (berlin / "manifest.json").exists():
        from layers.cities import build_city

        build_city(load_settings(settings.config_path, bundle_dir=str(work)), "berlin", log=lambda *_: None)
    return berlin


# name → function(settings, work folder, args) returning rows; topic modules add theirs here.
BENCHMARKS = {
    "berlin_build": lambda settings, work, args: bench_berlin_build(settings, work),
    "demo_aggregate": lambda settings, work, args: bench_demo_aggregate(settings, work),
    "app_start": lambda settings, work, args: bench_app_start(settings, _ensure_berlin(settings, work)),
    "callbacks": lambda settings, work, args: bench_callbacks(settings, _ensure_berlin(settings, work), args.repeat),
    # --- segregation ---
    # --- education (Kita and school) ---
    # --- infrastructure, public space, funding ---
    # --- linked views ---
}


def main(args) -> int:
    settings = load_settings(args.config)
    only = args.only or list(BENCHMARKS)
    unknown = [name for name in only if name not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        work = Path(tmp)
        for name in only:
            rows += BENCHMARKS[name](settings, work, args)
    print_table(rows)
    return 0 if all(r.ok is not False for r in rows) else 1
