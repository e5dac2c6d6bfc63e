"""The one table handler: every table route's rows pass the one exit and leave as JSON, CSV or GeoJSON in one shape."""

from __future__ import annotations

import io
import math

import orjson
import pandas as pd
import pytest
from flask import Flask, Response, request

from dashboard.answers import error_answer, json_bytes, records
from dashboard.context import SETTINGS_KEY
from dashboard.table_routes import TableAnswer, TableRoute, table_blueprint
from layers import TableSpec
from layers.publication import InternalRefused
from layers.settings import load_settings

POINTS = TableSpec("test/points", residents={"residents": ("share_pct",)})
HIDDEN = TableSpec("test/hidden", planner_only=True)


def _rows() -> pd.DataFrame:
    return pd.DataFrame({"id": ["a", "b", "c"], "residents": [10, 400, 0], "share_pct": [12.3456, 50.0, math.inf],
                         "lon": [13.4, 13.5, 13.6], "lat": [52.5, 52.6, 52.7]})


def _client(mode: str, tmp_path):
    def points(kind: str) -> TableAnswer | Response:
        if kind == "none":
            return error_answer(404, "no points of this kind", kind=kind)
        return TableAnswer(_rows(), {"period": "2024-12-31", "kind": kind}, f"points_{kind}", request.args.get("format", "json"),
                           {"period": "2024-12-31"})

    app = Flask("tables")
    app.config[SETTINGS_KEY] = load_settings(environ={}, bundle_dir=str(tmp_path), mode=mode, min_residents=50)
    app.register_blueprint(table_blueprint([
        TableRoute(POINTS, points, rule="/test/<kind>/points", geojson_id="id", geojson_properties=("share_pct",)),
        TableRoute(HIDDEN, lambda: TableAnswer(_rows(), {}, "hidden")),
    ]))
    return app.test_client()


def test_json_has_the_metadata_first_and_null_for_what_has_no_value(tmp_path):
    body = orjson.loads(_client("planner", tmp_path).get("/api/v1/test/kitas/points").data)
    assert list(body) == ["period", "kind", "rows"] and body["kind"] == "kitas"
    assert body["rows"][0] == {"id": "a", "residents": 10, "share_pct": 12.3456, "lon": 13.4, "lat": 52.5}
    assert body["rows"][2]["share_pct"] is None  # infinity is no value, and never 0


def test_csv_carries_the_constant_columns_and_the_file_name(tmp_path):
    answer = _client("planner", tmp_path).get("/api/v1/test/kitas/points?format=csv")
    assert answer.mimetype == "text/csv" and "points_kitas.csv" in answer.headers["Content-Disposition"]
    table = pd.read_csv(io.BytesIO(answer.data))
    assert list(table.columns) == ["id", "residents", "share_pct", "lon", "lat", "period"] and set(table["period"]) == {"2024-12-31"}


def test_geojson_of_a_point_table(tmp_path):
    answer = _client("planner", tmp_path).get("/api/v1/test/kitas/points?format=geojson")
    body = orjson.loads(answer.data)
    assert answer.mimetype == "application/geo+json" and body["metadata"]["kind"] == "kitas"
    assert body["features"][1] == {"type": "Feature", "id": "b", "geometry": {"type": "Point", "coordinates": [13.5, 52.6]},
                                   "properties": {"share_pct": 50.0}}


def test_the_portal_gets_the_published_rows(tmp_path):
    rows = orjson.loads(_client("portal", tmp_path).get("/api/v1/test/kitas/points").data)["rows"]
    assert rows[0]["residents"] is None and rows[0]["share_pct"] is None  # 10 residents < 50: not shown, its share neither
    assert rows[1]["residents"] == 400 and rows[1]["share_pct"] == 50.0


def test_a_planner_only_table_is_refused_by_the_exit_in_the_portal(tmp_path):
    client = _client("portal", tmp_path)
    client.application.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(InternalRefused):
        client.get("/api/v1/test/hidden")


def test_a_finished_answer_of_a_producer_goes_out_as_it_is(tmp_path):
    answer = _client("planner", tmp_path).get("/api/v1/test/none/points")
    assert answer.status_code == 404 and orjson.loads(answer.data) == {"error": "no points of this kind", "kind": "none"}


def test_dates_in_rows_are_iso_text():
    rows = records(pd.DataFrame({"day": pd.to_datetime(["2024-12-31", None]), "n": [1, 2]}))
    assert orjson.loads(json_bytes({"rows": rows})) == {"rows": [{"day": "2024-12-31T00:00:00", "n": 1}, {"day": None, "n": 2}]}


def test_records_leave_no_numpy_scalars_and_no_nan():
    rows = records(pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "x": [0.5, float("nan")], "b": [True, False]}))
    assert rows == [{"n": 1, "x": 0.5, "b": True}, {"n": None, "x": None, "b": False}]
    assert all(type(v) in (int, float, bool, type(None)) for row in rows for v in row.values())


def test_a_producer_cannot_answer_rows_past_the_exit(tmp_path):
    app = Flask("bypass")
    app.config[SETTINGS_KEY] = load_settings(environ={}, bundle_dir=str(tmp_path), mode="planner")
    app.config["PROPAGATE_EXCEPTIONS"] = True
    app.register_blueprint(table_blueprint([TableRoute(POINTS, lambda: Response(b'{"rows": [1]}', mimetype="application/json"))]))
    with pytest.raises(TypeError, match="skipped the exit"):
        app.test_client().get("/api/v1/test/points")
