"""Imports that never lose data (issue 14): a table of malformed files, each refused with its message (file, row or
column) and the bundle — and the folder of kept imports — byte-for-byte unchanged afterwards."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from layers.bundle.validate import BundleValidationError
from layers.sources.user_files import import_file, imports_folder

HEAD = "facility_id,period,children_total,children_mig_bg,measure\n"
USE = "space_id,timestamp,count,method\n"
MUNICH = [[11.55, 48.13], [11.57, 48.13], [11.57, 48.15], [11.55, 48.15], [11.55, 48.13]]
INSIDE = [[13.00, 52.00], [13.01, 52.00], [13.01, 52.005], [13.00, 52.005], [13.00, 52.00]]


def _geojson(props: dict, coords=None, kind="Polygon") -> str:
    geometry = {"type": kind, "coordinates": coords if coords is not None else [INSIDE]}
    feature = {"type": "Feature", "properties": {"area_id": "QMX1", "programme": "Quartiersmanagement", "name": "Test", **props},
               "geometry": geometry}
    return json.dumps({"type": "FeatureCollection", "features": [feature]})


CASES = [
    # (id, kind, file name, content, expected fragment of the message)
    ("empty compositions", "facility_composition", "c.csv", "", "empty"),
    ("header-only compositions", "facility_composition", "c.csv", HEAD, "no data rows"),
    ("not UTF-8", "facility_composition", "c.csv", b"facility_id,period\n\xff\xfe\x00", "UTF-8"),
    ("missing column", "facility_composition", "c.csv", "facility_id,period,children_total\nKITA00001,2024-12-31,10\n", "required column is missing"),
    ("negative count", "facility_composition", "c.csv", HEAD + "KITA00001,2024-12-31,-5,1,mig_bg\n", "negative count"),
    ("group above total", "facility_composition", "c.csv", HEAD + "KITA00001,2024-12-31,10,12,mig_bg\n", "above its total"),
    ("count is text", "facility_composition", "c.csv", HEAD + "KITA00001,2024-12-31,ten,1,mig_bg\n", "is not a count"),
    ("count is NaN", "facility_composition", "c.csv", HEAD + "KITA00001,2024-12-31,NaN,1,mig_bg\n", "row 1"),
    ("fractional count", "facility_composition", "c.csv", HEAD + "KITA00001,2024-12-31,10.5,1,mig_bg\n", "not a whole number"),
    ("bad date", "facility_composition", "c.csv", HEAD + "KITA00001,31.12.2024,10,1,mig_bg\n", "is not a date"),
    ("unknown measure", "facility_composition", "c.csv", HEAD + "KITA00001,2024-12-31,10,1,religion\n", "is not one of"),
    ("duplicate rows", "facility_composition", "c.csv", HEAD + "KITA00001,2024-12-31,10,1,mig_bg\nKITA00001,2024-12-31,11,2,mig_bg\n",
     "duplicate"),
    ("wrong suffix", "facility_composition", "c.txt", HEAD + "KITA00001,2024-12-31,10,1,mig_bg\n", "must be a .csv"),
    ("empty space use", "space_use", "u.csv", "", "u.csv"),
    ("header-only space use", "space_use", "u.csv", USE, "no data rows"),
    ("negative use count", "space_use", "u.csv", USE + "PARK00002,2024-03-01,-3,counter\n", "negative count"),
    ("infinite use count", "space_use", "u.csv", USE + "PARK00002,2024-03-01,inf,counter\n", "count"),
    ("bad timestamp", "space_use", "u.csv", USE + "PARK00002,yesterday,3,counter\n", "timestamp"),
    ("binary space use", "space_use", "u.csv", b"\x00\x01\x02\xff\xfe", "u.csv"),
    ("two methods one day", "space_use", "u.csv", USE + "PARK00002,2024-03-01,3,counter\nPARK00002,2024-03-01,4,observation\n",
     "two methods"),
    ("empty funding collection", "funding_areas", "f.geojson", '{"type": "FeatureCollection", "features": []}', "no data rows"),
    ("infinite budget", "funding_areas", "f.geojson", _geojson({"budget_eur": "Infinity"}), "finite"),
    ("negative budget", "funding_areas", "f.geojson", _geojson({"budget_eur": -5}), "negative budget"),
    ("polygon in Munich", "funding_areas", "f.geojson", _geojson({}, [MUNICH]), "outside the city"),
    ("longitude and latitude swapped", "funding_areas", "f.geojson", _geojson({}, [[[y, x] for x, y in INSIDE]]), "swapped"),
    ("missing area id", "funding_areas", "f.geojson", _geojson({"area_id": None}), "area_id"),
    ("end before start", "funding_areas", "f.geojson", _geojson({"start_year": 2020, "end_year": 2010}), "before the start year"),
    ("point instead of polygon", "funding_areas", "f.geojson", _geojson({}, [13.005, 52.002], "Point"), "Polygon"),
    ("self-crossing polygon", "funding_areas", "f.geojson",
     _geojson({}, [[[13.0, 52.0], [13.01, 52.005], [13.01, 52.0], [13.0, 52.005], [13.0, 52.0]]]), "invalid geometry"),
    ("not JSON", "funding_areas", "f.geojson", "this is not json", "f.geojson"),
    ("fractional year", "funding_areas", "f.geojson", _geojson({"start_year": 2020.5}), "whole year"),
    ("unknown kind", "recipes", "r.csv", "a,b\n1,2\n", "unknown import kind"),
]


def _tree_hash(*folders: Path) -> str:
    h = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.exists() else []:
            if path.is_file():
                h.update(str(path.relative_to(folder)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def bundle_copy(demo_bundle, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("imports") / "demo-small"
    shutil.copytree(demo_bundle.folder, folder)
    return folder


def test_the_table_has_at_least_thirty_cases():
    assert len(CASES) >= 30 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_malformed_file_is_refused_and_nothing_changes(bundle_copy, tmp_path, case):
    _, kind, name, content, expected = case
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = _tree_hash(bundle_copy, imports_folder(bundle_copy))
    with pytest.raises((BundleValidationError, ValueError, FileNotFoundError)) as err:
        import_file(bundle_copy, kind, path)
    message = str(err.value)
    assert expected in message, message
    assert "Traceback" not in message
    assert _tree_hash(bundle_copy, imports_folder(bundle_copy)) == before, "the bundle or its kept imports changed"


def test_a_good_geopackage_is_accepted_and_credited(bundle_copy, tmp_path):
    import geopandas as gpd
    import shapely

    from layers.bundle import load_bundle
    from layers.bundle.store import read_manifest

    gdf = gpd.GeoDataFrame({"area_id": ["QMGPKG1"], "programme": ["Quartiersmanagement"], "name": ["Aus GeoPackage"],
                            "budget_eur": [350000.0]}, geometry=[shapely.Polygon(INSIDE)], crs="EPSG:4326")
    path = tmp_path / "qm.gpkg"
    gdf.to_file(path, driver="GPKG")
    import_file(bundle_copy, "funding_areas", path)
    load_bundle.cache_clear()
    assert "QMGPKG1" in set(load_bundle(bundle_copy).table("funding_areas")["area_id"])
    credit = [s for s in read_manifest(bundle_copy).sources if s.key == "import_funding_areas_qm"]
    assert credit and "qm.gpkg" in credit[0].attribution and "1 rows" in credit[0].attribution


def test_many_problems_are_counted_not_cut_at_25(tmp_path):
    import pandas as pd

    from layers.bundle.schema import TABLES
    from layers.bundle.validate import check_table

    df = pd.DataFrame({"facility_id": ["KITA00001"] * 1000, "period": ["2024-12-31"] * 1000, "children_total": ["10"] * 1000,
                       "children_mig_bg": ["1"] * 1000})
    err = BundleValidationError(check_table(TABLES["facility_composition"], df, "many.csv"))
    assert err.total == 999 and "999 problem(s)" in str(err) and "and 974 more" in str(err)


def test_validate_names_the_manifest_it_cannot_read(tmp_path):
    from layers.bundle.check import validate_bundle_folder

    (tmp_path / "manifest.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(BundleValidationError, match="manifest.json"):
        validate_bundle_folder(tmp_path)
