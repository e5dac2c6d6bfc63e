"""Data API of the infrastructure, public-space and funding section: /api/v1/infrastructure/…, /api/v1/public-space/…,
/api/v1/funding/…. Same `layers/` functions as the panel; in the portal, values for areas with fewer residents than
`min_residents` are removed."""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd
from flask import Blueprint, Response, request

from layers import ParameterError, TableSpec, publish_table, sources_for
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

from .api import format_param, period_param
from .context import current_bundle, current_settings
from .downloads import csv_answer

api_infrastructure = Blueprint("api_infrastructure", __name__, url_prefix="/api/v1")
TABLE_FORMATS = ("json", "csv")


def _unit() -> str | None:
    unit = request.args.get("unit") or None
    bundle = current_bundle()
    if unit is not None and unit not in set(bundle.units["unit_id"]):
        raise ParameterError("unit", unit, sorted(bundle.units_of(bundle.levels[0].id).index) + ["… any unit id"])
    return unit


def _table(df: pd.DataFrame, spec: TableSpec, fmt: str, name: str, meta: dict) -> Response:
    df = publish_table(df, spec, current_settings())
    if fmt == "csv":
        return csv_answer(df, name)
    records = df.replace({np.nan: None}).to_dict(orient="records")
    return Response(orjson.dumps({**meta, "rows": records}, option=orjson.OPT_SERIALIZE_NUMPY), mimetype="application/json")


def _meta(period: str | None = None) -> dict:
    bundle, settings = current_bundle(), current_settings()
    return {"city": bundle.manifest.city, "synthetic": bundle.manifest.synthetic, "period": period,
            "sources": [s.attribution for s in sources_for(bundle, settings)],
            "suppressed_note": f"portal: values of areas with fewer than {settings.min_residents} residents are not shown; "
                               "counts carry a small fixed noise (cell-key method)"
            if settings.mode == "portal" else None}


def _record(body: dict, spec: TableSpec) -> dict:
    """A one-row answer (a profile of one area) through the one exit."""
    row = publish_table(pd.DataFrame([{k: v for k, v in body.items() if not isinstance(v, (list, dict))}]), spec, current_settings())
    return {**body, **{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.iloc[0].to_dict().items()}}


@api_infrastructure.get("/infrastructure/facilities")
def facilities() -> Response:
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
    if fmt == "geojson":
        f = publish_table(f, FACILITIES, current_settings())
        features = [{"type": "Feature", "id": r["facility_id"], "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                     "properties": {k: r[k] for k in ("facility_id", "type", "name", "capacity", "provider", "unit_id")}}
                    for r in f.astype(object).where(f.notna(), None).to_dict(orient="records")]
        return Response(orjson.dumps({"type": "FeatureCollection", "features": features, "metadata": _meta()}),
                        mimetype="application/geo+json")
    return _table(f, FACILITIES, fmt, "facilities", _meta())


@api_infrastructure.get("/infrastructure/access")
def access_table() -> Response:
    """Per facility type for one area (unit=<id>; default whole city): coverage, mean walking distance, places, gap."""
    fmt, period, unit = format_param(TABLE_FORMATS), period_param(), _unit()
    bundle = current_bundle()
    df = access_profile(bundle, unit, period, current_params())
    return _table(df, ACCESS, fmt, f"access_{unit or 'city'}_{period}", {**_meta(period), "unit": unit,
                                                                  "units": {"coverage_m": "m", "mean_dist_m": "m", "covered_pct": "%"}})


@api_infrastructure.get("/public-space/supply")
def space_supply() -> Response:
    """Green and net play area per resident for one area (unit=<id>; default whole city) against the standards."""
    period, unit = period_param(), _unit()
    body = _record(space_profile(current_bundle(), unit, period, current_params()), SPACE_SUPPLY)
    return Response(orjson.dumps({**_meta(period), "unit": unit, **body}), mimetype="application/json")


@api_infrastructure.get("/public-space/use")
def space_use() -> Response:
    """Observed use: without space_id the list of counted places; with space_id its daily counts (persons per day)."""
    bundle = current_bundle()
    fmt = format_param(TABLE_FORMATS)
    sid = request.args.get("space_id")
    summary = use_summary(bundle)
    note = bundle.manifest.notes.get("space_use")
    if not sid:
        return _table(summary, SPACE_USE, fmt, "space_use_places", {**_meta(), "note": note})
    if sid not in set(summary["space_id"]):
        raise ParameterError("space_id", sid, summary["space_id"].tolist())
    s = use_series(bundle, sid).assign(timestamp=lambda d: pd.to_datetime(d["timestamp"]).dt.strftime("%Y-%m-%d"))
    return _table(s, SPACE_USE, fmt, f"space_use_{sid}", {**_meta(), "space_id": sid, "unit": "persons per day"})


@api_infrastructure.get("/funding/areas")
def funding_areas_geojson() -> Response:
    """Funding and protection areas as GeoJSON (programme, instrument, start and end year, budget in EUR, status);
    instrument=funding|protection keeps one kind."""
    instrument = request.args.get("instrument") or None
    if instrument is not None and instrument not in ("funding", "protection"):
        raise ParameterError("instrument", instrument, ["funding", "protection"])
    return Response(funding_geojson_bytes(current_bundle(), instrument), mimetype="application/geo+json",
                    headers={"Cache-Control": "public, max-age=3600"})


@api_infrastructure.get("/funding/gap")
def funding_gap() -> Response:
    """Funding-gap table (finest level): need without funding, and funded units with positive dynamics. within=<unit id>."""
    fmt, period = format_param(TABLE_FORMATS), period_param()
    bundle = current_bundle()
    within = request.args.get("within") or None
    if within is not None and within not in set(bundle.units["unit_id"]):
        raise ParameterError("within", within, sorted(bundle.units_of(bundle.levels[0].id).index) + ["… any unit id"])
    df = funding_gap_table(bundle, period, current_params().funding_min_overlap, within)
    meta = {**_meta(period), "mss_period": df.attrs.get("mss_period"), "note": df.attrs.get("note"),
            "min_overlap": current_params().funding_min_overlap}
    return _table(df, FUNDING_GAP, fmt, f"funding_gap_{within or 'city'}", meta)


@api_infrastructure.get("/funding/profile")
def funding_status() -> Response:
    """Whether an area (unit=<id>) lies in a funding area and how many of its finest units should by the MSS rule."""
    period, unit = period_param(), _unit()
    body = _record(funding_profile(current_bundle(), unit, period, current_params()), FUNDING_PROFILE)
    return Response(orjson.dumps({**_meta(period), "unit": unit, **body}), mimetype="application/json")
