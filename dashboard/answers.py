"""The read API's one renderer per format: JSON, GeoJSON, and a table's rows as JSON records (CSV: `downloads.csv_answer`).

Every JSON body of the API passes `json_answer` (orjson; NumPy scalars allowed, NaN and ±infinity written as null), so
a number looks the same in every answer; every table's rows pass `records`, so "no value" is ``null`` and never 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
import pandas as pd
from flask import Response

JSON = "application/json"
GEOJSON = "application/geo+json"


def _iso(value: Any) -> str:
    """pandas' timestamps (a subclass orjson does not take) as ISO 8601 text."""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def json_bytes(body: Any) -> bytes:
    """`body` as JSON bytes: orjson with NumPy scalars and arrays; NaN and ±infinity become null (orjson's rule); a pandas
    timestamp becomes ISO 8601 text."""
    return orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY, default=_iso)


def json_answer(body: Any, status: int = 200, mimetype: str = JSON, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON answer (`json_bytes`); `mimetype` for the JSON dialects (GeoJSON, JSON-LD)."""
    return Response(json_bytes(body), status=status, mimetype=mimetype, headers=dict(headers or {}))


def error_answer(status: int, message: str, **extra: Any) -> Response:
    """An error of the read API: ``{"error": message, **extra}`` (e.g. the parameter and its allowed values)."""
    return json_answer({"error": message, **extra}, status=status)


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows of `frame` (its index left out) as JSON-ready dicts: Python scalars, a missing or non-finite number None.

    >>> records(pd.DataFrame({"id": ["a", "b"], "value": [1.5, float("nan")], "n": [3, 4]}))
    [{'id': 'a', 'value': 1.5, 'n': 3}, {'id': 'b', 'value': None, 'n': 4}]
    """
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()} for row in rows]


def point_features(rows: Iterable[Mapping[str, Any]], id_column: str, properties: Iterable[str]) -> list[dict]:
    """GeoJSON point features of `rows` that carry ``lon`` and ``lat`` (WGS84 degrees).

    >>> point_features([{"id": "k1", "name": "Kita", "lon": 13.4, "lat": 52.5}], "id", ["name"])
    [{'type': 'Feature', 'id': 'k1', 'geometry': {'type': 'Point', 'coordinates': [13.4, 52.5]}, 'properties': {'name': 'Kita'}}]
    """
    properties = tuple(properties)
    return [{"type": "Feature", "id": row[id_column], "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
             "properties": {k: row[k] for k in properties}} for row in rows]
