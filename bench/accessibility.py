"""Accessibility: one page of the map's table alternative and the map's text summary, through Dash's callback endpoint."""

from __future__ import annotations

import time
from pathlib import Path

import orjson

from layers.settings import load_settings

from .common import Row, median_seconds

# (basis, target seconds of one table page, warm) — H3 res 10 has about 67,000 cells: 1,300+ pages of 50
TABLE_TARGETS = (("planungsraum", 0.3), ("h3_9", 0.6), ("h3_10", 1.0))
SUMMARY_TARGET_S = 1.0


def _body(outputs, inputs, changed: str) -> dict:
    return {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..", "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": i, "property": p, "value": v} for (i, p), v in inputs], "state": [], "changedPropIds": [changed]}


def bench_accessibility(settings, folder: Path, repeat: int = 5) -> list[Row]:
    """Portal mode, Berlin, migration share: a table page (first and a middle page, sorted by name) and the summary text."""
    from dashboard import accessibility as a11y
    from dashboard import ids
    from dashboard.app import create_app

    portal = load_settings(settings.config_path, mode="portal", cache_type="SimpleCache")
    app = create_app(portal, folder)
    client = app.server.test_client()
    view = [(ids.LAYER, "value"), (ids.GROUP, "value"), (ids.BASIS, "value"), (ids.PERIOD, "value"), (ids.PERIOD_FROM, "value"),
            (ids.COMPARE, "value"), (ids.LANGUAGE, "value"), (ids.DISTRICT, "value"), (ids.SELECTION, "data"), (ids.SCENARIO, "data"),
            (ids.SCENARIO_VIEW, "value")]
    periods = len(app.server.config["QUARTIERSATLAS_BUNDLE"].periods)
    rows = []
    for basis, target in TABLE_TARGETS:
        values = ["migration_share", "mig_bg", basis, periods - 1, None, [], "de", None, {"basis": basis, "ids": [], "focus": None}, None,
                  "scenario"]
        outputs = [(a11y.TABLE, "children"), (a11y.PAGE_STATUS, "children"), (a11y.PAGES, "data")]

        def page(n: int, values=values, outputs=outputs):
            inputs = list(zip(view, values)) + [((a11y.TABLE_REGION, "hidden"), False), ((a11y.PAGE, "data"), n), ((a11y.SORT, "value"), "name"),
                                                ((a11y.ORDER, "value"), "asc"), ((a11y.FILTER, "value"), "")]
            resp = client.post("/_dash-update-component", json=_body(outputs, inputs, f"{a11y.TABLE_REGION}.hidden"))
            assert resp.status_code == 200, resp.data[:300]
            return orjson.loads(resp.data)["response"]

        t0 = time.perf_counter()
        first = page(0)
        cold_s = time.perf_counter() - t0
        pages = first[a11y.PAGES]["data"]
        warm_s = median_seconds(lambda: page(pages // 2), repeat)
        rows.append(Row(f"a11y table page, {basis} (portal)", f"< {target} s warm", f"{warm_s:.3f} s", warm_s < target,
                        f"cold (layer computed) {cold_s:.2f} s; {pages:,} pages of {a11y.PAGE_SIZE}"))
        outputs_s = [(a11y.SUMMARY, "children"), (a11y.MAP_REGION, "aria-label")]
        summary_s = median_seconds(lambda: client.post("/_dash-update-component", json=_body(outputs_s, list(zip(view, values)), f"{ids.LAYER}.value")),
                            repeat)
        rows.append(Row(f"a11y map summary, {basis} (portal)", f"< {SUMMARY_TARGET_S} s warm", f"{summary_s:.3f} s", summary_s < SUMMARY_TARGET_S,
                        "layers.narrative.summary_text for the whole city"))
    return rows
