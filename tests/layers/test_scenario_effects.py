"""Site suggestion (greedy maximal coverage) and scenario effects, on the demo city and on real Berlin (Neukölln)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers.scenario import Housing, NewFacility, Scenario, Site, need_weight_keys, scenario_effects, suggest_sites
from layers.scenario.effect_measures import _dissim
from layers.scenario.suggest import cell_need, covered_need
from layers.segregation import index_table
from layers.spatial.routing import StraightLineRouter


def test_greedy_hand_example(settings, demo_bundle):
    """On a hand-made need vector the greedy pick is the candidate covering most unserved need, then the next best on what is left."""
    proposals = suggest_sites(demo_bundle, settings, "meeting_place", k=3, res=9)
    assert [p.rank for p in proposals] == [1, 2, 3]
    gains = [p.gain_need for p in proposals]
    assert gains == sorted(gains, reverse=True) and gains[0] > 0
    again = suggest_sites(demo_bundle, settings, "meeting_place", k=3, res=9)
    assert [p.cell for p in again] == [p.cell for p in proposals]  # deterministic
    total = covered_need(demo_bundle, settings, "meeting_place", [p.cell for p in proposals])
    assert total == pytest.approx(sum(gains), rel=1e-9)  # the gains add up to what the k sites cover together


def test_suggestion_covers_more_need_than_random_sites(settings, demo_bundle):
    k = 3
    proposals = suggest_sites(demo_bundle, settings, "kita", k=k, res=9)
    chosen = covered_need(demo_bundle, settings, "kita", [p.cell for p in proposals])
    rng = np.random.default_rng(2024)
    cells = demo_bundle.cells(9)
    random = [covered_need(demo_bundle, settings, "kita", list(rng.choice(cells, k, replace=False))) for _ in range(50)]
    assert chosen > 0 and chosen >= max(random) and chosen > 1.5 * np.mean(random)


def test_need_weights_and_keys(settings, demo_bundle):
    keys = need_weight_keys(demo_bundle)
    assert {"residents", "children_under_6", "migration_background", "child_poverty"} <= set(keys)
    n = cell_need(demo_bundle, 9, demo_bundle.periods[-1], {"children_under_6": 2.0})
    c = demo_bundle.counts(__import__("layers.spatial.basis", fromlist=["Basis"]).Basis(res=9), demo_bundle.periods[-1]).frame
    assert n["need"].sum() == pytest.approx(2.0 * c["age_0_6"].sum())
    with pytest.raises(KeyError, match="unknown need weight"):
        cell_need(demo_bundle, 9, demo_bundle.periods[-1], {"shoe_size": 1.0})


def test_accepting_a_proposal_serves_the_need_it_promised(settings, demo_bundle):
    top = suggest_sites(demo_bundle, settings, "meeting_place", k=1, res=9)[0]
    s = Scenario("", (NewFacility(Site("cell", top.lon, top.lat, top.cell), "meeting_place", 40),))
    e = scenario_effects(demo_bundle, settings, s).to_frame().set_index("key")
    assert e.loc["covered_need_meeting_place", "difference"] == pytest.approx(top.gain_need, rel=1e-6)
    assert suggest_sites(demo_bundle, settings, "meeting_place", k=1, res=9, scenario=s)[0].cell != top.cell


def test_straight_line_router_is_what_suggest_uses(settings, demo_bundle):
    a = suggest_sites(demo_bundle, settings, "kita", 2, res=9)
    b = suggest_sites(demo_bundle, settings, "kita", 2, res=9, router=StraightLineRouter(settings.detour_factor))
    assert [p.cell for p in a] == [p.cell for p in b]


def test_dissimilarity_kernel_equals_segregation_table(demo_bundle, settings):
    from layers.segregation.groups import get_group, group_frame
    from layers.spatial.basis import Basis

    period = demo_bundle.periods[-1]
    gf, _ = group_frame(demo_bundle, Basis(level="block"), period, get_group(demo_bundle, "mig_bg"))
    table = index_table(demo_bundle, "block", "mig_bg").set_index(["period", "area"])
    assert _dissim(gf) == pytest.approx(table.loc[(period, "city"), "dissim"])
    x, t = gf["x"].to_numpy(), gf["t"].to_numpy()
    by_hand = 0.5 * np.abs(x / x.sum() - (t - x) / (t - x).sum()).sum()
    assert _dissim(gf) == pytest.approx(by_hand)


# --- real Berlin ------------------------------------------------------------------------------------------

def test_200_flats_in_neukoelln_raise_kita_demand(settings, berlin_bundle):
    plr = "08100311"  # Reuterplatz (Bezirk 08 Neukölln)
    assert berlin_bundle.ancestor("bezirk")[plr] == "08"
    p = berlin_bundle.units_of("planungsraum").loc[plr, "geometry"].representative_point()
    s = Scenario("200 Wohnungen Reuterplatz", (Housing(Site("point", float(p.x), float(p.y)), 200, 2.0),))
    e = scenario_effects(berlin_bundle, settings, s, "2024-12-31")
    f = e.to_frame().set_index(["key", "scope_id"])
    assert f.loc[("residents", plr), "difference"] == pytest.approx(400.0)
    assert f.loc[("residents", "city"), "difference"] == pytest.approx(400.0)
    ref = berlin_bundle.counts(__import__("layers.spatial.basis", fromlist=["Basis"]).Basis(level="planungsraum"), "2024-12-31").frame.loc[plr]
    kids = 400.0 * ref["age_0_6"] / ref["pop_total"]
    assert f.loc[("children_under_6", plr), "difference"] == pytest.approx(kids)
    rate = (3 * settings.kita_take_up_under_3 + 3 * settings.kita_take_up_3_6) / 6
    assert f.loc[("kita_demand", plr), "difference"] == pytest.approx(kids * rate, rel=1e-6)
    assert f.loc[("kita_demand", "08"), "difference"] == pytest.approx(kids * rate, rel=1e-6)
    assert f.loc[("kita_places_per_100", plr), "difference"] < 0  # more children, same places
    low, high = f.loc[("kita_demand", plr), ["low", "high"]]
    assert low < f.loc[("kita_demand", plr), "scenario"] < high
    assert ("dissimilarity", "city") in f.index and ("dissimilarity", "08") in f.index
    assert any(k == "school_children_6_12" for k, _ in f.index)
    assert pd.notna(f.loc[("mig_bg_share", plr), "scenario"])
    assert e.assumptions and all(de and en for de, en in e.assumptions)


def test_kita_effects_equal_the_kita_layer_on_units(settings, demo_bundle):
    """The effect cards' Kita figures are the 2SFCA layer's own unit and district values (access_on), for baseline and scenario."""
    from layers.education.kita import access_on
    from layers.education.params import EducationParams
    from layers.scenario import with_scenario
    from layers.spatial.basis import Basis

    f = demo_bundle.counts(Basis(level="block"), demo_bundle.periods[-1]).frame
    unit = str(f.index[f["pop_total"] >= 600][0])
    district = demo_bundle.ancestor("bezirk")[unit]
    p = demo_bundle.units_of("block").loc[unit, "geometry"].representative_point()
    s = Scenario("", (Housing(Site("point", float(p.x), float(p.y)), 150, 2.2),))
    e = scenario_effects(demo_bundle, settings, s).to_frame().set_index(["key", "scope_id"])
    params = EducationParams.from_settings(settings)
    for col, b in (("baseline", demo_bundle), ("scenario", with_scenario(demo_bundle, s, settings=settings))):
        for level, scope in (("block", unit), ("bezirk", district)):
            acc, _ = access_on(b, Basis(level=level), demo_bundle.periods[-1], params)
            assert e.loc[("kita_demand", scope), col] == pytest.approx(acc.loc[scope, "demand"])
            assert e.loc[("kita_places_per_100", scope), col] == pytest.approx(100 * acc.loc[scope, "access"])


def test_green_effects_equal_the_public_space_layer(settings, demo_bundle):
    """Incremental usage pressure (baseline reach + new residents near each space) equals a full recomputation on the overlay."""
    from layers.public_space.supply import pressure_on_basis, supply
    from layers.scenario import with_scenario
    from layers.spatial.basis import Basis
    from layers.standards import Params

    period = demo_bundle.periods[-1]
    sp = supply(demo_bundle, Basis(level="block"), period)[0]
    unit = str(sp.index[(sp["park_m2"] > 0) & (sp["residents"] > 300)][0])
    p = demo_bundle.units_of("block").loc[unit, "geometry"].representative_point()
    s = Scenario("", (Housing(Site("point", float(p.x), float(p.y)), 300, 2.0),))
    e = scenario_effects(demo_bundle, settings, s).to_frame().set_index(["key", "scope_id"])
    params = Params.from_settings(settings)
    for col, b in (("baseline", demo_bundle), ("scenario", with_scenario(demo_bundle, s, settings=settings))):
        pr, _ = pressure_on_basis(b, Basis(level="block"), period, params)
        assert e.loc[("green_pressure", unit), col] == pytest.approx(pr.loc[unit, "pressure"])
        sup, _ = supply(b, Basis(level="block"), period)
        assert e.loc[("green_m2_per_resident", unit), col] == pytest.approx(sup.loc[unit, "park_m2"] / sup.loc[unit, "residents"])
    assert e.loc[("green_pressure", unit), "difference"] > 0


def test_meeting_places_count_the_neighbourhood_centres_already_there(settings, berlin_bundle, monkeypatch):
    """Berlin's neighbourhood centres serve as meeting places: counting them leaves less unserved need, and the first
    proposal lies farther from any centre than without them."""
    from layers.infrastructure.access import facility_points
    from layers.scenario import suggest as suggest_module
    from layers.spatial.routing import to_metric_xy

    centres = facility_points(berlin_bundle)
    centres = centres[centres["type"] == "community_centre"][["x", "y"]].to_numpy(dtype=float)
    assert len(centres) > 100

    def nearest_centre(p) -> float:
        x, y = to_metric_xy(np.array([p.lon]), np.array([p.lat]))[0]
        return float(np.hypot(centres[:, 0] - x, centres[:, 1] - y).min())

    counted = suggest_sites(berlin_bundle, settings, "meeting_place", k=3, res=9)
    monkeypatch.setattr(suggest_module, "SERVED_BY", {})
    ignored = suggest_sites(berlin_bundle, settings, "meeting_place", k=3, res=9)
    assert sum(p.gain_need for p in counted) < sum(p.gain_need for p in ignored)
    assert nearest_centre(counted[0]) > nearest_centre(ignored[0])


def test_proposals_stay_in_the_chosen_district(settings, berlin_bundle):
    from layers.spatial.geometry import locate_points

    proposals = suggest_sites(berlin_bundle, settings, "kita", k=3, res=9, district="08")
    assert len(proposals) == 3
    units = locate_points(berlin_bundle, [p.lon for p in proposals], [p.lat for p in proposals])
    assert all(str(u).startswith("08") for u in units), units
    city = suggest_sites(berlin_bundle, settings, "kita", k=3, res=9)
    assert [p.cell for p in city] != [p.cell for p in proposals] or all(p.unit_id.startswith("08") for p in city)


def test_an_unknown_district_is_an_error_not_an_empty_answer(settings, berlin_bundle):
    with pytest.raises(KeyError, match="no district '99'"):
        suggest_sites(berlin_bundle, settings, "kita", k=1, res=9, district="99")
