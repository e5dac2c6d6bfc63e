"""A layer's published values as a file: CSV, CSV for German Excel, Excel workbook, GeoParquet, GeoPackage, FlatGeobuf.

Every format carries the same rows (the values the API's JSON gives, after the publication step) with the area's name,
unit, Stichtag, source and licence in every row, so a file that travels alone still says what it is. GIS formats carry
the exact geometry of the bundle (WGS84), not the map's simplified outlines.
"""

from __future__ import annotations

import io
import os
import tempfile

import geopandas as gpd
import pandas as pd
import pyogrio
from flask import Response

from layers.bundle import Bundle
from layers.spatial import Basis, basis_geometries

CRS = "EPSG:4326"
# format → (file extension, media type)
FILE_FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("csv", "text/csv"),
    "csv-de": ("csv", "text/csv"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "parquet": ("parquet", "application/vnd.apache.parquet"),
    "gpkg": ("gpkg", "application/geopackage+sqlite3"),
    "fgb": ("fgb", "application/flatgeobuf"),
}
OGR_DRIVERS = {"gpkg": "GPKG", "fgb": "FlatGeobuf"}
ID_COLUMNS = ("id", "fallback_from")  # text, even where they look like numbers (Berlin's 08-digit LOR ids)
MAX_XLSX_ROWS = 20_000  # a workbook of H3 res 10 (67,388 cells) takes ~15 s of CPU to write: CSV, GeoPackage or Parquet serve it
FORMULA_START = ("=", "+", "-", "@")  # a text cell starting so is a formula to Excel (CSV injection): kept as text


def area_names(bundle: Bundle, basis: Basis) -> dict[str, str]:
    """Official names of the units of a level; H3 cells have none (empty)."""
    if basis.is_h3:
        return {}
    return bundle.units_of(basis.level)["name"].astype(str).to_dict()


def csv_bytes(table: pd.DataFrame, **constant_columns) -> bytes:
    """`table` as plain CSV (comma, decimal point, UTF-8, no index), the one CSV writer of every download and table route.

    A CSV has no envelope for metadata, so what the JSON answer says once (period, basis, group …) can ride along as
    `constant_columns`, appended after the table's own columns.
    """
    return table.assign(**constant_columns).to_csv(index=False).encode("utf-8")


def csv_answer(table: pd.DataFrame, filename: str, **constant_columns) -> Response:
    """The download `filename`.csv of `table` (see `csv_bytes`)."""
    return Response(csv_bytes(table, **constant_columns), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}.csv"})


def _german_excel_csv(table: pd.DataFrame) -> bytes:
    """`;`-separated, decimal comma, UTF-8 with BOM (Excel's cue for UTF-8), yes/no for booleans, ids kept as text
    (`="05100315"`, the form Excel reads as text: without it Excel drops leading zeros)."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == bool:
            out[column] = out[column].map({True: "ja", False: "nein"})
    for column in out.columns:
        if column not in ID_COLUMNS and (pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object):
            out[column] = out[column].map(lambda v: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    for column in ID_COLUMNS:
        if column in out:
            out[column] = out[column].map(lambda v: f'="{v}"' if isinstance(v, str) and v else v)
    return out.to_csv(index=False, sep=";", decimal=",", encoding="utf-8").encode("utf-8-sig")


def _workbook(table: pd.DataFrame, about: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="Werte", index=False)
        pd.DataFrame({"Angabe": list(about), "Wert": list(about.values())}).to_excel(writer, sheet_name="Metadaten", index=False)
        for sheet in writer.sheets.values():
            sheet.freeze_panes = "A2"
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":  # a text from the data that starts with "=": text, never a formula
                        cell.data_type = "s"
    return buffer.getvalue()


def _geo_frame(table: pd.DataFrame, bundle: Bundle, basis: Basis) -> gpd.GeoDataFrame:
    ids, geoms = basis_geometries(bundle, basis, display=False)
    geometry = pd.Series(list(geoms), index=list(ids)).reindex(table["id"].tolist()).to_numpy()
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry=gpd.GeoSeries(geometry, crs=CRS), crs=CRS)


def _ogr_file(frame: gpd.GeoDataFrame, fmt: str, layer: str, about: dict[str, str]) -> bytes:
    """GeoPackage or FlatGeobuf through GDAL (pyogrio); both need a real file to write."""
    handle, path = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(handle)
    os.unlink(path)  # GDAL creates the file itself
    try:
        metadata = {"layer_metadata": {k.upper(): v for k, v in about.items()}} if fmt == "gpkg" else {}
        pyogrio.write_dataframe(frame, path, layer=layer, driver=OGR_DRIVERS[fmt], **metadata)
        with open(path, "rb") as f:
            return f.read()
    finally:
        if os.path.exists(path):
            os.unlink(path)


def file_answer(fmt: str, table: pd.DataFrame, bundle: Bundle, basis: Basis, layer: str, filename: str,
                about: dict[str, str]) -> Response:
    """The download of `table` in `fmt` (a key of FILE_FORMATS) with its geometry where the format holds one.

    Parameters
    ----------
    table : one row per area: id, name, value, unit, period, source, licence and the layer's other columns.
    about : what the file is (title, unit, Stichtag, sources, licences, disclosure note) for formats with metadata.
    """
    extension, mimetype = FILE_FORMATS[fmt]
    if fmt == "csv":
        body = csv_bytes(table)
    elif fmt == "csv-de":
        body = _german_excel_csv(table)
    elif fmt == "xlsx":
        body = _workbook(table, about)
    elif fmt == "parquet":
        buffer = io.BytesIO()
        _geo_frame(table, bundle, basis).to_parquet(buffer, index=False)
        body = buffer.getvalue()
    else:
        body = _ogr_file(_geo_frame(table, bundle, basis), fmt, layer, about)
    suffix = "_de" if fmt == "csv-de" else ""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}{suffix}.{extension}"})
