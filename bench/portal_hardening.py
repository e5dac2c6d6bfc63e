"""Cost of the portal hardening on Berlin: the guard on the biggest callback payload, and per-request overhead."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import orjson

from .common import Row, median_seconds


def bench_portal_hardening(settings, folder: Path, repeat: int = 20) -> list[Row]:
    from dashboard import ids
    from dashboard.app import create_app
    from dashboard.security import dash_request_refused
    from layers.bundle import load_bundle
    from layers.settings import load_settings

    bundle = load_bundle(folder)
    cells = [str(c) for c in bundle.cells(max(bundle.manifest.h3_resolutions))]
    point = {"curveNumber": 1, "pointNumber": 0, "pointIndex": 0, "z": 41.2, "ct": [13.1, 52.1], "text": "Anteil 41,2 %<br>Sozialer Kontext"}
    body = {"output": f"{ids.SELECTION}.data", "outputs": {"id": ids.SELECTION, "property": "data"},
            "inputs": [{"id": ids.MAP, "property": "selectedData", "value": {"points": [{**point, "location": c} for c in cells]}}],
            "state": [{"id": ids.SELECTION, "property": "data", "value": {"basis": "h3_10", "ids": cells, "focus": None}}]}
    raw = orjson.dumps(body)
    size_mb = len(raw) / 1e6
    hidden = {"some_internal_layer"}
    parsed = orjson.loads(raw)  # Dash parses the body anyway (Flask caches it): the guard adds only its own checks
    guard_ms = 1000 * median_seconds(lambda: dash_request_refused(parsed, hidden, raw), repeat)
    walk_ms = 1000 * median_seconds(lambda: dash_request_refused(body, hidden), 3)

    rows = [Row(f"portal guard on a whole-city res-10 selection callback ({len(cells):,} cells, {size_mb:.1f} MB)", "< 100 ms",
                f"{guard_ms:.1f} ms", guard_ms < 100,
                f"body with escapes (full string walk): {walk_ms:.0f} ms")]
    base = dict(config_path=settings.config_path, bundle_dir=str(folder.parent))
    overhead = {}
    variants = (("portal, hardened", {"mode": "portal", "access_log": True, "rate_limit_api": "1000000 per minute"}),
                ("planner, no access log", {"mode": "planner", "access_log": False}))
    for label, extra in variants:
        app = create_app(load_settings(**base, **extra), folder)
        client = app.server.test_client()
        with contextlib.redirect_stdout(io.StringIO()):
            client.get("/api/v1/layers").close()
            overhead[label] = 1000 * median_seconds(lambda: client.get("/api/v1/layers/nope").close(), repeat * 5)
    extra_ms = overhead["portal, hardened"] - overhead["planner, no access log"]
    rows.append(Row("per-request cost of portal guard, rate limiter and JSON access log (API 404, portal − planner)", "< 2 ms",
                    f"{extra_ms:.2f} ms", extra_ms < 2, f"{overhead['portal, hardened']:.2f} vs {overhead['planner, no access log']:.2f} ms"))
    return rows
