"""Secondary suppression, rounding and fallback: hand-made hierarchies, then differencing attacks on real Berlin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers.disclosure import Rules, round_counts, rules_from, secondary_suppression
from layers.query import check_query, run_query
from layers.registry import get_layer
from layers.settings import load_settings
from layers.spatial.basis import Basis


def frame(rows: dict[str, tuple[float, float, float, bool]]) -> pd.DataFrame:
    """id → (numerator, denominator, residents, primary suppressed)."""
    return pd.DataFrame([{"id": k, "numerator": n, "denominator": d, "residents": r, "suppressed": s} for k, (n, d, r, s) in rows.items()]
                        ).set_index("id")


def hidden(series: pd.Series) -> set[str]:
    return set(series.index[series.to_numpy()])


def test_one_suppressed_child_gets_its_smallest_sibling_suppressed():
    parent = frame({"P": (60, 600, 600, False)})
    children = frame({"a": (1, 100, 100, True), "b": (30, 300, 300, False), "c": (29, 200, 200, False)})
    _, kids = secondary_suppression([parent, children], [None, pd.Series("P", index=children.index)], 3, 50)
    assert hidden(kids) == {"a", "c"}  # c (denominator 200) is smaller than b (300): P − b = a + c, two unknowns


def test_suppressed_parent_with_published_children_gets_a_child_suppressed():
    # P is primary-suppressed (2 not in the group among 80), its children are not: P = a + b would reveal it.
    parent = frame({"P": (78, 80, 80, True), "Q": (10, 100, 100, False)})
    children = frame({"a": (39, 40, 60, False), "b": (39, 40, 60, False), "q": (10, 100, 100, False)})
    top, kids = secondary_suppression([parent, children], [None, pd.Series(["P", "P", "Q"], index=["a", "b", "q"])], 3, 50)
    # city = P + Q is published: P hidden alone among the top level → Q hidden too; then Q = q → q hidden.
    assert hidden(top) == {"P", "Q"} and "q" in hidden(kids) and len(hidden(kids) & {"a", "b"}) == 1


def test_only_child_takes_its_parent_along():
    parent = frame({"P": (2, 60, 60, False), "Q": (50, 500, 500, False), "R": (40, 400, 400, False)})
    children = frame({"p1": (2, 60, 60, True), "q1": (50, 500, 500, False), "r1": (40, 400, 400, False)})
    top, kids = secondary_suppression([parent, children], [None, pd.Series(["P", "Q", "R"], index=children.index)], 3, 50)
    # P = p1 would reveal p1, so P goes; then the city total needs a second hidden district: R (smaller than Q), and R = r1.
    assert hidden(top) == {"P", "R"} and hidden(kids) == {"p1", "r1"}


def test_small_sum_of_two_suppressed_children_is_protected_by_a_third():
    parent = frame({"P": (42, 800, 800, False)})
    children = frame({"a": (1, 30, 30, True), "b": (1, 15, 15, True), "c": (20, 300, 300, False), "d": (20, 455, 455, False)})
    _, kids = secondary_suppression([parent, children], [None, pd.Series("P", index=children.index)], 3, 50)
    # P − c − d = a + b: 2 cases among 45 residents is itself small, so c (smaller than d) goes too.
    assert hidden(kids) == {"a", "b", "c"}


def test_two_levels_reach_a_fixed_point():
    """City → 2 districts → 2 regions each → 2 blocks each; one small block propagates up and back down."""
    top = frame({"A": (400, 4000, 4000, False), "B": (400, 4000, 4000, False)})
    mid = frame({"A1": (200, 2000, 2000, False), "A2": (200, 2000, 2000, False), "B1": (200, 2000, 2000, False),
                 "B2": (200, 2000, 2000, False)})
    low = frame({"A1a": (2, 100, 100, True), "A1b": (198, 1900, 1900, False), "A2a": (100, 1000, 1000, False), "A2b": (100, 1000, 1000, False),
                 "B1a": (100, 1000, 1000, False), "B1b": (100, 1000, 1000, False), "B2a": (100, 1000, 1000, False), "B2b": (100, 1000, 1000, False)})
    parents = [None, pd.Series(["A", "A", "B", "B"], index=mid.index), pd.Series([i[:2] for i in low.index], index=low.index)]
    t, m, lo = secondary_suppression([top, mid, low], parents, 3, 50)
    # A1 = A1a + A1b: A1b goes with A1a (A1 stays published, nothing else is needed).
    assert hidden(t) == set() and hidden(m) == set() and hidden(lo) == {"A1a", "A1b"}
    assert_not_recoverable([top, mid, low], parents, [hidden(t), hidden(m), hidden(lo)])


def test_fixed_point_when_a_parent_is_lifted():
    """A region whose only child is small goes; its district then needs a second hidden region, which needs a hidden block."""
    top = frame({"A": (300, 3000, 3000, False), "B": (300, 3000, 3000, False)})
    mid = frame({"A1": (2, 60, 60, False), "A2": (298, 2940, 2940, False), "B1": (300, 3000, 3000, False)})
    low = frame({"A1a": (2, 60, 60, True), "A2a": (150, 1500, 1500, False), "A2b": (148, 1440, 1440, False), "B1a": (300, 3000, 3000, False)})
    parents = [None, pd.Series(["A", "A", "B"], index=mid.index), pd.Series(["A1", "A2", "A2", "B1"], index=low.index)]
    t, m, lo = secondary_suppression([top, mid, low], parents, 3, 50)
    assert hidden(m) == {"A1", "A2"} and hidden(lo) == {"A1a", "A2b"} and hidden(t) == set()
    assert_not_recoverable([top, mid, low], parents, [hidden(t), hidden(m), hidden(lo)])
    again = secondary_suppression([top.assign(suppressed=t), mid.assign(suppressed=m), low.assign(suppressed=lo)], parents, 3, 50)
    assert [hidden(s) for s in again] == [hidden(t), hidden(m), hidden(lo)]  # a fixed point: running it again adds nothing


def recoverable(levels: list[list[str]], parents: list[pd.Series | None], hidden_sets: list[set[str]]) -> set[str]:
    """Hidden ids whose value follows from the published ones by any linear combination of the tree's equations
    (parent = Σ children, city = Σ coarsest level). Exact linear algebra: x_j is determined iff e_j is in the row space."""
    unknown = [i for lvl, h in zip(levels, hidden_sets) for i in lvl if i in h]
    col = {u: j for j, u in enumerate(unknown)}
    rows = []
    for li, ids in enumerate(levels):
        groups: dict[str, list[str]] = {}
        for i in ids:
            groups.setdefault("__city__" if li == 0 else parents[li][i], []).append(i)
        for parent, kids in groups.items():
            row = np.zeros(len(unknown))
            if parent != "__city__" and parent in col:
                row[col[parent]] = 1.0
            for k in kids:
                if k in col:
                    row[col[k]] = -1.0
            if row.any():
                rows.append(row)
    if not unknown:
        return set()
    if not rows:
        return set()
    a = np.array(rows)
    # projection of e_j onto the row space: P = A⁺A
    proj = np.linalg.pinv(a) @ a
    return {u for u, j in col.items() if abs(proj[j, j] - 1.0) < 1e-8}


def assert_not_recoverable(frames, parents, hidden_sets):
    levels = [list(f.index) for f in frames]
    assert recoverable(levels, parents, hidden_sets) == set()


def test_rank_check_itself_finds_a_lone_suppression():
    levels = [["A", "B"], ["a1", "a2", "b1"]]
    parents = [None, pd.Series({"a1": "A", "a2": "A", "b1": "B"})]
    assert recoverable(levels, parents, [set(), {"a1"}]) == {"a1"}
    assert recoverable(levels, parents, [set(), {"a1", "a2"}]) == set()
    assert recoverable(levels, parents, [{"B"}, {"b1"}]) == {"B", "b1"}  # B = city − A, b1 = B


def test_rounding_to_five_keeps_shares_and_never_makes_zero():
    v = pd.DataFrame({"value": [12.5, 7.0, np.nan], "numerator": [2.0, 7.0, np.nan], "denominator": [16.0, 102.0, np.nan],
                      "residents": [16.0, 102.5, np.nan], "suppressed": False})
    shares = round_counts(v, 5, value_is_count=False)
    assert shares["numerator"].tolist()[:2] == [5.0, 5.0] and shares["denominator"].tolist()[:2] == [15.0, 100.0]
    assert shares["residents"].tolist()[:2] == [15.0, 105.0] and shares["value"].tolist()[:2] == [12.5, 7.0]
    counts = round_counts(v, 5, value_is_count=True)
    assert counts["value"].tolist()[:2] == [15.0, 5.0] and np.isnan(counts["value"].iloc[2])
    assert round_counts(v, 1, True).equals(v)


def test_rules_from_settings_and_overrides():
    s = load_settings(min_count_overrides='{"migration_count": 10}', round_counts_to=10)
    rules = rules_from(s)
    assert rules.round_to == 10 and rules.min_cases_for(get_layer("migration_count")) == 10
    assert rules.min_cases_for(get_layer("migration_share")) == 3
    with pytest.raises(ValueError, match="min_count_overrides"):
        rules_from(load_settings(min_count_overrides="[1, 2"))
    assert Rules().min_cases_for(get_layer("migration_share")) == 3


# --- real Berlin, portal mode ------------------------------------------------------------------------------------------

CASES = [("migration_share", "mig_bg", "2024-12-31"), ("migration_count", "origin_syria", "2024-12-31"),
         ("migration_share", "mig_bg_age_0_6", "2022-12-31"), ("migration_lq", "origin_turkey", "2021-06-30"),
         ("migration_count", "foreign", "2023-06-30")]


@pytest.fixture(scope="module")
def portal(settings):
    return load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal")


@pytest.fixture(scope="module")
def planner(settings):
    return load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="planner", round_counts_to=0)


def _values(bundle, s, layer, group, period, basis, **kw):
    return run_query(bundle, s, check_query(bundle, s, layer, basis, period, group, **kw)).values


@pytest.mark.parametrize("layer,group,period", CASES)
def test_differencing_attack_on_unit_levels_fails(berlin_bundle, portal, planner, layer, group, period):
    levels = [lvl.id for lvl in berlin_bundle.levels]
    published = {lvl: _values(berlin_bundle, portal, layer, group, period, lvl) for lvl in levels}
    truth = {lvl: _values(berlin_bundle, planner, layer, group, period, lvl) for lvl in levels}
    hidden_sets = [set(published[lvl].index[published[lvl]["suppressed"].to_numpy(dtype=bool)]) for lvl in levels]
    assert hidden_sets[-1], "expected some suppressed Planungsräume in Berlin for this case"
    primary = set(truth[levels[-1]].index[truth[levels[-1]]["suppressed"].to_numpy(dtype=bool)])
    assert primary <= hidden_sets[-1] and len(hidden_sets[-1]) > len(primary)  # secondary suppression did add areas
    parents = [None] + [berlin_bundle.units_of(lvl)["parent_id"] for lvl in levels[1:]]
    # 1. direct attack: published parent minus its published children, at every level
    for li in range(1, len(levels)):
        child = published[levels[li]]
        for parent_id, kids in child.groupby(parents[li].reindex(child.index).to_numpy()):
            if parent_id in hidden_sets[li - 1]:
                continue
            gone = kids.index[kids["suppressed"].to_numpy(dtype=bool)]
            assert len(gone) != 1, f"{layer}/{group}/{period}: {parent_id} − published children reveals {list(gone)}"
            if len(gone):
                for col in ("numerator", "denominator", "residents"):
                    residual = truth[levels[li - 1]].loc[parent_id, col] - truth[levels[li]].loc[kids.index.difference(gone), col].sum()
                    assert residual == pytest.approx(truth[levels[li]].loc[gone, col].sum())  # the residual is a sum over ≥ 2 areas
    # 2. any combination of the tree's equations (city total published): exact linear algebra
    assert recoverable([list(published[lvl].index) for lvl in levels], parents, hidden_sets) == set()
    # 3. published values are the true values (counts rounded to multiples of 5, shares from the unrounded counts)
    fin = published[levels[-1]][~published[levels[-1]]["suppressed"].to_numpy(dtype=bool)]
    true = truth[levels[-1]].loc[fin.index]
    assert (fin["residents"] % 5 == 0).all() and ((fin["residents"] - true["residents"]).abs() <= 2.5).all()
    if get_layer(layer).aggregate == "sum":
        assert (fin["value"] % 5 == 0).all() and ((fin["value"] - true["value"]).abs() <= 2.5).all()
    else:
        np.testing.assert_allclose(fin["value"].to_numpy(), true["value"].to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("layer,group,period", CASES[:3])
def test_h3_differencing_reveals_only_published_units(berlin_bundle, settings, layer, group, period):
    """Berlin's H3 values are interpolated from Planungsräume. Attack: for every published res r cell, subtract its
    published res r+1 children. Every published cell must equal the interpolation of the *published* units alone, so
    each residual (and any other difference of cells) is a combination of published values: it recovers nothing."""
    from layers.spatial.aggregate import interpolate_to_cells

    exact = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", round_counts_to=0)
    plr = _values(berlin_bundle, exact, layer, group, period, "planungsraum")
    hidden_units = plr.index[plr["suppressed"].to_numpy(dtype=bool)]
    counts = berlin_bundle.counts(Basis(level="planungsraum"), period).frame[["pop_total"]].astype(float)
    published_only = counts.mul(np.where(counts.index.isin(hidden_units), 0.0, 1.0), axis=0)
    import h3

    resolutions = berlin_bundle.manifest.h3_resolutions
    cells = {r: _values(berlin_bundle, exact, layer, group, period, f"h3_{r}") for r in resolutions}
    attacked = 0
    for res in resolutions:
        shown = cells[res][~cells[res]["suppressed"].to_numpy(dtype=bool)]
        from_published = interpolate_to_cells(published_only, berlin_bundle.weights(res))["pop_total"].reindex(shown.index)
        np.testing.assert_allclose(shown["residents"].to_numpy(), from_published.to_numpy(), rtol=1e-9, atol=1e-6)
        if res + 1 not in resolutions:
            continue
        kids = cells[res + 1]
        parent_of = pd.Series([h3.cell_to_parent(c, res) for c in kids.index], index=kids.index)
        for parent, group_kids in kids.groupby(parent_of.to_numpy()):
            if parent not in shown.index:
                continue
            gone = group_kids.index[group_kids["suppressed"].to_numpy(dtype=bool)]
            if len(gone) == 0:
                continue
            attacked += 1
            # the residual is the published parent minus published children: both come from published units only
            residual = shown.loc[parent, "residents"] - group_kids.loc[group_kids.index.difference(gone), "residents"].sum()
            expected = from_published.loc[parent] - interpolate_to_cells(published_only, berlin_bundle.weights(res + 1))["pop_total"].reindex(
                group_kids.index.difference(gone)).sum()
            assert residual == pytest.approx(expected, abs=1e-6)
            break  # one interpolation per resolution is enough for the equality; the assert above covers every cell
    assert attacked > 0


def test_change_reveals_no_value_hidden_at_either_date(berlin_bundle, portal):
    """value(t2) − change(t1 → t2) = value(t1): wherever either date is hidden, the change is hidden too."""
    for group in ("mig_bg", "mig_bg_age_0_6", "origin_syria"):
        for basis in ("planungsraum", "bezirksregion", "h3_9"):
            t1, t2 = "2021-06-30", "2024-12-31"
            a = _values(berlin_bundle, portal, "migration_share", group, t1, basis)
            b = _values(berlin_bundle, portal, "migration_share", group, t2, basis)
            change = _values(berlin_bundle, portal, "migration_change", group, t2, basis, period_from=t1)
            compare = _values(berlin_bundle, portal, "migration_share", group, t2, basis, compare_from=t1)
            for ch in (change, compare):
                shown = ch.index[~ch["suppressed"].to_numpy(dtype=bool) & ch["value"].notna().to_numpy()]
                assert not a.loc[shown, "suppressed"].any() and not b.loc[shown, "suppressed"].any()
                np.testing.assert_allclose((b.loc[shown, "value"] - ch.loc[shown, "value"]).to_numpy(), a.loc[shown, "value"].to_numpy(), atol=1e-9)


def test_change_layer_hides_consistently_across_levels(berlin_bundle, portal):
    levels = [lvl.id for lvl in berlin_bundle.levels]
    vals = {lvl: _values(berlin_bundle, portal, "migration_change", "mig_bg_age_0_6", "2024-12-31", lvl, period_from="2021-06-30") for lvl in levels}
    parents = [None] + [berlin_bundle.units_of(lvl)["parent_id"] for lvl in levels[1:]]
    hidden_sets = [set(vals[lvl].index[vals[lvl]["suppressed"].to_numpy(dtype=bool)]) for lvl in levels]
    assert recoverable([list(vals[lvl].index) for lvl in levels], parents, hidden_sets) == set()


def test_parent_fallback_shows_the_published_parent_value_flagged(berlin_bundle, settings):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", suppression_fallback="parent")
    plain = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal")
    result = run_query(berlin_bundle, s, check_query(berlin_bundle, s, "migration_share", "planungsraum", "2024-12-31", "mig_bg"))
    hidden = _values(berlin_bundle, plain, "migration_share", "mig_bg", "2024-12-31", "planungsraum")
    gone = hidden.index[hidden["suppressed"].to_numpy(dtype=bool)]
    bzr = _values(berlin_bundle, plain, "migration_share", "mig_bg", "2024-12-31", "bezirksregion")
    for uid in gone:
        row = result.values.loc[uid]
        assert np.isnan(row["residents"]) and np.isnan(row["numerator"])  # counts stay hidden
        parent = berlin_bundle.units.set_index("unit_id").loc[uid, "parent_id"]
        if not bzr.loc[parent, "suppressed"]:
            assert row["value"] == pytest.approx(bzr.loc[parent, "value"]) and "Bezirksregion" in result.notes.loc[uid, "de"]
    count = run_query(berlin_bundle, s, check_query(berlin_bundle, s, "migration_count", "planungsraum", "2024-12-31", "origin_syria")).values
    assert count.loc[count["suppressed"]].value.isna().all()  # no fallback for counts: a district's count is no block's count


def test_planner_mode_flags_only(berlin_bundle, planner):
    v = _values(berlin_bundle, planner, "migration_share", "mig_bg", "2024-12-31", "planungsraum")
    assert v["value"].notna().sum() >= 540 and v["residents"].notna().all()
    assert Basis(level="planungsraum").key == "planungsraum"


def test_point_based_cells_get_their_own_tree(demo_bundle, settings):
    """The demo city counts cells from address points: each published res r cell has 0 or ≥ 2 hidden res r+1 children."""
    import h3

    portal = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal")
    period = demo_bundle.periods[-1]
    resolutions = sorted(demo_bundle.manifest.h3_resolutions)
    cells = {r: _values(demo_bundle, portal, "migration_share", "mig_bg", period, f"h3_{r}") for r in resolutions}
    assert all(run_query(demo_bundle, portal, check_query(demo_bundle, portal, "migration_share", f"h3_{r}", period, "mig_bg")).interpolated_from
               is None for r in resolutions)
    hidden_children = 0
    for res in resolutions[:-1]:
        kids = cells[res + 1]
        parent_of = pd.Series([h3.cell_to_parent(c, res) for c in kids.index], index=kids.index)
        shown = set(cells[res].index[~cells[res]["suppressed"].to_numpy(dtype=bool)])
        for parent, group_kids in kids.groupby(parent_of.to_numpy()):
            n = int(group_kids["suppressed"].sum())
            hidden_children += n
            if parent in shown:
                assert n != 1, f"res {res} cell {parent} minus its published children reveals one hidden child"
    assert hidden_children > 0
