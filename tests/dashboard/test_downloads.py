"""Downloads in every format (issue 16 item 3): the same published values as the JSON API, with area names, unit,
Stichtag, source and licence, read back with the tools their users have (GDAL through pyogrio, pandas/openpyxl for
Excel, GeoParquet through geopandas)."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from dashboard.app import create_app
from layers.settings import load_settings

LAYER = "migration_share"


def _client(settings, bundle, tmp_path, mode):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode=mode, access_log=False, rate_limit_api="",
                      rate_limit_downloads="", rate_limit_callbacks="", cell_key_secret_file=str(tmp_path / "secret"))
    return create_app(s, bundle.folder).server.test_client()


@pytest.fixture(scope="module", params=["portal", "planner"])
def demo(request, demo_bundle, settings, tmp_path_factory):
    return _client(settings, demo_bundle, tmp_path_factory.mktemp("dl"), request.param), demo_bundle, request.param


def _expected(client, query: str) -> pd.DataFrame:
    body = client.get(f"/api/v1/layers/{LAYER}?{query}&format=json").get_json()
    return pd.DataFrame(body["values"]).set_index("id")


def _read(fmt: str, data: bytes, tmp_path) -> pd.DataFrame:
    if fmt in ("gpkg", "fgb"):
        path = tmp_path / f"file.{fmt}"
        path.write_bytes(data)
        frame = pyogrio.read_dataframe(path)
        assert frame.crs.to_epsg() == 4326 and frame.geometry.notna().all() and frame.geometry.is_valid.all()
        return frame
    if fmt == "parquet":
        frame = gpd.read_parquet(io.BytesIO(data))
        assert frame.crs.to_epsg() == 4326 and frame.geometry.notna().all()
        return frame
    if fmt == "xlsx":
        return pd.read_excel(io.BytesIO(data), sheet_name="Werte", dtype={"id": str})
    return pd.read_csv(io.BytesIO(data), dtype={"id": str})


@pytest.mark.parametrize("fmt, mimetype, extension", [
    ("csv", "text/csv", "csv"), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("parquet", "application/vnd.apache.parquet", "parquet"), ("gpkg", "application/geopackage+sqlite3", "gpkg"),
    ("fgb", "application/flatgeobuf", "fgb"),
])
@pytest.mark.parametrize("basis", ["level", "res=9"])
def test_every_format_carries_the_published_values_names_and_provenance(demo, tmp_path, fmt, mimetype, extension, basis):
    client, bundle, mode = demo
    query = f"level={bundle.finest_level.id}" if basis == "level" else basis
    answer = client.get(f"/api/v1/layers/{LAYER}?{query}&format={fmt}")
    assert answer.status_code == 200 and answer.mimetype == mimetype
    assert answer.headers["Content-Disposition"].endswith(f".{extension}")
    got = _read(fmt, answer.data, tmp_path).set_index("id")
    expected = _expected(client, query)
    assert sorted(got.index) == sorted(expected.index)
    np.testing.assert_allclose(got["value"].reindex(expected.index).astype(float), expected["value"].astype(float), rtol=1e-9)
    assert (got["unit"] == "%").all() and (got["period"] == bundle.periods[-1]).all()
    assert got["source"].str.len().gt(0).all() and got["licence"].str.len().gt(0).all()
    if basis == "level":
        names = bundle.units_of(bundle.finest_level.id)["name"]
        assert (got["name"] == names.reindex(got.index)).all()
    if mode == "portal":  # a hidden value is hidden in every format: no number where the JSON has none
        hidden = expected.index[expected["value"].isna()]
        assert got.loc[hidden, "value"].isna().all()


def test_geopackage_says_what_it_is(demo, tmp_path):
    client, bundle, _ = demo
    path = tmp_path / "layer.gpkg"
    path.write_bytes(client.get(f"/api/v1/layers/{LAYER}?format=gpkg").data)
    info = pyogrio.read_info(path, layer=LAYER)
    about = info["layer_metadata"]
    assert about["UNIT"] == "%" and about["PERIOD"] == bundle.periods[-1] and about["LICENCE"] and about["SOURCES"]
    assert info["features"] == len(bundle.units_of(bundle.finest_level.id))


def test_the_excel_workbook_keeps_ids_as_text_and_has_a_metadata_sheet(berlin_bundle, settings, tmp_path):
    import openpyxl

    client = _client(settings, berlin_bundle, tmp_path, "portal")
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/v1/layers/{LAYER}?level=planungsraum&format=xlsx").data))
    ids = [row[0] for row in book["Werte"].iter_rows(min_row=2)]
    assert len(ids) == 542 and all(cell.data_type == "s" for cell in ids)  # text cells, as Excel shows them
    assert ids[0].value == "01100101"  # the leading zero kept
    about = {row[0].value: row[1].value for row in book["Metadaten"].iter_rows(min_row=2)}
    assert about["unit"] == "%" and about["period"] == berlin_bundle.periods[-1] and about["licence"]


def test_the_german_excel_csv(berlin_bundle, settings, tmp_path):
    client = _client(settings, berlin_bundle, tmp_path, "planner")
    answer = client.get(f"/api/v1/layers/{LAYER}?level=planungsraum&format=csv-de")
    assert answer.status_code == 200 and answer.headers["Content-Disposition"].endswith("_de.csv")
    raw = answer.data
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads umlauts right
    text = raw.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.startswith("id;name;value;") and ";nein;" in first
    assert first.startswith('"=""0')  # the id as Excel text: ="01100101"
    table = pd.read_csv(io.StringIO(text), sep=";", decimal=",", dtype={"id": str})
    table["id"] = table["id"].str.removeprefix('="').str.removesuffix('"')
    expected = _expected(client, "level=planungsraum")
    got = table.set_index("id")["value"].reindex(expected.index)
    np.testing.assert_allclose(got.astype(float), expected["value"].astype(float), rtol=1e-9)
    assert "Stülerstraße" in text or "ß" in text  # umlauts intact


def test_the_german_ui_offers_the_excel_csv(demo):
    client, bundle, _ = demo
    from tests.dashboard.test_response_cache import _body

    german = client.post("/_dash-update-component", data=_body(bundle, 1), content_type="application/json").get_data(as_text=True)
    assert "format=csv-de" in german and "format=gpkg" in german and "format=xlsx" in german


def test_a_workbook_of_too_many_areas_is_refused_with_the_alternatives(demo, monkeypatch):
    client, bundle, _ = demo
    monkeypatch.setattr("dashboard.api.MAX_XLSX_ROWS", 10)
    answer = client.get(f"/api/v1/layers/{LAYER}?res=9&period={bundle.periods[0]}&format=xlsx")  # not asked before: not in the cache
    body = answer.get_json()
    assert answer.status_code == 400 and body["parameter"] == "format" and "gpkg" in body["allowed"][0]


def test_a_name_that_looks_like_a_formula_stays_text_in_excel(demo_bundle, settings, tmp_path, monkeypatch):
    import openpyxl

    evil = '=HYPERLINK("http://evil.example","click")'
    monkeypatch.setattr("dashboard.api.area_names", lambda bundle, basis: {uid: evil for uid in bundle.ids(basis)})
    client = _client(settings, demo_bundle, tmp_path, "planner")
    query = f"/api/v1/layers/{LAYER}?level={demo_bundle.finest_level.id}"
    book = openpyxl.load_workbook(io.BytesIO(client.get(query + "&format=xlsx").data))
    names = [row[1] for row in book["Werte"].iter_rows(min_row=2)]
    assert all(cell.data_type == "s" and cell.value == evil for cell in names)
    text = client.get(query + "&format=csv-de").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ';"=HYPERLINK' not in text and ";=HYPERLINK" not in text
