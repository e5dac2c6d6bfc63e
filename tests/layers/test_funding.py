"""Funding areas and the MSS: the attention-need rule on known rows, overlap, gap table, overlay GeoJSON and imports."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from layers.bundle import load_bundle, write_bundle
from layers.bundle.validate import BundleValidationError
from layers.funding.areas import GAP_NEED, funding_gap_table, funding_geojson, has_funding_programmes, has_quartiersmanagement, unit_overlap
from layers.funding.layers import compute_attention, compute_need_funding, compute_status, need_funding_class
from layers.funding.mss import attention_need, mss_table
from layers.public_space.use import use_series
from layers.sources.user_files import import_file, importers
from layers.spatial.basis import Basis

from .infrastructure_tiny import tiny_infra_build

PERIOD = "2024-12-31"


@pytest.fixture()
def tiny(settings, tmp_path):
    """A fresh tiny bundle per test (imports change it)."""
    return write_bundle(tiny_infra_build(), tmp_path / "tiny-funding", log=lambda *_: None)


def test_attention_rule_truth_table():
    status = np.array([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4])
    dynamics = np.array([1, 3, 5] * 4)
    assert attention_need(status, dynamics).tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]


@pytest.mark.parametrize("plr, name, status, dynamics, need", [
    ("01100101", "Stülerstraße", 2, 5, 1.0),  # medium, negative → need
    ("01100103", "Lützowstraße", 2, 3, 0.0),  # medium, stable
    ("01200517", "Huttenkiez", 4, 1, 1.0),  # very low (even with positive dynamics)
    ("01200518", "Beusselkiez", 3, 3, 1.0),  # low
    ("05400944", "Kladower Damm", 1, 5, 0.0),  # high with negative dynamics: no need
    ("01200624", "Heidestraße", 2, 1, 0.0),
])
def test_mss_rule_on_known_berlin_rows(berlin_bundle, plr, name, status, dynamics, need):
    """Rows as published in the MSS 2021 index file (SI_N, DI_N), through the real import."""
    row = mss_table(berlin_bundle).loc[plr]
    assert (row["status"], row["dynamics"], row["attention"]) == (status, dynamics, need)
    assert berlin_bundle.units_of("planungsraum").loc[plr, "name"] == name
    layer = compute_attention(berlin_bundle, Basis(level="planungsraum"), berlin_bundle.periods[-1]).values
    assert layer.loc[plr, "value"] == need


def test_berlin_attention_counts_and_overlay(berlin_bundle):
    mss = mss_table(berlin_bundle)
    assert len(mss) == 536 and int(mss["attention"].sum()) == 129
    fc = funding_geojson(berlin_bundle)
    assert len(fc["features"]) == 81 and fc["features"][0]["properties"]["programme"] == "soziale_erhaltungsgebiet"
    assert not has_quartiersmanagement(berlin_bundle)  # Berlin's open data have no QM polygons
    # Issue 20: the 81 soziale Erhaltungsgebiete are a protection instrument, not funding: Berlin has no funding polygons,
    # so "need without funding" / "funded and improving" cannot be said, and the table says why instead
    assert {f["properties"]["instrument"] for f in fc["features"]} == {"protection"}
    assert not has_funding_programmes(berlin_bundle)
    gap = funding_gap_table(berlin_bundle, berlin_bundle.periods[-1], 0.5)
    assert gap.empty and "no funding-programme areas" in gap.attrs["note"]
    ov = unit_overlap(berlin_bundle, "planungsraum")
    assert (ov["funded_share"] == 0).all() and (ov["protected_share"] > 0.5).sum() > 50
    v = compute_need_funding(berlin_bundle, Basis(level="planungsraum"), berlin_bundle.periods[-1]).values["value"]
    assert v.isna().all()  # no value rather than a claim that need areas lack funding


def test_overlap_and_need_vs_funding_hand_worked(tiny):
    b = load_bundle(tiny)
    ov = unit_overlap(b, "block")["funded_share"]
    assert ov["A1"] == pytest.approx(1.0, abs=1e-3) and ov["A2"] == pytest.approx(0.25, abs=1e-3) and ov["B1"] == pytest.approx(0.0, abs=1e-3)
    assert unit_overlap(b, "block").loc["A1", "areas"] == "QM Nord"
    assert (unit_overlap(b, "block")["protected_share"] == 0).all()  # the tiny city's areas are funding programmes
    # A1: medium + negative → need, funded → 1; A2: low → need, 25 % < 50 % → 2; B1: medium + positive → 0; B2: high → 0
    v = compute_need_funding(b, Basis(level="block"), PERIOD).values["value"]
    assert v.to_dict() == {"A1": 1.0, "A2": 2.0, "B1": 0.0, "B2": 0.0}
    assert need_funding_class(np.array([0.0]), np.array([True])).tolist() == [3.0]
    status = compute_status(b, Basis(level="district"), PERIOD).values["value"]
    assert status.to_dict() == {"A": 3.0, "B": 2.0}  # resident-weighted mode: A2 (300, low) outweighs A1 (100)
    gap = funding_gap_table(b, PERIOD, 0.5)
    assert gap.set_index("unit_id")["gap"].to_dict() == {"A2": GAP_NEED}
    assert has_quartiersmanagement(b)


def _geojson(tmp_path, features, name="qm.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _feature(props, ring=((13.0, 52.01), (13.01, 52.01), (13.01, 52.02), (13.0, 52.02), (13.0, 52.01))):
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [list(map(list, ring))]}}


def test_funding_import_appends(tiny, tmp_path):
    assert importers()["funding_areas"].append
    path = _geojson(tmp_path, [_feature({"area_id": "QM2", "programme": "Quartiersmanagement", "name": "QM Süd",
                                         "start_year": 2020, "end_year": 2030, "budget_eur": 500000, "status": "laufend"})])
    import_file(tiny, "funding_areas", path, keep=False)
    fa = load_bundle.__wrapped__(tiny).table("funding_areas")
    assert sorted(fa["area_id"]) == ["QM1", "QM2"] and fa.set_index("area_id").loc["QM2", "end_year"] == 2030


def test_funding_import_errors_name_file_row_column(tiny, tmp_path):
    path = _geojson(tmp_path, [
        _feature({"area_id": "ok1", "programme": "Quartiersmanagement", "name": "fine"}),
        _feature({"area_id": "bad id!", "programme": "Quartiersmanagement", "name": "x", "start_year": "soon"}),
        _feature({"area_id": "ok3", "programme": "Quartiersmanagement", "name": "y", "start_year": 2020, "end_year": 2010,
                  "budget_eur": -5}),
    ], name="areas.geojson")
    with pytest.raises(BundleValidationError) as err:
        import_file(tiny, "funding_areas", path, keep=False)
    found = {(p.file, p.row, p.column) for p in err.value.problems}
    assert {("areas.geojson", 2, "area_id"), ("areas.geojson", 2, "start_year"), ("areas.geojson", 3, "end_year"),
            ("areas.geojson", 3, "budget_eur")} <= found
    missing = _geojson(tmp_path, [_feature({"area_id": "x1", "name": "no programme"})], name="missing.geojson")
    with pytest.raises(BundleValidationError) as err:
        import_file(tiny, "funding_areas", missing, keep=False)
    assert ("missing.geojson", None, "programme") in {(p.file, p.row, p.column) for p in err.value.problems}


def test_space_use_import_and_errors(tiny, tmp_path):
    good = tmp_path / "counts.csv"
    good.write_text("place_id,timestamp,count,method\npark2,2024-06-01T08:00,10,observation\npark2,2024-06-01T17:00,15,observation\n"
                    "park2,2024-06-02,7,observation\n", encoding="utf-8")
    import_file(tiny, "space_use", good, keep=False)
    b = load_bundle.__wrapped__(tiny)
    assert use_series(b, "park2")["count"].tolist() == [25, 7]  # the two counts of 1 June summed to one day
    assert use_series(b, "park1")["count"].tolist() == [120, 80, 95]  # appended, existing counts kept
    bad = tmp_path / "bad.csv"
    bad.write_text("space_id,timestamp,count,method\npark1,2024-07-01,-3,counter\npark1,31.07.2024,5,counter\n"
                   "park1,2024-07-03,4,guess\npark1,2024-07-04,2.5,counter\n", encoding="utf-8")
    with pytest.raises(BundleValidationError) as err:
        import_file(tiny, "space_use", bad, keep=False)
    found = {(p.file, p.row, p.column) for p in err.value.problems}
    assert {("bad.csv", 1, "count"), ("bad.csv", 2, "timestamp"), ("bad.csv", 3, "method"), ("bad.csv", 4, "count")} <= found
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("space_id,count,method\npark1,3,counter\n", encoding="utf-8")
    with pytest.raises(BundleValidationError) as err:
        import_file(tiny, "space_use", nocol, keep=False)
    assert ("nocol.csv", None, "timestamp") in {(p.file, p.row, p.column) for p in err.value.problems}
    shutil.rmtree(tiny)


def test_attention_layer_states_the_mss_date_and_only_its_own_sources(berlin_bundle):
    """Issue 20: funding_attention carried the population Stichtag 31.12.2024 although MSS 2021 is as of 31.12.2020, and
    named a source it does not use (the soziale Erhaltungsgebiete)."""
    from layers.funding.layers import compute_attention
    from layers.spatial.basis import Basis

    r = compute_attention(berlin_bundle, Basis(level="planungsraum"), berlin_bundle.periods[-1])
    assert dict(r.data_dates) == {"mss": "2020-12-31"}
    assert "mss" in r.sources and "erhaltungsgebiete" not in r.sources
