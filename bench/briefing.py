"""Briefing and area-profile benchmarks on real Berlin: server-side rendering time, cold (new app) and warm (cached results)."""

from __future__ import annotations

from pathlib import Path

from .common import Row, timed

BRIEFING = "/briefing?layer=migration_share&basis=bezirksregion&sel=011001"
PROFILE = "/area/011001"


def bench_briefing(settings, folder: Path) -> list[Row]:
    from dashboard.app import create_app

    rows = []
    for name, url, target_cold in (("briefing of one Bezirksregion (2 SVG maps, 6 figures, text, QR)", BRIEFING, 5.0),
                                   ("area profile of one Bezirksregion (8 figures × 8 periods, facilities, context)", PROFILE, 15.0)):
        client = create_app(settings, folder).server.test_client()
        resp, cold = timed(lambda: client.get(url))
        assert resp.status_code == 200, resp.data[:300]
        _, warm = timed(lambda: client.get(url))
        size = len(resp.data) / 1024
        rows.append(Row(f"{name}, cold", f"< {target_cold:.0f} s", f"{cold:.2f} s", cold < target_cold, f"{size:,.0f} KiB HTML"))
        rows.append(Row(f"{name}, warm (cached layer results)", "< 1 s", f"{warm:.2f} s", warm < 1.0, ""))
    return rows
