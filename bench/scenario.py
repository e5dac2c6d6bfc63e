"""Scenario benchmarks on real Berlin: one housing intervention recomputes the affected layers at H3 res 9; site suggestion k = 5."""

from __future__ import annotations

import statistics
from pathlib import Path

from .common import Row, timed

# Layers a housing intervention changes and the scenario panel shows first (Kita and school demand, composition, access, green).
KEY_LAYERS = ("migration_share", "migration_count", "education_kita_ratio", "education_kita_fca", "education_kita_unserved",
              "education_catchment_children", "infra_coverage", "public_green_per_resident", "public_usage_pressure")
PLACEMENTS = ("08100311", "08200623", "08401242", "01100101", "04300414", "12500930", "07400824")  # PLR ids (Neukölln first)


def bench_scenario(settings, folder: Path) -> list[Row]:
    from layers.bundle import Bundle
    from layers.query import check_query, run_query
    from layers.registry import REGISTRY
    from layers.scenario import Housing, Scenario, Site, scenario_effects, suggest_sites, with_scenario

    bundle = Bundle(folder)
    plr = bundle.units_of("planungsraum")
    sites = [plr.loc[p, "geometry"].representative_point() for p in PLACEMENTS if p in plr.index]
    all_layers = tuple(REGISTRY)
    queries = {lid: check_query(bundle, settings, lid, "h3_9", None) for lid in all_layers}
    for q in queries.values():  # warm baseline caches
        run_query(bundle, settings, q)
    key_times, all_times, per_layer, overlay_times, effect_times = [], [], {lid: [] for lid in all_layers}, [], []
    for n, p in enumerate(sites):
        s = Scenario("", (Housing(Site("point", float(p.x), float(p.y)), 200 + n, 2.0),))
        _, t_overlay = timed(lambda: with_scenario(bundle, s, settings=settings))
        overlay_times.append(t_overlay)
        total_key = t_overlay
        total_all = t_overlay
        for lid in all_layers:
            _, secs = timed(lambda: run_query(bundle, settings, queries[lid], s))
            per_layer[lid].append(secs)
            total_all += secs
            if lid in KEY_LAYERS:
                total_key += secs
        key_times.append(total_key)
        all_times.append(total_all)
        _, secs = timed(lambda: scenario_effects(bundle, settings, s))
        effect_times.append(secs)
    med = statistics.median
    slow = sorted(((med(v), lid) for lid, v in per_layer.items()), reverse=True)[:5]
    rows = [
        Row(f"one housing intervention → {len(KEY_LAYERS)} key layers, Berlin H3 res 9 (median of {len(sites)} sites, scenario cold)", "< 300 ms",
            f"{med(key_times) * 1000:.0f} ms", med(key_times) < 0.3, f"overlay {med(overlay_times) * 1000:.0f} ms; layers: " + ", ".join(KEY_LAYERS)),
        Row(f"one housing intervention → all {len(all_layers)} layers, Berlin H3 res 9 (median, scenario cold)", "< 300 ms",
            f"{med(all_times) * 1000:.0f} ms", med(all_times) < 0.3,
            "slowest: " + ", ".join(f"{lid} {t * 1000:.0f} ms" for t, lid in slow)),
        Row("scenario effects (cards: baseline, scenario, low, high), Berlin, median", "< 1 s", f"{med(effect_times) * 1000:.0f} ms",
            med(effect_times) < 1.0, "includes the low and high variants"),
    ]
    for res in (9,):
        for kind in ("meeting_place", "kita"):
            suggest_sites(bundle, settings, kind, 1, res=res)  # warm distances and counts of the baseline
            props, secs = timed(lambda: suggest_sites(bundle, settings, kind, 5, res=res))
            rows.append(Row(f"suggest k = 5 sites for a new {kind}, Berlin H3 res {res}", "< 5 s", f"{secs:.2f} s", secs < 5,
                            f"top gain {props[0].gain_need:,.0f} need-weighted persons ({props[0].unit_name})" if props else "no unserved need"))
        fresh = Bundle(folder)
        props, secs = timed(lambda: suggest_sites(fresh, settings, "meeting_place", 5, res=9))
        rows.append(Row("suggest k = 5 meeting places, Berlin H3 res 9, cold bundle", "< 5 s", f"{secs:.2f} s", secs < 5, ""))
    return rows
