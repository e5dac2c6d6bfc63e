"""Disclosure control in portal mode: a layer request on the published (cell-key perturbed) bundle, cold and warm."""

from __future__ import annotations

from pathlib import Path

from layers.settings import load_settings

from .common import Row, median_seconds


def bench_disclosure(settings, folder: Path, repeat: int = 5) -> list[Row]:
    """Portal vs planner `run_query` on Berlin (PLR, H3 9, H3 10), and the portal API request on H3 9.

    Cold: suppression plans forgotten (the first request of a layer, group and period); warm: plans cached, the layer
    itself recomputed (as with the app's cache off). The overhead is portal minus planner time for the same query.
    """
    from dashboard.app import create_app
    from layers.bundle import load_bundle
    from layers.query import check_query, run_query

    bundle = load_bundle(folder)
    portal = load_settings(settings.config_path, mode="portal", cache_type="NullCache")
    planner = load_settings(settings.config_path, mode="planner", cache_type="NullCache")
    period = bundle.periods[-1]
    rows = []
    for basis, target in (("planungsraum", 0.3), ("h3_9", 0.3), ("h3_10", None)):
        q = check_query(bundle, portal, "migration_share", basis, period, "origin_syria")
        run_query(bundle, planner, q)  # counts of the bundle in memory, as in a running app

        def cold():
            from layers.published_bundle import _PUBLISHED

            _PUBLISHED.clear()  # a new published bundle: its counts perturbed again
            run_query(bundle, portal, q)

        cold_s = median_seconds(cold, 3)
        warm_s = median_seconds(lambda: run_query(bundle, portal, q), repeat)
        plain_s = median_seconds(lambda: run_query(bundle, planner, q), repeat)
        hidden = int(run_query(bundle, portal, q).values["suppressed"].sum())
        rows.append(Row(f"portal layer request {basis}, cold (counts perturbed)", f"< {target * 1000:.0f} ms" if target else "–",
                        f"{cold_s * 1000:.0f} ms", cold_s < target if target else None, "migration_share, origin_syria"))
        rows.append(Row(f"portal layer request {basis}, warm (published counts cached)", f"< {target * 1000:.0f} ms" if target else "–",
                        f"{warm_s * 1000:.0f} ms", warm_s < target if target else None,
                        f"overhead vs planner {max(warm_s - plain_s, 0) * 1000:.0f} ms; {hidden:,} hidden"))
    client = create_app(portal, folder).server.test_client()
    url = f"/api/v1/layers/migration_share?res=9&period={period}&group=mig_bg_age_0_6"
    api_cold = median_seconds(lambda: client.get(url), 1)
    api_warm = median_seconds(lambda: client.get(url), repeat)
    rows.append(Row("portal API /api/v1/layers res 9 (JSON), cold", "< 300 ms", f"{api_cold * 1000:.0f} ms", api_cold < 0.3))
    rows.append(Row("portal API /api/v1/layers res 9 (JSON), warm", "< 300 ms", f"{api_warm * 1000:.0f} ms", api_warm < 0.3,
                    "app cache off: layer recomputed"))
    return rows


def bench_attacker(settings, folder: Path) -> list[Row]:
    """The automated attacker (tests/adversary.py) against a portal on Berlin, every migration group and level, the last
    two Stichtage: relations it used, hidden counts, exact recoveries (target 0); and the same attack on a weak
    publication (exact values, primary rule only) to show it has teeth."""
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/ beside the package
    from dashboard.app import create_app
    from layers.bundle import load_bundle
    from tests.adversary import Disclosure, attack, gather_http, group_columns, truth_of
    from tests.test_adversary import _weak_outputs

    bundle = load_bundle(folder)
    levels = [lvl.id for lvl in bundle.levels]
    num, den = group_columns(bundle)
    periods = bundle.periods[-2:]
    with tempfile.TemporaryDirectory(prefix="qa-secret-") as tmp:
        portal = load_settings(settings.config_path, mode="portal", cache_type="NullCache", rate_limit_api="", rate_limit_downloads="",
                               access_log=False, cell_key_secret_file=str(Path(tmp) / "s"))
        client = create_app(portal, folder).server.test_client()
        outputs, disclosure = gather_http(client, periods, levels, list(num))
    report = attack(outputs, disclosure, levels, truth_of(bundle), num, den)
    weak = attack(_weak_outputs(bundle, periods, levels, list(num)), Disclosure(), levels, truth_of(bundle), num, den)
    used = "; ".join(f"{k} {v:,}" for k, v in report.relations.items())
    return [
        Row("attacker: hidden counts recovered exactly (portal, Berlin)", "0", f"{len(report.recovered)} of {report.hidden:,}",
            len(report.recovered) == 0, f"{len(outputs):,} answers, {len(periods)} Stichtage × {len(levels)} levels × {len(num)} groups; "
            f"{report.chance_matches} chance matches (not recoveries); {report.seconds:.0f} s"),
        Row("attacker: true counts of shown areas pinned (portal)", "0", f"{len(report.pinned_published)}", not report.pinned_published,
            f"relations: {used}"),
        Row("attacker on a weak publication (exact, primary rule only)", "> 0 (the attack works)",
            f"{len(weak.recovered)} of {weak.hidden:,}", len(weak.recovered) > 0, f"wrong pins {weak.wrong_pins}"),
    ]
