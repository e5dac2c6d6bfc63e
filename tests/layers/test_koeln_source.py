"""Cologne through the generic city source (issue 14): units, yearly counts checked by hand against the raw CSV,
every layer answering on Cologne or saying what it lacks, and the app naming the city, its periods and sources."""

from __future__ import annotations

import csv

import pytest

from layers.spatial.basis import Basis


@pytest.fixture(scope="module")
def raw(settings):
    rows = list(csv.DictReader(open(settings.path("koeln_dir") / "population" / "bevoelkerung.csv", encoding="utf-8")))
    return {(r["tab_id"], r["zei_id"], r["jahr"], r["raum_id"]): float(r["zahl"]) for r in rows}


def test_units_keep_their_ids_and_parents(koeln_bundle):
    bez, stt = koeln_bundle.units_of("stadtbezirk"), koeln_bundle.units_of("stadtteil")
    assert len(bez) == 9 and len(stt) == 86
    assert "001" in bez.index and bez.loc["001", "name"] == "Innenstadt"
    assert (stt["parent_id"] == "00" + stt.index.str[0]).all()
    assert koeln_bundle.periods == [f"{y}-12-31" for y in range(2005, 2013)]
    lon, lat = stt.geometry.unary_union.centroid.coords[0]
    assert 6.8 < lon < 7.1 and 50.85 < lat < 51.05  # the custom .prj was read: Cologne, not the Atlantic


def test_counts_equal_the_raw_file(koeln_bundle, raw):
    f = koeln_bundle.counts(Basis(level="stadtteil"), "2012-12-31").frame
    assert f.loc["101", "pop_total"] == raw["005", "10", "2012", "101"]
    assert f.loc["101", "pop_mig_bg"] == raw["030", "10", "2012", "101"]
    assert f.loc["101", "age_0_6"] == raw["020", "10", "2012", "101"] + raw["020", "20", "2012", "101"]
    assert f.loc["101", "age_65_plus"] == raw["020", "120", "2012", "101"] + raw["020", "130", "2012", "101"]
    assert "age_18_27" not in f.columns and "age_27_45" not in f.columns  # cannot be formed from Cologne's bands
    # the Stadtbezirk sums its Stadtteile; the raw file's own Stadtbezirk figure agrees
    bez = koeln_bundle.counts(Basis(level="stadtbezirk"), "2012-12-31").frame
    assert bez.loc["001", "pop_total"] == pytest.approx(raw["005", "10", "2012", "001"], rel=1e-6)


def test_layers_answer_or_say_what_they_lack(koeln_bundle, settings):
    from dashboard.app import create_app
    from layers.settings import load_settings

    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), cache_type="NullCache", access_log=False)
    client = create_app(s, koeln_bundle.folder).server.test_client()
    meta = client.get("/api/v1/layers").get_json()
    assert meta["title"] == "Köln" and meta["periods"][-1] == "2012-12-31" and meta["levels"] == ["stadtbezirk", "stadtteil"]
    assert any("Stadt Köln" in src["attribution"] for src in meta["sources"])
    for layer in meta["layers"]:
        assert client.get(f"/api/v1/layers/{layer['id']}?level=stadtteil").status_code == 200, layer["id"]
    share = client.get("/api/v1/layers/migration_share?level=stadtteil&period=2012-12-31").get_json()
    f = koeln_bundle.counts(Basis(level="stadtteil"), "2012-12-31").frame
    by_id = {r["id"]: r["value"] for r in share["values"]}
    assert by_id["101"] == pytest.approx(100 * f.loc["101", "pop_mig_bg"] / f.loc["101", "pop_total"], rel=1e-6)
    kita = client.get("/api/v1/layers/education_kita_ratio?level=stadtteil").get_json()
    assert all(r["value"] is None for r in kita["values"])  # no Kita places in Cologne's data: no value, never 0
    assert "Kita-Plätze" in koeln_bundle.manifest.notes["de"] and "Kita places" in meta["data_notes"]["en"]
    assert "Es fehlen Kita-Plätze" in client.get("/").get_data(as_text=True) or "header-data-notes" in client.get("/_dash-layout").get_data(as_text=True)
    seg = client.get("/api/v1/segregation/indices?level=stadtteil&period=2012-12-31").get_json()
    city = next(r for r in seg["rows"] if r["area"] == "city")
    assert 0 < city["dissim"] < 1
    assert client.get("/").status_code == 200 and client.get("/area/101").status_code == 200


def test_a_broken_description_names_the_file_and_section(tmp_path):
    from layers.bundle.validate import BundleValidationError
    from layers.sources.generic import read_description

    path = tmp_path / "x.toml"
    path.write_text("[city]\nid = 'x'\n", encoding="utf-8")
    with pytest.raises(BundleValidationError, match="x.toml.*levels"):
        read_description(path)
