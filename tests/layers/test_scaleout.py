"""Scale-out on Dask (issue 18): a region's municipalities built in parallel on a real local Dask cluster (2 worker
processes), their regional bundle (Gemeinde → Bezirk) checked against the members' own tables read independently,
bad region files named precisely, nothing half written, and the app serving the region."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from dashboard.app import create_app
from dashboard.cli import main as cli
from layers.bundle import BundleValidationError, load_bundle
from layers.bundle.check import validate_bundle_folder
from layers.cities import region_ids
from layers.scaleout import build_many, read_region
from layers.settings import load_settings
from layers.sources.demo import build_demo

REGION = """
[region]
id = "testregion"
title = "Testregion"
h3_resolutions = [7, 8]

[[municipality]]
id = "berlin"
name = "Berlin"
source = "berlin"
{demo}
"""
DEMO = """
[[municipality]]
id = "{id}"
name = "Gemeinde {id}"
source = "demo"
size = "small"
seed = {seed}
centre = [{lon}, {lat}]
"""


def _region(tmp_path: Path, demos: str) -> Path:
    path = tmp_path / "region.toml"
    path.write_text(REGION.format(demo=demos), encoding="utf-8")
    return path


def _demos(*entries: tuple[str, int, float, float]) -> str:
    return "".join(DEMO.format(id=i, seed=s, lon=lo, lat=la) for i, s, lo, la in entries)


@pytest.fixture(scope="module")
def built(tmp_path_factory, settings):
    folder = tmp_path_factory.mktemp("many")
    s = load_settings(bundle_dir=str(folder / "bundles"), berlin_dir=str(settings.path("berlin_dir")))
    path = _region(folder, _demos(("syn-a", 11, 12.4, 52.4), ("syn-b", 12, 14.2, 52.4), ("syn-c", 13, 13.4, 51.9)))
    lines: list[str] = []
    done = build_many(s, path, workers=2, log=lines.append)
    return done, s, lines


def test_every_municipality_is_built_on_the_cluster(built):
    done, s, lines = built
    assert sorted(m["id"] for m in done["members"]) == ["berlin", "syn-a", "syn-b", "syn-c"]
    assert all(m["worker"].startswith("tcp://127.0.0.1:") for m in done["members"])
    assert len({m["worker"] for m in done["members"]}) == 2  # both worker processes took builds
    for member in ("berlin", "syn-a", "syn-b", "syn-c"):
        validate_bundle_folder(s.path("bundle_dir") / member)
    titles = {load_bundle(s.path("bundle_dir") / m).manifest.title for m in ("syn-a", "syn-b", "syn-c")}
    assert len(titles) == 3 and all("synthetisch" in t for t in titles)
    assert any("built 4 municipalities" in line for line in lines)


def test_the_regional_bundle_sums_each_members_own_figures(built):
    done, s, _ = built
    validate_bundle_folder(done["region"])
    region = load_bundle(done["region"])
    assert [lvl.id for lvl in region.levels] == ["gemeinde", "bezirk"]
    assert sorted(region.units_of("gemeinde").index) == ["berlin", "syn-a", "syn-b", "syn-c"]
    bezirke = region.units_of("bezirk")
    berlin = bezirke[bezirke.index.str.startswith("berlin.")]
    assert len(berlin) == 12 and (berlin["parent_id"] == "berlin").all()  # Berlin's 12 Bezirke
    shared = sorted(set(load_bundle(s.path("bundle_dir") / "berlin").periods) & set(load_bundle(s.path("bundle_dir") / "syn-a").periods))
    assert region.periods == shared
    pop = pd.read_parquet(Path(done["region"]) / "population.parquet")
    for member in ("berlin", "syn-b"):  # each Bezirk = the member's finest units summed up, read straight from its files
        folder = s.path("bundle_dir") / member
        own_units = gpd.read_parquet(folder / "units.parquet").set_index("unit_id")
        finest = own_units[own_units["level"] == own_units["level"].iloc[-1]]
        table = "population_points" if (folder / "population_points.parquet").exists() else "population"
        raw = pd.read_parquet(folder / f"{table}.parquet")
        raw = raw[pd.to_datetime(raw["period"]) == pd.Timestamp(shared[-1])]
        top = finest.index.to_series()
        for _ in range(5):  # walk the parent ids up to the top level
            parents = own_units["parent_id"].reindex(top.to_numpy())
            top = pd.Series(parents.where(parents.notna(), top.to_numpy()).to_numpy(), index=top.index)
        expected = raw.groupby(raw["unit_id"].map(top))["pop_total"].sum()
        got = pop[pd.to_datetime(pop["period"]) == pd.Timestamp(shared[-1])].set_index("unit_id")["pop_total"]
        assert len(expected) == (12 if member == "berlin" else 2) and expected.sum() > 0
        for unit, total in expected.items():
            assert got[f"{member}.{unit}"] == pytest.approx(total), (member, unit)


def test_synthetic_municipalities_sit_at_their_centres_without_overlap(built):
    done, _, _ = built
    region = load_bundle(done["region"])
    outlines = region.units_of("gemeinde").geometry
    for member, lon, lat in (("syn-a", 12.4, 52.4), ("syn-b", 14.2, 52.4), ("syn-c", 13.4, 51.9)):
        centre = outlines[member].centroid
        assert abs(centre.x - lon) < 0.05 and abs(centre.y - lat) < 0.05, member
    geoms = list(outlines)
    assert not any(shapely.intersects(a, b) for i, a in enumerate(geoms) for b in geoms[i + 1:])


def test_build_demo_without_a_centre_is_unchanged():
    a, b = build_demo("small", 5, [7]), build_demo("small", 5, [7])
    assert a.tables["population_points"].equals(b.tables["population_points"])
    assert a.tables["units"].geometry.centroid.x.mean() == pytest.approx(13.0, abs=0.05)


def test_the_app_serves_the_region_in_the_portal(built, tmp_path):
    done, s, _ = built
    portal = load_settings(bundle_dir=str(s.path("bundle_dir")), mode="portal", rate_limit_api="", access_log=False,
                           cell_key_secret_file=str(tmp_path / "secret"))
    client = create_app(portal, done["region"]).server.test_client()
    for level, n in (("gemeinde", 4), ("bezirk", 12 + 3 * 2)):
        body = client.get(f"/api/v1/layers/migration_share?level={level}").get_json()
        assert len(body["values"]) == n and all(r["value"] is not None for r in body["values"]), level
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("good, bad, key", [
    ('size = "small"', 'size = "huge"', "size"), ("centre = [12.4, 52.4]", "centre = [200, 52]", "centre"),
    ("seed = 11", 'seed = "x"', "seed"), ('source = "demo"', 'source = "atlantis"', "source"),
    ("seed = 11", "seed = 11\ncolour = 3", "colour"),
])
def test_a_bad_entry_is_named(tmp_path, good, bad, key):
    text = _demos(("syn-a", 11, 12.4, 52.4))
    assert good in text
    path = _region(tmp_path, text.replace(good, bad))
    with pytest.raises(BundleValidationError) as err:
        read_region(path)
    message = str(err.value)
    assert str(path) in message and "municipality 2" in message and key in message


def test_a_failing_member_leaves_no_regional_bundle(tmp_path, monkeypatch):
    path = _region(tmp_path, _demos(("syn-a", 11, 12.4, 52.4)))
    s = load_settings(bundle_dir=str(tmp_path / "bundles"), berlin_dir=str(tmp_path / "no-berlin-here"))
    with pytest.raises(BundleValidationError, match="berlin"):
        build_many(s, path, workers=1, log=lambda *_: None)
    assert not (tmp_path / "bundles" / "testregion").exists()
    assert (tmp_path / "bundles" / "syn-a" / "manifest.json").exists()  # a complete member stays


def test_the_cli_builds_a_region_and_serve_knows_it(tmp_path, monkeypatch):
    path = _region(tmp_path, _demos(("syn-a", 11, 12.4, 52.4))).read_text().replace(
        '[[municipality]]\nid = "berlin"\nname = "Berlin"\nsource = "berlin"\n', "")
    (tmp_path / "r.toml").write_text(path, encoding="utf-8")
    monkeypatch.setenv("QUARTIERSATLAS_BUNDLE_DIR", str(tmp_path / "bundles"))
    assert cli(["build", "--many", str(tmp_path / "r.toml"), "--workers", "1"]) == 0
    assert (tmp_path / "bundles" / "testregion" / "manifest.json").exists()
    assert "berlin-brandenburg" in region_ids()
    assert cli(["build", "berlin-brandenburg"]) == 1  # a region is built with --many, and the error says so
