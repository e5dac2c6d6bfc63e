"""The one route of every topic table: `/api/v1/<table name>`, rendered in the format asked for after the one exit.

A topic's API module declares its tables as `TableRoute`s (``TABLE_ROUTES``, named by its `layers.topic.Topic`); each
route's producer parses its request and returns a `TableAnswer` (the table before publication, the metadata, a file name
and the format). `serve_table` is the one handler: it passes the rows through `layers.publication.publish_table` and
renders them as JSON, CSV or GeoJSON. `table_blueprint` registers the routes of the topics a deployment serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from flask import Blueprint, Response

from layers import TableSpec, publish_records, publish_table, sources_for

from .answers import GEOJSON, json_answer, point_features, records
from .context import current_bundle, current_settings
from .downloads import csv_answer

TABLE_FORMATS = ("json", "csv")


@dataclass(frozen=True)
class TableAnswer:
    """What a table route's producer found: rows before publication and what the answer says about them.

    Parameters
    ----------
    rows : DataFrame or list of dict
        The table, one row per record with its id as a column (the index is not written); a list of records for
        answers built as records.
    meta : dict
        The answer's metadata (city, period, sources, units …), written before the rows in JSON. It does not pass the
        exit: it must carry no figure about the people of one area (those belong in `rows`, or are checked against the
        portal's minimums by the producer, as the arrival profile of areas like mine is).
    filename : str
        The CSV download's name, without ``.csv``.
    fmt : str
        The format asked for (``json``, ``csv`` or ``geojson``), as the producer checked it.
    csv_columns : dict
        Constant columns a CSV carries in every row, since it has no place for metadata (period, basis …).
    """

    rows: pd.DataFrame | list[dict]
    meta: dict
    filename: str
    fmt: str = "json"
    csv_columns: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TableRoute:
    """One table of a topic served under /api/v1.

    Parameters
    ----------
    spec : TableSpec
        The table: its name is its path (``/api/v1/<name>``) and its disclosure rules apply to every row.
    produce : callable
        ``produce(**path_parameters) -> TableAnswer | Response``; a Response is for errors only (an explained 404 when
        a bundle lacks the data) and goes out as it is: `serve_table` refuses one with a success status, since its
        body would not have passed the exit.
    rule : str or None
        The path under /api/v1 when it carries a parameter (``/areas/<unit_id>/similar``); default ``/<spec.name>``.
    methods : tuple of str
        HTTP methods (``GET``; ``POST`` for routes that take a scenario in the body).
    rows_key : str
        The JSON key of the rows.
    geojson_id : str or None
        For tables of points (columns ``lon``, ``lat``): the id column of their GeoJSON features, whose properties are
        ``geojson_properties``.
    """

    spec: TableSpec
    produce: Callable[..., TableAnswer | Response]
    rule: str | None = None
    methods: tuple[str, ...] = ("GET",)
    rows_key: str = "rows"
    geojson_id: str | None = None
    geojson_properties: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return self.rule or f"/{self.spec.name}"


def table_meta(period: str | None = None) -> dict:
    """The metadata a topic table gives when all of the bundle's sources apply (infrastructure, public space, funding,
    accommodation): city, period, every source the audience may see named, and in the portal how small areas are
    protected. Topics whose tables rest on fewer sources (education, segregation) name those."""
    bundle, settings = current_bundle(), current_settings()
    return {"city": bundle.manifest.city, "synthetic": bundle.manifest.synthetic, "period": period,
            "sources": [s.attribution for s in sources_for(bundle, settings)],
            "suppressed_note": f"portal: values of areas with fewer than {settings.min_residents} residents are not shown; "
                               "counts carry a small fixed noise (cell-key method)"
            if settings.mode == "portal" else None}


def _published(route: TableRoute, rows: pd.DataFrame | list[dict]) -> pd.DataFrame | list[dict]:
    settings = current_settings()
    if isinstance(rows, pd.DataFrame):
        return publish_table(rows, route.spec, settings)
    return publish_records(rows, route.spec, settings)


def serve_table(route: TableRoute, **path_parameters: str) -> Response:
    """The one handler of every table route: produce, publish, render."""
    answer = route.produce(**path_parameters)
    if isinstance(answer, Response):
        if answer.status_code < 400:
            raise TypeError(f"table route {route.spec.name!r}: a producer answers with rows (TableAnswer) or an error, "
                            f"not a finished {answer.status_code} answer that skipped the exit")
        return answer
    rows = _published(route, answer.rows)
    if answer.fmt == "csv":
        return csv_answer(rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows), answer.filename, **answer.csv_columns)
    rows = records(rows) if isinstance(rows, pd.DataFrame) else rows
    if answer.fmt == "geojson" and route.geojson_id:
        features = point_features(rows, route.geojson_id, route.geojson_properties)
        return json_answer({"type": "FeatureCollection", "features": features, "metadata": answer.meta}, mimetype=GEOJSON)
    return json_answer({**answer.meta, route.rows_key: rows})


def _view(route: TableRoute) -> Callable[..., Response]:
    def view(**path_parameters: str) -> Response:
        return serve_table(route, **path_parameters)
    view.__doc__ = route.produce.__doc__  # what the route does, for whoever reads the URL map
    return view


def table_blueprint(routes: Iterable[TableRoute]) -> Blueprint:
    """A blueprint of `routes` under /api/v1, each bound to `serve_table` (one per app: its routes depend on the mode)."""
    blueprint = Blueprint("api_tables", __name__, url_prefix="/api/v1")
    for route in routes:
        blueprint.add_url_rule(route.path, endpoint=route.spec.name, view_func=_view(route), methods=list(route.methods))
    return blueprint
