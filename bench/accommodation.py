"""Benchmarks of accommodation and housing: distribution tables, site screening and suggestions, the accommodation scenario.

The demo city at Berlin size (3.9 million residents, with sites and housing stock) and the real Berlin bundle (no open
site list; screening and suggestions still run on its 12,000 facilities and stops).
"""

from __future__ import annotations

from pathlib import Path

from .common import Row, timed


def bench_accommodation(settings, berlin_folder: Path) -> list[Row]:
    from layers.accommodation import Candidate, area_table, change_table, large_from, screen, suggest
    from layers.build import build_city
    from layers.bundle import Bundle
    from layers.housing import evenness
    from layers.scenario import NewAccommodation, Scenario, Site, scenario_effects
    from layers.settings import load_settings, using_settings
    from layers.standards import Params

    s = load_settings(settings.config_path, bundle_dir=str(berlin_folder.parent))  # the demo city beside Berlin in the work folder
    demo = Bundle(build_city(s, "demo", size="berlin", log=lambda *_: None))
    berlin = Bundle(berlin_folder)
    rows: list[Row] = []
    with using_settings(s):
        period = demo.periods[-1]
        level = demo.levels[1].id
        table, secs = timed(lambda: area_table(demo, level, period, Params.from_settings(s), large_from()))
        rows.append(Row(f"distribution table, demo city size berlin ({len(table)} areas, context and supply)", "< 5 s", f"{secs:.2f} s",
                        secs < 5, f"{int(table['places'].sum()):,} places"))
        _, secs = timed(lambda: change_table(demo, level, large_from()))
        rows.append(Row("change table over the Stichtage (places, Gini)", "< 2 s", f"{secs:.2f} s", secs < 2))
        _, secs = timed(lambda: evenness(demo, period))
        rows.append(Row("evenness of subsidised housing (city and districts)", "< 2 s", f"{secs:.2f} s", secs < 2))
        bp = berlin.periods[-1]
        found, secs = timed(lambda: suggest(berlin, bp, s, 3, None))
        rows.append(Row("3 suggested sites, Berlin (every res-9 cell with residents screened)", "< 5 s", f"{secs:.2f} s", secs < 5))
        cands = [Candidate(13.3 + 0.01 * i, 52.45 + 0.005 * i) for i in range(20)]
        _, secs = timed(lambda: screen(berlin, cands, bp, s))
        rows.append(Row("screen 20 candidate sites, Berlin", "< 1 s", f"{secs * 1000:.0f} ms", secs < 1))
        site = Scenario("b", (NewAccommodation(Site("point", found[0].lon, found[0].lat), 300),))
        _, secs = timed(lambda: scenario_effects(berlin, s, site, bp))
        rows.append(Row("effects of a 300-place site, Berlin (central, low, high)", "< 20 s", f"{secs:.1f} s", secs < 20))
    return rows
