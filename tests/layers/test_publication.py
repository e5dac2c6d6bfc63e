"""The portal's protection: cell-key perturbation (hand-made keys and counts), then the published bundle on the demo city
and real Berlin. The automated attacker lives in tests/test_adversary.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers import cellkey
from layers.disclosure import Rules, rules_from
from layers.published_bundle import PublishedBundle, published_bundle
from layers.query import check_query, run_query
from layers.registry import get_layer
from layers.settings import load_settings
from layers.spatial.basis import Basis

SECRET = b"0123456789abcdef0123456789abcdef"


# --- the p-table and cell keys (hand-made) ---------------------------------------------------------------------------

def test_p_table_is_symmetric_with_mean_zero_and_bounded():
    assert sum(cellkey.NOISE.values()) == pytest.approx(1.0)
    assert sum(v * p for v, p in cellkey.NOISE.items()) == pytest.approx(0.0)
    assert cellkey.MAX_NOISE == 5 and all(cellkey.NOISE[v] == cellkey.NOISE[-v] for v in cellkey.NOISE)
    # variance by hand: 2·(0.2·1 + 0.07·4 + 0.025·9 + 0.004·16 + 0.001·25) = 1.588
    assert cellkey.noise_variance() == pytest.approx(1.588)


def test_noise_follows_the_p_table():
    keys = (np.arange(100_000) + 0.5) / 100_000  # evenly spread cell keys
    drawn = pd.Series(cellkey.noise(keys)).value_counts(normalize=True)
    for value, p in cellkey.NOISE.items():
        assert drawn[value] == pytest.approx(p, abs=2e-4)


def test_zero_and_no_value_stay_and_nothing_goes_negative():
    counts = np.array([0.0, np.nan, 1.0, 2.0, 1000.0])
    out = cellkey.perturb(counts, np.array([0.0005, 0.5, 0.0005, 0.0005, 0.0005]))  # key 0.0005 → noise −5
    assert out[0] == 0 and np.isnan(out[1]) and out[2] == 0 and out[3] == 0 and out[4] == 995


def test_the_same_records_give_the_same_cell_key():
    counts = np.array([[10.0], [7.0], [3.0]])
    keys = cellkey.record_keys(SECRET, ["a", "b", "c"], "2024-12-31", ["pop_total"])
    alone = cellkey.cell_keys(counts, keys, None, 3)
    # a parent made of record "b" only has b's key; a parent of a+b has (10·k_a + 7·k_b) mod 2³² / 2³²
    grouped = cellkey.cell_keys(counts, keys, np.array([0, 1, 0]), 2)
    assert grouped[1, 0] == alone[1, 0]
    by_hand = ((10 * int(keys[0, 0]) + 3 * int(keys[2, 0])) % 2**32) / 2**32
    assert grouped[0, 0] == pytest.approx(by_hand, abs=1e-15)


def test_record_keys_depend_on_the_secret_period_and_column():
    a = cellkey.record_keys(SECRET, ["x", "y"], "2024-12-31", ["pop_total", "pop_mig_bg"])
    assert a.shape == (2, 2) and (a < 2**32).all()
    assert (a == cellkey.record_keys(SECRET, ["x", "y"], "2024-12-31", ["pop_total", "pop_mig_bg"])).all()
    assert (a != cellkey.record_keys(b"another secret of 32 bytes......", ["x", "y"], "2024-12-31", ["pop_total", "pop_mig_bg"])).all()
    assert (a != cellkey.record_keys(SECRET, ["x", "y"], "2023-12-31", ["pop_total", "pop_mig_bg"])).all()
    assert a[0, 0] != a[0, 1]


def test_secret_file_is_created_once_private_and_kept(tmp_path):
    path = tmp_path / "secret" / "cell-key.secret"
    first = cellkey.load_secret(path)
    assert len(first) == 32 and (path.stat().st_mode & 0o777) == 0o600
    assert cellkey.load_secret(path) == first
    with pytest.raises(FileNotFoundError):
        cellkey.load_secret(tmp_path / "missing", create=False)


def test_rules_from_settings():
    s = load_settings(min_count_overrides='{"migration_count": 10}', group_min_level='{"origin_": "bezirksregion"}')
    rules = rules_from(s)
    assert rules.min_cases_for(get_layer("migration_count")) == 10
    assert rules.min_cases_for(get_layer("migration_share")) == 3
    assert rules.finest_level_for("origin_syria") == "bezirksregion" and rules.finest_level_for("mig_bg") is None
    with pytest.raises(ValueError, match="min_count_overrides"):
        rules_from(load_settings(min_count_overrides="[1, 2"))
    with pytest.raises(ValueError, match="group_min_level"):
        rules_from(load_settings(group_min_level="[1]"))
    assert Rules().min_cases_for(get_layer("migration_share")) == 3


# --- the published bundle (demo city: units and H3 counted from address points) --------------------------------------

@pytest.fixture(scope="module")
def demo_published(demo_bundle):
    return published_bundle(demo_bundle, SECRET)


def test_published_counts_are_true_counts_plus_bounded_noise(demo_bundle, demo_published):
    period = demo_bundle.periods[-1]
    for basis in (Basis(level=demo_bundle.finest_level.id), Basis(level=demo_bundle.levels[0].id), Basis(res=9)):
        true = demo_bundle.counts(basis, period).frame
        pub = demo_published.counts(basis, period).frame.reindex(true.index)
        diff = (pub - true)[["pop_foreign", "pop_german_mig_bg", "age_0_6"]].to_numpy()
        finite = diff[np.isfinite(diff)]
        assert np.abs(finite).max() <= cellkey.MAX_NOISE + 1e-9
        # totals are raised where their published parts would not fit: never lower than true − 5
        raised = (pub - true)[["pop_total", "pop_mig_bg"]].to_numpy()
        assert np.nanmin(raised) >= -cellkey.MAX_NOISE
        assert (finite != 0).mean() > 0.3, f"{basis.key}: counts were not perturbed"
        assert ((true == 0) == (pub == 0))[["pop_total"]].to_numpy()[true["pop_total"].to_numpy() == 0].all()


def test_the_same_secret_gives_the_same_values_another_gives_others(demo_bundle, demo_published):
    period, basis = demo_bundle.periods[-1], Basis(res=9)
    again = PublishedBundle(demo_bundle, SECRET).counts(basis, period).frame
    assert again.equals(demo_published.counts(basis, period).frame)
    other = PublishedBundle(demo_bundle, b"another secret of 32 bytes......").counts(basis, period).frame
    assert not other.equals(again)
    assert published_bundle(demo_bundle, SECRET) is demo_published  # one object: caches are shared


def test_every_layer_shows_the_same_published_count(demo_bundle, settings, tmp_path):
    portal = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", cell_key_secret_file=str(tmp_path / "s"))
    period = demo_bundle.periods[-1]
    share = run_query(demo_bundle, portal, check_query(demo_bundle, portal, "migration_share", "h3_9", period, "mig_bg")).values
    count = run_query(demo_bundle, portal, check_query(demo_bundle, portal, "migration_count", "h3_9", period, "mig_bg")).values
    shown = share["value"].notna() & count["value"].notna()
    assert shown.sum() > 10
    assert np.allclose(share.loc[shown, "numerator"], count.loc[shown, "value"])
    # shares are derived from the published counts: recomputing them from the published numerator/denominator gives them back
    assert np.allclose(share.loc[shown, "value"], (100 * share["numerator"] / share["denominator"])[shown].round(3))


def test_no_value_from_fewer_than_the_minimum_in_truth_or_published(demo_bundle, settings, tmp_path):
    portal = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", cell_key_secret_file=str(tmp_path / "s"))
    planner = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="planner")
    period = demo_bundle.periods[-1]
    for basis in (demo_bundle.finest_level.id, "h3_9", "h3_10"):
        q = check_query(demo_bundle, portal, "migration_share", basis, period, "mig_bg")
        shown = run_query(demo_bundle, portal, q).values
        truth = run_query(demo_bundle, planner, q).values
        small = truth.index[truth["suppressed"].to_numpy(dtype=bool)]
        assert len(small) > 0
        assert shown.loc[small, "value"].isna().all() and shown.loc[small, "suppressed"].all()


def test_group_min_level_hides_fine_groups_below_it(demo_bundle, settings, tmp_path):
    levels = [lvl.id for lvl in demo_bundle.levels]
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", cell_key_secret_file=str(tmp_path / "s"),
                      group_min_level=f'{{"mig_bg_age_": "{levels[0]}"}}')
    period = demo_bundle.periods[-1]
    coarse = run_query(demo_bundle, s, check_query(demo_bundle, s, "migration_share", levels[0], period, "mig_bg_age_0_6")).values
    fine = run_query(demo_bundle, s, check_query(demo_bundle, s, "migration_share", levels[-1], period, "mig_bg_age_0_6")).values
    cells = run_query(demo_bundle, s, check_query(demo_bundle, s, "migration_share", "h3_9", period, "mig_bg_age_0_6")).values
    assert coarse["value"].notna().all()
    assert fine["value"].isna().all() and cells["value"].isna().all() and fine["suppressed"].all()


def test_parent_fallback_names_where_the_value_comes_from(demo_bundle, settings, tmp_path):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", suppression_fallback="parent",
                      cell_key_secret_file=str(tmp_path / "s"))
    plain = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", cell_key_secret_file=str(tmp_path / "s"))
    period, finest = demo_bundle.periods[-1], demo_bundle.finest_level.id
    with_fallback = run_query(demo_bundle, s, check_query(demo_bundle, s, "migration_share", finest, period, "mig_bg")).values
    hidden = run_query(demo_bundle, plain, check_query(demo_bundle, plain, "migration_share", finest, period, "mig_bg")).values
    gone = hidden.index[hidden["suppressed"].to_numpy(dtype=bool)]
    assert len(gone) > 0
    parent_of = demo_bundle.units.set_index("unit_id")["parent_id"]
    parents = run_query(demo_bundle, plain, check_query(demo_bundle, plain, "migration_share", demo_bundle.levels[-2].id, period, "mig_bg")).values
    for uid in gone:
        row = with_fallback.loc[uid]
        assert np.isnan(row["residents"]) and np.isnan(row["numerator"])  # counts stay hidden
        if row["fallback_from"]:
            assert row["fallback_from"] == parent_of[uid] and row["value"] == pytest.approx(parents.loc[row["fallback_from"], "value"])
    assert (with_fallback.loc[gone, "fallback_from"] != "").any()
    assert (with_fallback.drop(gone)["fallback_from"] == "").all()


def test_planner_sees_true_counts_and_flags_only(demo_bundle, settings):
    planner = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="planner")
    period, finest = demo_bundle.periods[-1], demo_bundle.finest_level.id
    v = run_query(demo_bundle, planner, check_query(demo_bundle, planner, "migration_count", finest, period, "mig_bg")).values
    true = demo_bundle.counts(Basis(level=finest), period).frame["pop_mig_bg"].reindex(v.index)
    assert np.allclose(v["value"], true) and v["suppressed"].any() and v["value"].notna().all()


# --- real Berlin: counts interpolated to H3 from published units -----------------------------------------------------

def test_berlin_cells_are_interpolated_from_published_units(berlin_bundle, tmp_path):
    pub = published_bundle(berlin_bundle, SECRET)
    period = berlin_bundle.periods[-1]
    units = pub.counts(Basis(level="planungsraum"), period).frame
    cells = pub.counts(Basis(res=9), period)
    assert cells.interpolated_from == "planungsraum"
    assert cells.frame["pop_total"].sum() == pytest.approx(units["pop_total"].sum(), rel=1e-9)
    true = berlin_bundle.counts(Basis(level="planungsraum"), period).frame
    assert 0 < (units["pop_total"] != true["pop_total"]).mean() and (units - true)["age_0_6"].abs().max() <= cellkey.MAX_NOISE
    # Bezirke carry their own noise: not the sum of their published Planungsräume, within ±5 of the true total
    bez = pub.counts(Basis(level="bezirk"), period).frame["pop_total"]
    true_bez = berlin_bundle.counts(Basis(level="bezirk"), period).frame["pop_total"]
    assert (bez - true_bez).min() >= -cellkey.MAX_NOISE and (bez != berlin_bundle.counts(Basis(level="bezirk"), period).frame["pop_total"]).any()
