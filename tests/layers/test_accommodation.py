"""Accommodation sites: the internal layers, distribution and concentration, the import, screening and the scenario.

Expected values are recomputed here from the bundle's raw parquet files, not taken from the implementation."""

from __future__ import annotations

import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from layers.accommodation import Candidate, area_table, change_table, concentration, open_at, screen, suggest, weights
from layers.accommodation.layers import LARGE_SHARE, PLACES
from layers.bundle import Bundle, BundleValidationError
from layers.registry import REGISTRY
from layers.scenario import NewAccommodation, Scenario, ScenarioError, Site, scenario_effects, validate_scenario, with_scenario
from layers.settings import load_settings, using_settings
from layers.sources.user_files import import_file
from layers.spatial.basis import Basis
from layers.spec import INTERNAL
from layers.standards import Params


@pytest.fixture(scope="module")
def raw_sites(demo_bundle) -> gpd.GeoDataFrame:
    return gpd.read_parquet(demo_bundle.folder / "accommodation.parquet")


def _open(raw: pd.DataFrame, day: str) -> pd.DataFrame:
    d = pd.Timestamp(day)
    return raw[(pd.to_datetime(raw["opened"]) <= d) & (raw["closed"].isna() | (pd.to_datetime(raw["closed"]) > d))]


def test_every_accommodation_and_housing_layer_is_internal():
    ids = [k for k, spec in REGISTRY.items() if k.startswith(("accommodation_", "housing_"))]
    assert sorted(ids) == ["accommodation_large_share", "accommodation_places", "housing_rent", "housing_social_share"]
    assert all(REGISTRY[k].sensitivity == INTERNAL for k in ids)


def test_the_demo_city_has_a_realistic_spread_of_sites(demo_bundle, raw_sites):
    kinds = set(raw_sites["type"])
    assert {"gemeinschaftsunterkunft", "wohnungen"} <= kinds
    assert (raw_sites["occupancy"] <= raw_sites["capacity"]).all()
    closed = raw_sites.dropna(subset=["closed"])
    assert (pd.to_datetime(closed["closed"]) >= pd.to_datetime(closed["opened"])).all()
    first, last = demo_bundle.periods[0], demo_bundle.periods[-1]
    assert len(_open(raw_sites, first)) != len(_open(raw_sites, last)) or \
        _open(raw_sites, first)["capacity"].sum() != _open(raw_sites, last)["capacity"].sum()  # places change over time


def test_open_at_follows_opening_and_closing_dates(demo_bundle, raw_sites):
    for period in demo_bundle.periods:
        assert set(open_at(demo_bundle, period)["site_id"]) == set(_open(raw_sites, period)["site_id"])


def test_places_per_1000_residents_match_a_recomputation_from_the_raw_files(demo_bundle, raw_sites, settings):
    period = demo_bundle.periods[-1]
    level = demo_bundle.levels[0].id
    with using_settings(settings):
        result = PLACES.compute(demo_bundle, Basis(level=level), period)
    sites = _open(raw_sites, period)
    district = sites["unit_id"].astype(str).str[:3]  # demo ids nest by prefix: D01Q02B03 → D01
    places = sites.groupby(district)["capacity"].sum()
    residents = demo_bundle.counts(Basis(level=level), period).frame["pop_total"]
    for d in residents.index:
        expected = 1000.0 * places.get(d, 0.0) / residents[d]
        assert result.values.loc[d, "value"] == pytest.approx(expected)
        assert result.values.loc[d, "numerator"] == pytest.approx(places.get(d, 0.0))


def test_share_in_large_sites_counts_sites_from_the_threshold(demo_bundle, raw_sites):
    period = demo_bundle.periods[-1]
    s = load_settings(accommodation_large_site_places=150)
    with using_settings(s):
        result = LARGE_SHARE.compute(demo_bundle, Basis(level=demo_bundle.levels[0].id), period)
    sites = _open(raw_sites, period)
    district = sites["unit_id"].astype(str).str[:3]
    large = sites[sites["capacity"] >= 150].groupby(district[sites["capacity"] >= 150])["capacity"].sum()
    total = sites.groupby(district)["capacity"].sum()
    for d, value in result.values["value"].items():
        if d in total.index:
            assert value == pytest.approx(100.0 * large.get(d, 0.0) / total[d])
        else:
            assert np.isnan(value)  # no places: no share, never 0


def test_concentration_gini_by_hand():
    # sorted by places per resident: 0, 0, 300 → R = 0, ⅓, ⅔, 1; P = 0, 0, 0, 1; G = 1 − ⅓·(0+1) = ⅔
    assert concentration(np.array([300.0, 0.0, 0.0]), np.array([1000.0, 1000.0, 1000.0])).gini == pytest.approx(2 / 3)
    # places in proportion to residents: no concentration
    assert concentration(np.array([10.0, 30.0]), np.array([1000.0, 3000.0])).gini == pytest.approx(0.0)
    assert np.isnan(concentration(np.array([0.0, 0.0]), np.array([10.0, 10.0])).gini)


def test_area_and_change_tables_hold_context_and_supply(demo_bundle, raw_sites, settings):
    level = demo_bundle.levels[1].id
    period = demo_bundle.periods[-1]
    table = area_table(demo_bundle, level, period, Params.from_settings(settings), 100.0)
    assert table["places"].sum() == pytest.approx(_open(raw_sites, period)["capacity"].sum())
    assert {"mss_child_poverty_pct", "mss_unemployment_pct", "kita_per_100", "primary_school_per_100"} <= set(table.columns)
    assert table["mss_child_poverty_pct"].notna().all() and table["kita_per_100"].notna().any()
    change = change_table(demo_bundle, level, 100.0)
    assert list(change.index) == demo_bundle.periods
    for period in demo_bundle.periods:
        assert change.loc[period, "places"] == pytest.approx(_open(raw_sites, period)["capacity"].sum())
        assert 0.0 <= change.loc[period, "gini"] <= 1.0


# --- import ---------------------------------------------------------------------------------------------------

@pytest.fixture()
def folder(demo_bundle, tmp_path):
    return shutil.copytree(demo_bundle.folder, tmp_path / "demo")


def _inside(bundle) -> tuple[float, float]:
    p = bundle.units_of(bundle.finest_level.id).geometry.iloc[0].representative_point()
    return round(p.x, 6), round(p.y, 6)


def test_import_refusals_name_file_row_and_column(folder, tmp_path, demo_bundle):
    lon, lat = _inside(demo_bundle)
    text = ("site_id;type;name;capacity;occupancy;opened;closed;lon;lat\n"
            f"A1;Gemeinschaftsunterkunft;Haus A;120;100;2019-01-01;;{lon};{lat}\n"        # row 1 fine (German type name)
            f"A2;Turnhalle;Haus B;50;10;2019-01-01;;{lon};{lat}\n"                          # row 2: unknown type
            f"A3;wohnungen;Haus C;20;30;2019-01-01;;{lon};{lat}\n"                          # row 3: occupancy above capacity
            f"A4;wohnungen;Haus D;20;10;2020-05-01;2019-01-01;{lon};{lat}\n"                # row 4: closed before opened
            f"A5;wohnungen;Haus E;-3;;2020-05-01;;{lon};{lat}\n"                             # row 5: negative capacity
            f"A6;wohnungen;Haus F;10;;2020-05-01;;nord;{lat}\n")                             # row 6: not a coordinate
    path = tmp_path / "unterkuenfte.csv"
    path.write_text(text, encoding="utf-8")
    before = (folder / "accommodation.parquet").read_bytes()
    with pytest.raises(BundleValidationError) as err:
        import_file(folder, "accommodation", path)
    found = {(p.file, p.row, p.column) for p in err.value.problems}
    assert found == {("unterkuenfte.csv", 6, "lon")}  # coordinates are read first: the file stops there
    path.write_text(text.replace("nord", str(lon)), encoding="utf-8")
    with pytest.raises(BundleValidationError) as err:
        import_file(folder, "accommodation", path)
    found = {(p.file, p.row, p.column) for p in err.value.problems}
    assert {("unterkuenfte.csv", 2, "type"), ("unterkuenfte.csv", 3, "occupancy"), ("unterkuenfte.csv", 4, "closed"),
            ("unterkuenfte.csv", 5, "capacity")} <= found
    assert not any(p.row == 1 for p in err.value.problems)
    assert (folder / "accommodation.parquet").read_bytes() == before  # nothing half written


def test_a_good_file_replaces_the_sites_and_is_located(folder, tmp_path, demo_bundle):
    lon, lat = _inside(demo_bundle)
    path = tmp_path / "sites.geojson"
    gpd.GeoDataFrame({"site_id": ["S1", "S2"], "type": ["modulare_unterkunft", "wohnungen"], "capacity": [300, 12],
                      "opened": ["2018-03-01", "2023-01-15"], "closed": [None, None]},
                     geometry=gpd.points_from_xy([lon, lon], [lat, lat]), crs="EPSG:4326").to_file(path, driver="GeoJSON")
    import_file(folder, "accommodation", path)
    b = Bundle(folder)
    assert list(b.table("accommodation")["site_id"]) == ["S1", "S2"]
    sites = open_at(b, b.periods[-1])
    unit = demo_bundle.units_of(demo_bundle.finest_level.id).index[0]
    assert list(sites["unit_id"]) == [unit, unit] and sites["capacity"].sum() == 312
    assert any(s.key == "import_accommodation_sites" for s in b.manifest.sources)


def test_an_empty_file_never_replaces_the_sites(folder, tmp_path):
    path = tmp_path / "leer.csv"
    path.write_text("site_id,type,capacity,opened,lon,lat\n", encoding="utf-8")
    before = (folder / "accommodation.parquet").read_bytes()
    with pytest.raises(BundleValidationError, match="no data rows"):
        import_file(folder, "accommodation", path)
    assert (folder / "accommodation.parquet").read_bytes() == before


# --- screening ------------------------------------------------------------------------------------------------

def test_screening_components_are_transparent(demo_bundle, raw_sites, settings):
    period = demo_bundle.periods[-1]
    stops = demo_bundle.table("facilities")
    stop = stops[stops["type"] == "transit_stop"].geometry.iloc[0]
    site = _open(raw_sites, period).sort_values("capacity").iloc[-1]
    cands = [Candidate(stop.x, stop.y, "at a stop"), Candidate(site.geometry.x, site.geometry.y, "at the largest site")]
    sites, comps = screen(demo_bundle, cands, period, settings)
    at_stop = comps[(comps["candidate"] == 0) & (comps["component"] == "transit")].iloc[0]
    assert at_stop["value"] == pytest.approx(0.0, abs=1e-6) and at_stop["score"] == 1.0
    nearby = comps[(comps["candidate"] == 1) & (comps["component"] == "dispersal")].iloc[0]
    assert nearby["value"] >= site["capacity"]  # the site itself lies within the nearby distance
    for n in range(2):
        c = comps[comps["candidate"] == n]
        assert c["weight"].sum() == pytest.approx(1.0)
        assert sites.loc[n, "score"] == pytest.approx(c["contribution"].sum())
        assert sites.loc[n, "score_low"] <= sites.loc[n, "score"] <= sites.loc[n, "score_high"]
    # the largest site nearby lowers the dispersal score below that of a place without sites around
    assert comps[(comps["candidate"] == 1) & (comps["component"] == "dispersal")]["score"].iloc[0] < 1.0


def test_weights_are_normalised_and_checked():
    w = weights(load_settings(screening_weights='{"kita": 2, "transit": 2}'))
    assert w == {"kita": 0.5, "transit": 0.5}
    with pytest.raises(ValueError, match="unknown components"):
        weights(load_settings(screening_weights='{"burden": 1}'))


def test_suggestions_stay_in_the_district_and_apart(demo_bundle, settings):
    district = demo_bundle.levels[0].id
    d = demo_bundle.units_of(district).index[1]
    found = suggest(demo_bundle, demo_bundle.periods[-1], settings, k=3, district=d)
    assert 1 <= len(found) <= 3
    from layers.spatial.geometry import locate_points

    units = locate_points(demo_bundle, [c.lon for c in found], [c.lat for c in found])
    assert all(str(u).startswith(d) for u in units)


# --- scenario -------------------------------------------------------------------------------------------------

def test_accommodation_scenario_round_trips_and_is_validated(demo_bundle, settings):
    lon, lat = _inside(demo_bundle)
    sc = Scenario("neu", (NewAccommodation(Site("point", lon, lat), 250, "modulare_unterkunft", 0.8),))
    assert Scenario.from_url_param(sc.to_url_param()) == sc and Scenario.from_json(sc.to_json()) == sc
    for bad, field in ((NewAccommodation(Site("point", lon, lat), 0), "places"),
                       (NewAccommodation(Site("point", lon, lat), 100, "turnhalle"), "accommodation_type"),
                       (NewAccommodation(Site("point", lon, lat), 100, occupancy=1.5), "occupancy"),
                       (NewAccommodation(Site("point", 0.0, 0.0), 100), "site")):
        with pytest.raises(ScenarioError) as err:
            validate_scenario(demo_bundle, Scenario("x", (bad,)), settings)
        assert err.value.field == field


def test_every_layer_responds_to_a_new_site(demo_bundle, settings):
    lon, lat = _inside(demo_bundle)
    unit = demo_bundle.units_of(demo_bundle.finest_level.id).index[0]
    period = demo_bundle.periods[-1]
    sc = Scenario("neu", (NewAccommodation(Site("point", lon, lat), 200, occupancy=0.9),))
    finest = Basis(level=demo_bundle.finest_level.id)
    with using_settings(settings):
        overlay = with_scenario(demo_bundle, sc, "central", settings)
        base, new = demo_bundle.counts(finest, period).frame.loc[unit], overlay.counts(finest, period).frame.loc[unit]
        assert new["pop_total"] - base["pop_total"] == pytest.approx(180.0)  # 200 places × 0.9
        assert new["pop_mig_bg"] - base["pop_mig_bg"] == pytest.approx(180.0)
        mix = settings.values["accommodation_age_mix"]
        assert new["age_0_6"] - base["age_0_6"] == pytest.approx(180.0 * mix[0])
        before = PLACES.compute(demo_bundle, finest, period).values.loc[unit]
        after = PLACES.compute(overlay, finest, period).values.loc[unit]
        assert after["numerator"] - before["numerator"] == pytest.approx(200.0)
        assert after["value"] == pytest.approx(1000.0 * after["numerator"] / new["pop_total"])
    effects = scenario_effects(demo_bundle, settings, sc, period).to_frame()
    keys = set(effects["key"])
    assert {"residents", "kita_demand", "dissimilarity", "accommodation_per_1000", "accommodation_gini"} <= keys
    row = effects[(effects["key"] == "residents") & (effects["scope"] == "area")].iloc[0]
    assert row["scenario"] - row["baseline"] == pytest.approx(180.0) and row["low"] < row["scenario"] < row["high"]


def test_no_kita_with_free_places_scores_zero_not_left_out(demo_bundle, settings, monkeypatch):
    import layers.accommodation.screening as scr

    # every Kita full: the nearest one with free places is infinitely far (as `nearest_spare` reports it)
    monkeypatch.setattr(scr, "nearest_spare", lambda b, xy, *a, **k: pd.DataFrame({"facility_id": [None] * len(xy), "dist_m": np.inf}))
    lon, lat = _inside(demo_bundle)
    sites, comps = screen(demo_bundle, [Candidate(lon, lat)], demo_bundle.periods[-1], settings)
    kita = comps[comps["component"] == "kita"].iloc[0]
    assert np.isinf(kita["value"]) and kita["score"] == 0.0 and kita["weight"] > 0
    assert "kita" not in sites.loc[0, "left_out"]


def test_a_new_site_in_a_city_without_a_site_list_shows_no_places_anywhere(settings, tmp_path):
    """Without the city's own list, a scenario site cannot turn every other area into "0 places": no value stays no value."""
    from layers.bundle import write_bundle
    from tests.tiny import tiny_build

    bundle = Bundle(write_bundle(tiny_build(), tmp_path / "tiny", log=lambda *_: None))
    assert not bundle.has("accommodation")
    lon, lat = _inside(bundle)
    finest, period = Basis(level=bundle.finest_level.id), bundle.periods[-1]
    sc = Scenario("x", (NewAccommodation(Site("point", lon, lat), 40),))
    with using_settings(settings):
        overlay = with_scenario(bundle, sc, "central", settings)
        values = PLACES.compute(overlay, finest, period).values["value"]
        added = overlay.counts(finest, period).frame["pop_total"].sum() - bundle.counts(finest, period).frame["pop_total"].sum()
    assert values.isna().all()
    assert added == pytest.approx(40 * settings.values["accommodation_occupancy"])  # the residents still arrive
