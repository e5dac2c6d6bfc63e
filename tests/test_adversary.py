"""The automated attacker (tests/adversary.py) against a weak publication (it must succeed: the attacker works) and
against the portal on the demo city and real Berlin (it must recover nothing)."""

from __future__ import annotations

from dashboard.app import create_app
from layers.query import check_query, run_query
from layers.settings import load_settings
from tests.adversary import COUNT_LAYER, SHARE_LAYER, Disclosure, Output, attack, gather_http, group_columns, truth_of


def _portal_client(bundle, settings, tmp_path):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", rate_limit_api="", rate_limit_downloads="",
                      access_log=False, cache_type="NullCache", cell_key_secret_file=str(tmp_path / "secret"))
    return create_app(s, bundle.folder).server.test_client()


def _weak_outputs(bundle, periods, levels, groups) -> list[Output]:
    """Exact values with only the primary rule (what a portal without perturbation or secondary suppression would show)."""
    planner = load_settings(mode="planner")
    out = []
    for layer in (COUNT_LAYER, SHARE_LAYER):
        for level in levels:
            for period in periods:
                for group in groups:
                    v = run_query(bundle, planner, check_query(bundle, planner, layer, level, period, group)).values
                    hidden = v["suppressed"].astype(bool)
                    out.append(Output(layer, level, period, group, v["value"].where(~hidden), v["residents"].where(~hidden), hidden))
    return out


def test_the_attacker_recovers_hidden_counts_from_a_weak_publication(demo_bundle):
    levels = [lvl.id for lvl in demo_bundle.levels]
    groups = ["mig_bg", "foreign", "german_mig_bg"]
    num, den = group_columns(demo_bundle)
    outputs = _weak_outputs(demo_bundle, demo_bundle.periods[-1:], levels, groups)
    report = attack(outputs, Disclosure(max_noise=0, round_to=1), levels, truth_of(demo_bundle), num, den)
    assert report.hidden > 0
    assert len(report.recovered) > 0, "the attacker must break a publication without secondary suppression or noise"
    assert report.wrong_pins == 0  # its reasoning is sound: whatever it pins is the truth


def test_portal_demo_city_every_output_recovers_nothing(demo_bundle, settings, tmp_path):
    levels = [lvl.id for lvl in demo_bundle.levels]
    num, den = group_columns(demo_bundle)
    client = _portal_client(demo_bundle, settings, tmp_path)
    outputs, disclosure = gather_http(client, demo_bundle.periods, levels, list(num))
    assert disclosure.max_noise == 5 and len(outputs) == 2 * len(levels) * len(demo_bundle.periods) * len(num)
    report = attack(outputs, disclosure, levels, truth_of(demo_bundle), num, den)
    assert report.hidden > 0 and sum(report.relations.values()) > 1000
    assert report.recovered == [], f"hidden counts recovered exactly: {report.recovered[:5]}"
    assert report.pinned_published == [], f"true counts of shown areas pinned: {report.pinned_published[:5]}"


def test_portal_berlin_recovers_nothing(berlin_bundle, settings, tmp_path):
    levels = [lvl.id for lvl in berlin_bundle.levels]
    num, den = group_columns(berlin_bundle)
    client = _portal_client(berlin_bundle, settings, tmp_path)
    groups = ["mig_bg", "foreign", "german_mig_bg", *[g for g in num if g.startswith("mig_bg_age_")]]
    outputs, disclosure = gather_http(client, berlin_bundle.periods[-1:], levels, groups)
    report = attack(outputs, disclosure, levels, truth_of(berlin_bundle), num, den)
    assert report.hidden > 100
    assert report.recovered == [], f"hidden counts recovered exactly: {report.recovered[:5]}"
    assert report.pinned_published == []
    # the same attack on a weak publication of the same figures recovers hidden counts: the attack is not toothless here
    weak = attack(_weak_outputs(berlin_bundle, berlin_bundle.periods[-1:], levels, groups[:3]), Disclosure(), levels,
                  truth_of(berlin_bundle), num, den)
    assert len(weak.recovered) > 0 and weak.wrong_pins == 0
