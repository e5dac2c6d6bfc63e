"""Data API of the infrastructure, public-space and funding section: /api/v1/infrastructure/…, /api/v1/public-space/…,
/api/v1/funding/…. Same `layers/` functions as the panel; in the portal, values for areas with fewer residents than
`min_residents` are removed."""

from __future__ import annotations

import numpy as np
import pandas as pd
from flask import Blueprint, Response, request

from layers import ParameterError, TableSpec, publish_table
from layers.infrastructure import (
    ACCESS,
    FACILITIES,
    FUNDING_GAP,
    FUNDING_PROFILE,
    SPACE_SUPPLY,
    SPACE_USE,
    access_profile,
    current_params,
    facility_points,
    facility_types,
    funding_gap_table,
    funding_geojson_bytes,
    funding_profile,
    space_profile,
    use_series,
    use_summary,
)

from .answers import GEOJSON, json_answer
from .api import format_param, period_param
from .context import current_bundle, current_settings
from .table_routes import TABLE_FORMATS, TableAnswer, TableRoute, table_meta

api_infrastructure = Blueprint("api_infrastructure", __name__, url_prefix="/api/v1")
FACILITY_PROPERTIES = ("facility_id", "type", "name", "capacity", "provider", "unit_id")


def _unit() -> str | None:
    unit = request.args.get("unit") or None
    bundle = current_bundle()
    if unit is not None and unit not in set(bundle.units["unit_id"]):
        raise ParameterError("unit", unit, sorted(bundle.units_of(bundle.levels[0].id).index) + ["… any unit id"])
    return unit


def _record(body: dict, spec: TableSpec) -> dict:
    """A one-row answer (a profile of one area) through the one exit."""
    row = publish_table(pd.DataFrame([{k: v for k, v in body.items() if not isinstance(v, (list, dict))}]), spec, current_settings())
    return {**body, **{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.iloc[0].to_dict().items()}}


def facilities() -> TableAnswer:
    """Facility points. Parameters: type (comma-separated facility types; default all), format (json, csv, geojson)."""
    bundle = current_bundle()
    fmt = format_param(("json", "csv", "geojson"))
    types = facility_types(bundle)
    wanted = [t for t in (request.args.get("type") or ",".join(types)).split(",") if t]
    for t in wanted:
        if t not in types:
            raise ParameterError("type", t, types)
    f = facility_points(bundle)
    f = f[f["type"].isin(wanted)][["facility_id", "type", "name", "capacity", "provider", "unit_id", "lon", "lat"]]
    f = f.astype({"capacity": "float64"}).astype(object).where(f.notna(), None)
    return TableAnswer(f, table_meta(), "facilities", fmt)


def access_table() -> TableAnswer:
    """Per facility type for one area (unit=<id>; default whole city): coverage, mean walking distance, places, gap."""
    fmt, period, unit = format_param(TABLE_FORMATS), period_param(), _unit()
    bundle = current_bundle()
    df = access_profile(bundle, unit, period, current_params())
    return TableAnswer(df, {**table_meta(period), "unit": unit, "units": {"coverage_m": "m", "mean_dist_m": "m", "covered_pct": "%"}},
                       f"access_{unit or 'city'}_{period}", fmt)


@api_infrastructure.get("/public-space/supply")
def space_supply() -> Response:
    """Green and net play area per resident for one area (unit=<id>; default whole city) against the standards."""
    period, unit = period_param(), _unit()
    body = _record(space_profile(current_bundle(), unit, period, current_params()), SPACE_SUPPLY)
    return json_answer({**table_meta(period), "unit": unit, **body})


def space_use() -> TableAnswer:
    """Observed use: without space_id the list of counted places; with space_id its daily counts (persons per day)."""
    bundle = current_bundle()
    fmt = format_param(TABLE_FORMATS)
    sid = request.args.get("space_id")
    summary = use_summary(bundle)
    note = bundle.manifest.notes.get("space_use")
    if not sid:
        return TableAnswer(summary, {**table_meta(), "note": note}, "space_use_places", fmt)
    if sid not in set(summary["space_id"]):
        raise ParameterError("space_id", sid, summary["space_id"].tolist())
    s = use_series(bundle, sid).assign(timestamp=lambda d: pd.to_datetime(d["timestamp"]).dt.strftime("%Y-%m-%d"))
    return TableAnswer(s, {**table_meta(), "space_id": sid, "unit": "persons per day"}, f"space_use_{sid}", fmt)


@api_infrastructure.get("/funding/areas")
def funding_areas_geojson() -> Response:
    """Funding and protection areas as GeoJSON (programme, instrument, start and end year, budget in EUR, status);
    instrument=funding|protection keeps one kind."""
    instrument = request.args.get("instrument") or None
    if instrument is not None and instrument not in ("funding", "protection"):
        raise ParameterError("instrument", instrument, ["funding", "protection"])
    return Response(funding_geojson_bytes(current_bundle(), instrument), mimetype=GEOJSON,
                    headers={"Cache-Control": "public, max-age=3600"})


def funding_gap() -> TableAnswer:
    """Funding-gap table (finest level): need without funding, and funded units with positive dynamics. within=<unit id>."""
    fmt, period = format_param(TABLE_FORMATS), period_param()
    bundle = current_bundle()
    within = request.args.get("within") or None
    if within is not None and within not in set(bundle.units["unit_id"]):
        raise ParameterError("within", within, sorted(bundle.units_of(bundle.levels[0].id).index) + ["… any unit id"])
    df = funding_gap_table(bundle, period, current_params().funding_min_overlap, within)
    meta = {**table_meta(period), "mss_period": df.attrs.get("mss_period"), "note": df.attrs.get("note"),
            "min_overlap": current_params().funding_min_overlap}
    return TableAnswer(df, meta, f"funding_gap_{within or 'city'}", fmt)


@api_infrastructure.get("/funding/profile")
def funding_status() -> Response:
    """Whether an area (unit=<id>) lies in a funding area and how many of its finest units should by the MSS rule."""
    period, unit = period_param(), _unit()
    body = _record(funding_profile(current_bundle(), unit, period, current_params()), FUNDING_PROFILE)
    return json_answer({**table_meta(period), "unit": unit, **body})


TABLE_ROUTES = (TableRoute(FACILITIES, facilities, geojson_id="facility_id", geojson_properties=FACILITY_PROPERTIES),
                TableRoute(ACCESS, access_table), TableRoute(SPACE_USE, space_use), TableRoute(FUNDING_GAP, funding_gap))
