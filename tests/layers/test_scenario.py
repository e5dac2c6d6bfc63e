"""Scenario model, overlay and comparison: empty = baseline, residents by mix, Kita 2SFCA locality, bad input, store."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from layers.bundle.schema import AGE_BANDS
from layers.education.kita import kita_access
from layers.education.params import EducationParams
from layers.query import ParameterError, check_query, run_query
from layers.registry import REGISTRY
from layers.scenario import (
    FacilityChange,
    Housing,
    NewFacility,
    Scenario,
    ScenarioError,
    ScenarioStore,
    Site,
    compare_layer,
    result_for_view,
    scenarios_touching,
    validate_scenario,
    with_scenario,
)
from layers.scenario.residents import resident_mix
from layers.scenario.sites import place_site
from layers.spatial.basis import Basis
from layers.spatial.h3grid import cells_to_hex, points_to_cells
from layers.spatial.routing import cell_centres_xy, to_metric_xy


def _site_in(bundle, unit_id: str) -> Site:
    level = bundle.units.set_index("unit_id").loc[unit_id, "level"]
    p = bundle.units_of(level).loc[unit_id, "geometry"].representative_point()
    return Site("point", float(p.x), float(p.y))


def _populated_unit(bundle, min_residents: float = 600.0) -> str:
    f = bundle.counts(Basis(level=bundle.finest_level.id), bundle.periods[-1]).frame
    return str(f.index[f["pop_total"] >= min_residents][0])


# --- model --------------------------------------------------------------------------------------------

def _ten() -> Scenario:
    s = Scenario("Zehn Eingriffe: Neukölln Süd")
    for n in range(4):
        s = s.with_intervention(Housing(Site("point", 13.43 + n / 1000, 52.47 + n / 1000), 200 + n, 2.1, 0.3, "new_build", label=f"Baufeld {n}"))
    for n in range(3):
        s = s.with_intervention(NewFacility(Site("cell", 13.44, 52.48, "891f1d4a9b7ffff"), "meeting_place", 40 + n, label="Treffpunkt"))
    for n in range(3):
        s = s.with_intervention(FacilityChange(f"kita-0810{n}", capacity=None, closed=True))
    return s


def test_json_and_url_round_trip():
    s = _ten()
    assert Scenario.from_json(s.to_json()) == s
    param = s.to_url_param()
    assert len(param) < 1000 and all(ch.isalnum() or ch in "-_" for ch in param)
    assert Scenario.from_url_param(param) == s
    assert Scenario.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    assert s.fingerprint() == Scenario("other name", s.interventions).fingerprint()
    assert s.fingerprint() != s.without(0).fingerprint()


def test_editing_is_by_index_and_leaves_the_original():
    s = _ten()
    h = Housing(Site("unit", id="08100311"), 10)
    assert s.replaced(1, h).interventions[1] == h and s.interventions[1] != h
    assert len(s.without(9)) == 9 and len(s) == 10
    assert Scenario().is_empty and not s.is_empty
    with pytest.raises(IndexError):
        s.without(10)


@pytest.mark.parametrize("doc, message", [
    ({"interventions": [{"kind": "housing", "site": {"kind": "point", "lon": 13.4, "lat": 52.5}, "dwellings": "zweihundert"}]},
     "intervention 1 (housing), field 'dwellings': 'zweihundert' is not a number"),
    ({"interventions": [{"kind": "housing", "site": {"kind": "point", "lon": 13.4}, "dwellings": 5}]}, "field 'site'"),
    ({"interventions": [{"kind": "park", "site": {}}]}, "intervention 1, field 'kind'"),
    ({"interventions": [{"kind": "facility", "site": {"kind": "point", "lon": 13.4, "lat": 52.5}, "facility_type": "kita"}]},
     "field 'capacity': is missing"),
    ({"interventions": [{"kind": "housing", "site": {"kind": "point", "lon": 13.4, "lat": 52.5}, "dwellings": 2.5}]}, "not a whole number"),
    ({"interventions": {"kind": "housing"}}, "'interventions' must be a list"),
    ([1, 2], "expected a JSON object"),
])
def test_malformed_dicts_name_intervention_and_field(doc, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        Scenario.from_dict(doc, "scenario.json")
    assert str(err.value).startswith("scenario.json")


def test_malformed_text_and_link():
    with pytest.raises(ScenarioError, match="not valid JSON"):
        Scenario.from_json("{name: 1", "x.json")
    with pytest.raises(ScenarioError, match="scenario link"):
        Scenario.from_url_param("1!!!not-base64")


# --- empty scenario = baseline -------------------------------------------------------------------------

def test_empty_scenario_is_the_baseline_object(demo_bundle):
    assert with_scenario(demo_bundle, None) is demo_bundle
    assert with_scenario(demo_bundle, Scenario("nichts")) is demo_bundle


@pytest.mark.parametrize("basis_key", ["block", "quartier", "h3_9", "h3_8"])
def test_empty_scenario_equals_baseline_for_every_layer(settings, demo_bundle, basis_key):
    for layer_id in REGISTRY:
        q = check_query(demo_bundle, settings, layer_id, basis_key, None)
        base = run_query(demo_bundle, settings, q)
        empty = run_query(demo_bundle, settings, q, Scenario("leer"))
        pd.testing.assert_frame_equal(empty.values, base.values, check_exact=True, obj=layer_id)
        view = result_for_view(demo_bundle, settings, q, Scenario(), "scenario")
        pd.testing.assert_frame_equal(view.values, base.values, check_exact=True, obj=layer_id)


def test_every_layer_responds_to_a_scenario_and_runs(settings, demo_bundle):
    unit = _populated_unit(demo_bundle)
    s = Scenario("", (Housing(_site_in(demo_bundle, unit), 200, 2.0), NewFacility(_site_in(demo_bundle, unit), "kita", 80)))
    changed = []
    for layer_id in REGISTRY:
        q = check_query(demo_bundle, settings, layer_id, "h3_9", None)
        base, scen = run_query(demo_bundle, settings, q), run_query(demo_bundle, settings, q, s)
        assert scen.values.index.equals(base.values.index), layer_id
        if not scen.values["value"].fillna(-1e9).equals(base.values["value"].fillna(-1e9)):
            changed.append(layer_id)
    for must in ("migration_count", "education_kita_fca", "education_kita_ratio", "infra_coverage", "public_usage_pressure"):
        assert must in changed


# --- residents by mix -----------------------------------------------------------------------------------

@pytest.mark.parametrize("basis", [Basis(level="block"), Basis(level="bezirk"), Basis(res=9), Basis(res=10), Basis(res=7)])
def test_200_dwellings_add_400_residents_in_the_site_only_demo(settings, demo_bundle, basis):
    unit = _populated_unit(demo_bundle)
    site = _site_in(demo_bundle, unit)
    s = Scenario("", (Housing(site, 200, 2.0, mix="new_build"),))
    o = with_scenario(demo_bundle, s, settings=settings)
    period = demo_bundle.periods[0]
    d = o.counts(basis, period).frame.sub(demo_bundle.counts(basis, period).frame, fill_value=0.0)
    nonzero = d.index[(d.abs() > 1e-9).any(axis=1)]
    if basis.is_h3:
        expected = cells_to_hex(points_to_cells(np.array([site.lat]), np.array([site.lon]), basis.res))[0]
    else:
        expected = demo_bundle.ancestor(basis.level)[unit] if basis.level != "block" else unit
    assert list(nonzero) == [expected]
    row = d.loc[expected]
    assert row["pop_total"] == pytest.approx(400.0, abs=1e-9)
    mix = settings.scenario_mix_new_build
    for band, share in zip(AGE_BANDS, mix):
        assert row[band] == pytest.approx(400.0 * share)
    assert row[list(AGE_BANDS)].sum() == pytest.approx(400.0)
    assert row["pop_mig_bg"] == pytest.approx(sum(row[f"mig_bg_{b}"] for b in AGE_BANDS))
    assert row["pop_mig_bg"] + row["pop_german_no_mig_bg"] == pytest.approx(400.0)


def test_reference_mix_is_the_reference_area_composition(settings, demo_bundle):
    """Hand check: with mix 'reference', band b gets 400 · ref_b / ref_total, and within it the reference's migration rate."""
    unit = _populated_unit(demo_bundle)
    ref = demo_bundle.counts(Basis(level="block"), demo_bundle.periods[-1]).frame.loc[unit]
    h = Housing(_site_in(demo_bundle, unit), 200, 2.0, reference_area=unit)
    add = resident_mix(demo_bundle, h, place_site(demo_bundle, h.site), "central", settings)
    for band in AGE_BANDS:
        assert add[band] == pytest.approx(400.0 * ref[band] / ref["pop_total"])
        assert add[f"mig_bg_{band}"] == pytest.approx(add[band] * ref[f"mig_bg_{band}"] / ref[band])
    assert add["pop_foreign"] == pytest.approx(add["pop_mig_bg"] * ref["pop_foreign"] / ref["pop_mig_bg"])


def test_low_and_high_variants_bracket_the_central_guess(settings, demo_bundle):
    unit = _populated_unit(demo_bundle)
    h = Housing(_site_in(demo_bundle, unit), 100, 2.0, mix="subsidised")
    placed = place_site(demo_bundle, h.site)
    lo, mid, hi = (resident_mix(demo_bundle, h, placed, v, settings) for v in ("low", "central", "high"))
    spread = settings.scenario_persons_spread
    assert (lo["pop_total"], mid["pop_total"], hi["pop_total"]) == pytest.approx((200 * (1 - spread), 200.0, 200 * (1 + spread)))
    assert lo["age_0_6"] < mid["age_0_6"] < hi["age_0_6"]
    for add in (lo, hi):
        assert add[list(AGE_BANDS)].sum() == pytest.approx(add["pop_total"])


def test_berlin_400_residents_exactly_in_the_cell_not_spread(settings, berlin_bundle):
    plr = "08100311"  # Reuterplatz, Neukölln
    site = _site_in(berlin_bundle, plr)
    s = Scenario("", (Housing(site, 200, 2.0),))
    o = with_scenario(berlin_bundle, s, settings=settings)
    period = berlin_bundle.periods[-1]
    for basis in (Basis(res=9), Basis(res=10), Basis(level="planungsraum"), Basis(level="bezirk")):
        base, scen = berlin_bundle.counts(basis, period), o.counts(basis, period)
        d = scen.frame["pop_total"].sub(base.frame["pop_total"], fill_value=0.0)
        assert d.sum() == pytest.approx(400.0) and (d.abs() > 1e-9).sum() == 1
        assert scen.interpolated_from == base.interpolated_from
    assert o.counts(Basis(level="bezirk"), period).frame.loc["08", "pop_total"] == pytest.approx(
        berlin_bundle.counts(Basis(level="bezirk"), period).frame.loc["08", "pop_total"] + 400.0)


# --- facilities -----------------------------------------------------------------------------------------

def test_new_kita_raises_2sfca_around_it_and_nowhere_farther_than_its_radius(settings, demo_bundle):
    params = EducationParams.from_settings(settings)
    unit = _populated_unit(demo_bundle)
    site = _site_in(demo_bundle, unit)
    s = Scenario("", (NewFacility(site, "kita", 60),))
    period = demo_bundle.periods[-1]
    base = kita_access(demo_bundle, 9, period, params).cells["access"]
    scen = kita_access(with_scenario(demo_bundle, s, settings=settings), 9, period, params).cells["access"].reindex(base.index)
    diff = scen - base
    cell = cells_to_hex(points_to_cells(np.array([site.lat]), np.array([site.lon]), 9))[0]
    assert diff[cell] > 0
    xy = cell_centres_xy(np.array([int(c, 16) for c in diff.index], dtype=np.uint64))
    walk = np.hypot(*(xy - to_metric_xy(np.array([site.lon]), np.array([site.lat]))).T) * params.detour_factor
    changed = diff.abs().to_numpy() > 1e-12
    assert changed.any() and (walk[changed] <= params.radius_m + 1e-6).all()
    assert (diff.to_numpy()[changed] > 0).all()


def test_closure_and_capacity_change_reach_the_facilities_table(settings, demo_bundle):
    fac = demo_bundle.table("facilities")
    kitas = fac[fac["type"] == "kita"]["facility_id"].astype(str).tolist()
    s = Scenario("", (FacilityChange(kitas[0], closed=True), FacilityChange(kitas[1], capacity=123),
                      NewFacility(_site_in(demo_bundle, _populated_unit(demo_bundle)), "meeting_place", 30, label="Kiezraum")))
    t = with_scenario(demo_bundle, s, settings=settings).table("facilities").set_index("facility_id")
    assert kitas[0] not in t.index and int(t.loc[kitas[1], "capacity"]) == 123
    assert t.loc["scenario-3", "type"] == "meeting_place" and t.loc["scenario-3", "name"] == "Kiezraum"
    assert len(t) == len(fac)  # one closed, one added
    assert len(demo_bundle.table("facilities")) == len(fac)  # the baseline is untouched


# --- bad input -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("intervention, message", [
    (Housing(Site("point", 0.0, 0.0), 10), "intervention 1 (housing), field 'site': the point (0.00000, 0.00000) lies outside the city"),
    (Housing(Site("unit", id="nope"), 10), "unknown unit id 'nope'"),
    (Housing(Site("cell", id="zzz"), 10), "is not an H3 cell"),
    (NewFacility(Site("point", 0.0, 0.0), "kita", 10), "outside the city"),
    (NewFacility(None, "spaceport", 10), "unknown facility type 'spaceport'"),
    (FacilityChange("no-such-kita", capacity=10), "unknown facility id 'no-such-kita'"),
    (FacilityChange("x", capacity=-1), "unknown facility id"),
])
def test_bad_sites_types_and_ids(settings, demo_bundle, intervention, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_scenario(demo_bundle, Scenario("", (intervention,)), settings)


@pytest.mark.parametrize("field, value, message", [
    ("dwellings", -5, "-5 is negative"), ("dwellings", 50_000, "implausibly large"), ("dwellings", 0, "add nobody"),
    ("persons_per_dwelling", 12.0, "outside the plausible range"), ("subsidised_share", 1.5, "not a share between 0 and 1"),
])
def test_absurd_housing_numbers(settings, demo_bundle, field, value, message):
    good = Housing(_site_in(demo_bundle, _populated_unit(demo_bundle)), 10)
    bad = Housing(**{**good.__dict__, field: value})
    with pytest.raises(ScenarioError, match=message) as err:
        validate_scenario(demo_bundle, Scenario("", (good, bad)), settings, source="scenario.json")
    assert f"scenario.json: intervention 2 (housing), field '{field}'" in str(err.value)


def test_negative_capacity_is_refused(settings, demo_bundle):
    kita = str(demo_bundle.table("facilities")["facility_id"].iloc[0])
    with pytest.raises(ScenarioError, match="field 'capacity': -3 is negative"):
        validate_scenario(demo_bundle, Scenario("", (FacilityChange(kita, capacity=-3),)), settings)


# --- compare ----------------------------------------------------------------------------------------------

def test_compare_difference_is_scenario_minus_baseline(settings, demo_bundle):
    unit = _populated_unit(demo_bundle)
    s = Scenario("", (Housing(_site_in(demo_bundle, unit), 200, 2.0),))
    q = check_query(demo_bundle, settings, "migration_count", "block", None)
    c = compare_layer(demo_bundle, settings, q, s)
    diff = c.difference.values["value"]
    assert diff[unit] == pytest.approx(c.scenario.values.loc[unit, "value"] - c.baseline.values.loc[unit, "value"])
    assert diff.drop(unit).abs().max() == 0.0
    assert c.low.values.loc[unit, "value"] < c.scenario.values.loc[unit, "value"] < c.high.values.loc[unit, "value"]
    view = result_for_view(demo_bundle, settings, q, s, "difference")
    pd.testing.assert_series_equal(view.values["value"], diff)
    with pytest.raises(ParameterError, match="'view'"):
        result_for_view(demo_bundle, settings, q, s, "sideways")


def test_portal_never_runs_scenarios(settings, demo_bundle):
    from dataclasses import replace

    portal = replace(settings, values={**settings.values, "mode": "portal"})
    q = check_query(demo_bundle, portal, "migration_share", "block", None)
    s = Scenario("", (Housing(_site_in(demo_bundle, _populated_unit(demo_bundle)), 10),))
    with pytest.raises(ParameterError, match="'scenario'"):
        run_query(demo_bundle, portal, q, s)
    with pytest.raises(ParameterError, match="'scenario'"):
        compare_layer(demo_bundle, portal, q, s)


# --- store ------------------------------------------------------------------------------------------------

def test_store_round_trip_list_delete(tmp_path, settings, demo_bundle):
    store = ScenarioStore(tmp_path / "scen", settings)
    unit = _populated_unit(demo_bundle)
    s = Scenario("200 Wohnungen am Süd-Park", (Housing(_site_in(demo_bundle, unit), 200, 2.0, 0.3, "new_build"),))
    info = store.save(s, demo_bundle)
    assert info.slug == "200-wohnungen-am-sued-park" and info.n_interventions == 1
    assert store.load(info.slug) == s
    assert [i.slug for i in store.list()] == [info.slug]
    assert [i.slug for i in scenarios_touching(demo_bundle, store, unit)] == [info.slug]
    top = demo_bundle.ancestor("bezirk")[unit]
    other = next(b for b in demo_bundle.units_of("bezirk").index if b != top)
    assert scenarios_touching(demo_bundle, store, top) and not scenarios_touching(demo_bundle, store, other)
    assert not list((tmp_path / "scen").glob("*.tmp"))
    store.delete(info.slug)
    assert store.list() == []


def test_store_refuses_bad_input_and_leaves_files_untouched(tmp_path, settings, demo_bundle):
    store = ScenarioStore(tmp_path / "scen", settings)
    good = Scenario("Gut", (Housing(_site_in(demo_bundle, _populated_unit(demo_bundle)), 20),))
    store.save(good, demo_bundle)
    before = (tmp_path / "scen" / "gut.json").read_bytes()
    with pytest.raises(ScenarioError, match="needs a name"):
        store.save(Scenario("  ", good.interventions), demo_bundle)
    bad = Scenario("Gut", (Housing(good.interventions[0].site, -5),))
    with pytest.raises(ScenarioError, match="-5 is negative"):
        store.save(bad, demo_bundle)
    assert (tmp_path / "scen" / "gut.json").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "scen").iterdir()) == ["gut.json"]
    (tmp_path / "scen" / "kaputt.json").write_text('{"name": "kaputt", "interventions": [{"kind": "housing"}]}', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^kaputt.json: intervention 1 \(housing\), field 'site'"):
        store.load("kaputt")
    with pytest.raises(ScenarioError, match="not a scenario name"):
        store.load("../etc/passwd")


def test_shared_and_incremental_caches_equal_a_full_recomputation(settings, demo_bundle):
    """Static caches follow the baseline only where the scenario cannot change them; incremental usage pressure is exact."""
    import importlib

    from layers.standards import Params

    access = importlib.import_module("layers.infrastructure.access")
    supply = importlib.import_module("layers.public_space.supply")

    unit = _populated_unit(demo_bundle)
    housing = Scenario("", (Housing(_site_in(demo_bundle, unit), 250, 2.0),))
    with_kita = housing.with_intervention(NewFacility(_site_in(demo_bundle, unit), "kita", 50))
    o_h, o_k = with_scenario(demo_bundle, housing, settings=settings), with_scenario(demo_bundle, with_kita, settings=settings)
    assert access.facility_points(o_h) is access.facility_points(demo_bundle)  # facilities unchanged: the baseline's cache
    assert "scenario-2" in set(access.facility_points(o_k)["facility_id"])  # facilities changed: computed on the overlay
    params = Params.from_settings(settings)
    period = demo_bundle.periods[-1]
    fast = supply.space_pressure(o_h, period, params)
    full = supply._space_pressure(o_h, period, params)  # the overlay's own counts, computed in full
    pd.testing.assert_frame_equal(fast.reset_index(drop=True), full.reset_index(drop=True), check_exact=False, rtol=1e-12)
    assert fast["residents_within"].sum() > supply.space_pressure(demo_bundle, period, params)["residents_within"].sum()
