"""`quartiersatlas bench`: build, aggregation, start-up and callback timings on this machine, printed as a table."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from layers.settings import load_settings
from layers.topic import resolve
from layers.topics import TOPICS

from .accessibility import bench_accessibility
from .briefing import bench_briefing
from .browser import bench_browser
from .common import Row, timed
from .disclosure import bench_attacker, bench_disclosure
from .disclosure_cost import bench_disclosure_cost
from .load import bench_load
from .portal_hardening import bench_portal_hardening
from .routing import bench_routing
from .scaleout import bench_scaleout


def bench_berlin_build(settings, work: Path) -> list[Row]:
    from layers.build import build_city

    s = load_settings(settings.config_path, bundle_dir=str(work))
    _, secs = timed(lambda: build_city(s, "berlin", log=lambda *_: None))
    return [Row("build Berlin bundle (542 PLR, 8 periods, H3 7–10)", "< 60 s", f"{secs:.1f} s", secs < 60)]


def bench_demo_aggregate(settings, work: Path) -> list[Row]:
    from layers.build import build_city
    from layers.bundle import Bundle
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


def _payload(layer: str, group: str, basis: str, period: int, period_from: str, changed: str, district: str | None = None,
             selection: list[str] | None = None, drawn: dict | None = None, compare: bool = False, scenario: dict | None = None,
             view: str = "scenario") -> dict:
    """Body of the map callback's request, as the browser sends it (`period` is the slider position; `scenario`: the
    scenario store's value)."""
    from dashboard import ids

    values = [(ids.LAYER, "value", layer), (ids.GROUP, "value", group), (ids.BASIS, "value", basis), (ids.PERIOD, "value", period),
              (ids.PERIOD_FROM, "value", period_from), (ids.COMPARE, "value", ["on"] if compare else []), (ids.LANGUAGE, "value", "de"),
              (ids.DISTRICT, "value", district), (ids.SELECTION, "data", {"basis": basis, "ids": selection or [], "focus": None}),
              (ids.SCENARIO, "data", scenario), (ids.SCENARIO_VIEW, "value", view)]
    return {
        "output": f"..{ids.MAP}.figure...{ids.LEGEND}.children...{ids.MAP_DRAWN}.data...{ids.MAP_REDRAWN}.data..",
        "outputs": [{"id": ids.MAP, "property": "figure"}, {"id": ids.LEGEND, "property": "children"},
                    {"id": ids.MAP_DRAWN, "property": "data"}, {"id": ids.MAP_REDRAWN, "property": "data"}],
        "inputs": [{"id": k, "property": p, "value": v} for k, p, v in values],
        "state": [{"id": ids.MAP_DRAWN, "property": "data", "value": drawn}],
        "changedPropIds": [changed],
    }


def _views_payload(layer: str, basis: str, period: int, period_from: str, changed: str, district: str | None,
                   selection: list[str], scenario: dict | None = None, view: str = "scenario", order: str = "name",
                   drawn: dict | None = None) -> dict:
    """Body of the linked-views callback's request (histogram, cards, table) as the browser sends it: district, selection,
    table order and the map's drawn-store once shown (`ids.MAP_FRAMED`: the views follow the map) are its inputs, the
    other controls its state."""
    from dashboard import ids

    inputs = [(ids.DISTRICT, "value", district), (ids.SELECTION, "data", {"basis": basis, "ids": selection, "focus": None}),
              (ids.TABLE_ORDER, "value", order), (ids.MAP_FRAMED, "data", drawn or {"basis": basis})]
    state = [(ids.LAYER, "value", layer), (ids.GROUP, "value", "mig_bg"), (ids.BASIS, "value", basis), (ids.PERIOD, "value", period),
             (ids.PERIOD_FROM, "value", period_from), (ids.COMPARE, "value", []), (ids.LANGUAGE, "value", "de"),
             (ids.SCENARIO, "data", scenario), (ids.SCENARIO_VIEW, "value", view)]
    outputs = [(ids.HISTOGRAM, "figure"), (ids.CARDS, "children"), (ids.TABLE, "children"), (ids.SELECTION_INFO, "children")]
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": k, "property": p, "value": v} for k, p, v in inputs],
        "state": [{"id": k, "property": p, "value": v} for k, p, v in state], "changedPropIds": [changed],
    }


def _post(client, body: dict, gzip: bool = False) -> tuple[float, int, dict]:
    """Server time, response bytes (gzip-compressed as browsers get them, if asked) and the map-drawn store the
    response sets (the browser sends it back next time)."""
    import gzip as gz

    import orjson

    from dashboard import ids

    t0 = time.perf_counter()
    resp = client.post("/_dash-update-component", json=body, headers={"Accept-Encoding": "gzip"} if gzip else {})
    elapsed = time.perf_counter() - t0
    assert resp.status_code == 200, resp.data[:300]
    data = gz.decompress(resp.data) if resp.headers.get("Content-Encoding") == "gzip" else resp.data
    drawn = orjson.loads(data).get("response", {}).get(ids.MAP_DRAWN, {}).get("data")
    return elapsed, len(resp.data), drawn


def bench_callbacks(settings, folder: Path, repeat: int) -> list[Row]:
    """Server time and bytes of the map and linked-view callbacks through the real Dash endpoint.

    Value updates (period, layer) run with the cache off, so each call computes; filter updates (district,
    selection) run with the app's cache, as in use: the map has just computed the same layer result.
    Bytes are uncompressed response bodies; "per area" is the slope between two bases, which removes the fixed part.
    """
    from dashboard import ids
    from dashboard.app import create_app
    from layers.bundle import load_bundle
    from layers.spatial.basis import Basis

    cold = create_app(load_settings(settings.config_path, cache_type="NullCache"), folder).server.test_client()
    warm = create_app(load_settings(settings.config_path, cache_type="SimpleCache"), folder).server.test_client()
    bundle = load_bundle(folder)
    periods, last = bundle.periods, len(bundle.periods) - 1
    layers = ["migration_share", "migration_lq"]  # same group: same residents and small counts, only values change
    districts = list(bundle.units_of(bundle.levels[0].id).index)
    rows, layer_bytes, gzip_bytes = [], {}, {}
    for basis in (bundle.finest_level.id, "h3_9", "h3_10"):
        n = len(bundle.ids(Basis.parse(basis)))
        _, full_bytes, drawn = _post(cold, _payload("migration_share", "mig_bg", basis, last, periods[0], f"{ids.BASIS}.value"))
        for kind in ("period", "layer"):
            times, sizes = [], []
            for i in range(repeat):
                # period 0 first: its counts are not cached yet, so the first call is a cold one
                period = i % len(periods) if kind == "period" else last
                layer = layers[i % len(layers)] if kind == "layer" else "migration_share"
                changed = f"{ids.PERIOD}.value" if kind == "period" else f"{ids.LAYER}.value"
                secs, size, new_drawn = _post(cold, _payload(layer, "mig_bg", basis, period, periods[0], changed, drawn=drawn))
                drawn = new_drawn or drawn
                times.append(secs)
                sizes.append(size)
            med = statistics.median(times) * 1000
            if kind == "layer":
                layer_bytes[basis] = (n, statistics.median(sizes))
                _, gzip_bytes[basis], _ = _post(cold, _payload("migration_lq" if layer == "migration_share" else "migration_share", "mig_bg",
                                                               basis, last, periods[0], changed, drawn=drawn), gzip=True)
            rows.append(Row(f"{kind} switch (map), {basis} ({n:,} areas), median of {repeat}", "< 200 ms", f"{med:.0f} ms", med < 200,
                            f"first {times[0] * 1000:.0f} ms (cold); patch {statistics.median(sizes) / 1024:.0f} KiB "
                            f"= {statistics.median(sizes) / n:.1f} B/area; full figure {full_bytes / 1024:.0f} KiB"))
        target = 100 if basis != "h3_10" else 250
        ids_all = list(bundle.ids(Basis.parse(basis)))
        _, _, drawn = _post(warm, _payload("migration_share", "mig_bg", basis, last, periods[0], f"{ids.BASIS}.value"))  # fills the cache
        for kind in ("district", "selection"):
            times, sizes = [], []
            for i in range(repeat):
                district = districts[i % len(districts)] if kind == "district" else None
                selection = ids_all[i * 7 % len(ids_all):][:25] if kind == "selection" else []
                changed = f"{ids.DISTRICT}.value" if kind == "district" else f"{ids.SELECTION}.data"
                secs_views, _, _ = _post(warm, _views_payload("migration_share", basis, last, periods[0], changed, district, selection))
                secs_map, size, _ = _post(warm, _payload("migration_share", "mig_bg", basis, last, periods[0], changed, district, selection,
                                                         drawn=drawn))
                times.append(secs_views + secs_map)
                sizes.append(size)
            med = statistics.median(times) * 1000
            rows.append(Row(f"{kind} filter (map + histogram, cards, table), {basis}", f"< {target} ms", f"{med:.0f} ms", med < target,
                            f"map patch {statistics.median(sizes):,.0f} B"))
    (n9, b9), (n10, b10) = layer_bytes["h3_9"], layer_bytes["h3_10"]
    slope = (b10 - b9) / (n10 - n9)
    gzip_slope = (gzip_bytes["h3_10"] - gzip_bytes["h3_9"]) / (n10 - n9)
    rows.append(Row("bytes of a value update per area (slope H3 res 9 → 10, layer switch)", "< 10 B", f"{slope:.1f} B",
                    slope < 10, f"fixed part ≈ {max(b9 - slope * n9, 0) / 1024:.1f} KiB; gzip (as sent to browsers) {gzip_slope:.1f} B/area"))
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
        from layers.build import build_city

        build_city(load_settings(settings.config_path, bundle_dir=str(work)), "berlin", log=lambda *_: None)
    return berlin


def _topic_benchmark(bench: Callable[[object, Path], list[Row]]):
    """A topic's benchmark, run on the Berlin bundle of the work folder (built once)."""
    return lambda settings, work, args: bench(settings, _ensure_berlin(settings, work))


# name → function(settings, work folder, args) returning rows: the app as a whole, then one per topic (`layers.topics`).
BENCHMARKS = {
    "berlin_build": lambda settings, work, args: bench_berlin_build(settings, work),
    "demo_aggregate": lambda settings, work, args: bench_demo_aggregate(settings, work),
    "app_start": lambda settings, work, args: bench_app_start(settings, _ensure_berlin(settings, work)),
    "callbacks": lambda settings, work, args: bench_callbacks(settings, _ensure_berlin(settings, work), args.repeat),
    # --- disclosure ---
    "disclosure": lambda settings, work, args: bench_disclosure(settings, _ensure_berlin(settings, work))
    + bench_attacker(settings, _ensure_berlin(settings, work)),
    "disclosure_cost": lambda settings, work, args: bench_disclosure_cost(settings, _ensure_berlin(settings, work)),
    "routing": lambda settings, work, args: bench_routing(settings, work),
    "load": lambda settings, work, args: bench_load(settings, _ensure_berlin(settings, work)),
    "browser": lambda settings, work, args: bench_browser(settings, _ensure_berlin(settings, work), min(args.repeat, 5)),
    "scaleout": lambda settings, work, args: bench_scaleout(settings, work),
    # --- briefing and area profile ---
    "briefing": lambda settings, work, args: bench_briefing(settings, _ensure_berlin(settings, work)),
    # --- portal hardening ---
    "portal_hardening": lambda settings, work, args: bench_portal_hardening(settings, _ensure_berlin(settings, work)),
    # --- accessibility ---
    "accessibility": lambda settings, work, args: bench_accessibility(settings, _ensure_berlin(settings, work)),
    **{topic.id: _topic_benchmark(resolve(topic.benchmark)) for topic in TOPICS if topic.benchmark},
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
