"""Data API /api/v1: the same disclosed values the map shows, as JSON, CSV or GeoJSON."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import orjson
import pandas as pd
from flask import Blueprint, Response, request

from layers import (
    InputDate,
    LayerQuery,
    LayerResult,
    LayerSpec,
    ParameterError,
    about_migration,
    check_query,
    context_columns,
    disclosure_metadata,
    get_layer,
    input_dates,
    layer_inputs,
    methods_link,
    sources_for,
    visible_layers,
)
from layers.scenario import Scenario, ScenarioError, validate_scenario
from layers.spatial import basis_geojson, bundle_router

from .answers import GEOJSON, error_answer, json_answer
from .context import current_bundle, current_settings, shown_spec, view_result
from .downloads import FILE_FORMATS, MAX_XLSX_ROWS, area_names, file_answer
from .methods_page import methods_href
from .state import SCENARIO_VIEWS

api = Blueprint("api_v1", __name__, url_prefix="/api/v1")
FORMATS = ("json", "geojson", *FILE_FORMATS)  # FILE_FORMATS: csv, csv-de, xlsx, parquet, gpkg, fgb (dashboard/downloads.py)
LAYER_PARAMETERS = {"level", "res", "period", "group", "period_from", "compare_from", "format", "scenario", "view"}


def parameter_error(exc: ParameterError) -> Response:
    """400 naming the parameter and its allowed values; registered for every route of the app."""
    return error_answer(400, str(exc), parameter=exc.parameter, allowed=exc.allowed)


def scenario_error(exc: ScenarioError) -> Response:
    """400 naming the scenario's source, intervention and field that are wrong, for the API's routes (registered for the
    app: the scenario topic's tables are served by the one table blueprint). Elsewhere (a Dash callback) it stays an
    error of the server, logged as one."""
    if not request.path.startswith("/api/"):
        raise exc
    return error_answer(400, str(exc), source=exc.source, intervention=exc.index, field=exc.field)


def choice_param(name: str, allowed: list[str] | tuple[str, ...], default: str | None = None) -> str:
    """A request parameter that must be one of `allowed` (ParameterError otherwise)."""
    value = request.args.get(name, default)
    if value not in allowed:
        raise ParameterError(name, value, list(allowed))
    return value


def period_param() -> str:
    """`period` of the request (YYYY-MM-DD; default: the latest period of the bundle)."""
    periods = current_bundle().periods
    return choice_param("period", periods, periods[-1])


def format_param(allowed: tuple[str, ...] = ("json", "csv")) -> str:
    """`format` of the request (default json)."""
    return choice_param("format", allowed, "json")


def _methods_url(spec: LayerSpec) -> str:
    """Where this server shows the layer's section of docs/methods.md (`/methods`, `dashboard.methods_page`)."""
    return f"{request.script_root or ''}/{methods_href(methods_link(spec))}"


def _inputs(dates: tuple[InputDate, ...]) -> list[dict]:
    return [{"source": d.source, "title": d.title, "date": d.date, "per_stichtag": d.per_stichtag} for d in dates]


def layer_metadata(layer_id: str) -> dict:
    """What `/api/v1/layers` says of one layer: registry metadata, its section of docs/methods.md and the data date of
    every input (a per-Stichtag input shows the span of the bundle's Stichtage; the layer's answer names the one used)."""
    bundle = current_bundle()
    spec = get_layer(layer_id)
    return {
        "id": spec.id, "title": {"de": spec.title_de, "en": spec.title_en},
        "description": {"de": spec.description_de, "en": spec.description_en},
        "unit": {"de": spec.unit_de, "en": spec.unit_en}, "format": spec.value_format, "colorscale": spec.colorscale,
        "sensitivity": spec.sensitivity, "min_count": spec.min_count, "provenance": spec.provenance,
        "groups": [{"id": g.id, "title": {"de": g.title_de, "en": g.title_en}} for g in spec.groups(bundle)],
        "needs_period_from": spec.needs_period_from,
        "methods": methods_link(spec), "methods_url": _methods_url(spec),
        "inputs": _inputs(input_dates(layer_inputs(spec), bundle.sources)),
    }


@api.get("/layers")
def list_layers() -> Response:
    bundle, settings = current_bundle(), current_settings()
    body = {
        "city": bundle.manifest.city, "title": bundle.manifest.title, "synthetic": bundle.manifest.synthetic,
        "periods": bundle.periods, "levels": [lvl.id for lvl in bundle.levels], "h3_resolutions": bundle.manifest.h3_resolutions,
        "layers": [layer_metadata(lid) for lid in visible_layers(settings)],
        "sources": [s.__dict__ for s in sources_for(bundle, settings)],
        "disclosure": disclosure_metadata(settings),
        "walking_distance": _walking(bundle, settings),
        "data_notes": {k: v for k, v in bundle.manifest.notes.items() if k in ("de", "en")},  # what the city's data lack
    }
    return json_answer(body)


def _walking(bundle, settings) -> dict:
    """Which router the distance layers use: the bundle's street network, or straight line × detour factor."""
    detour = float(settings.values.get("detour_factor", 1.3))
    name = bundle_router(bundle, detour).name
    return {"method": name, **({"detour_factor": detour} if name == "straight_line" else {"network": "streets table of the bundle"})}


def _scenario_params() -> tuple[str | None, str]:
    """`scenario` (a scenario link parameter, checked against the bundle) and `view` of the request.

    The portal knows no scenarios: there a `scenario` parameter is refused like any unknown value."""
    text, view = request.args.get("scenario"), choice_param("view", SCENARIO_VIEWS, "scenario")
    if not text:
        return None, "baseline"
    if current_settings().mode == "portal":
        raise ParameterError("scenario", text[:40], ["none in the public portal"])
    try:
        scenario = Scenario.from_url_param(text)
        validate_scenario(current_bundle(), scenario, current_settings())
    except ScenarioError as exc:
        raise ParameterError("scenario", f"{text[:40]}… ({exc})", ["a scenario link parameter of this bundle"]) from None
    return (None, "baseline") if scenario.is_empty else (text, view)


def _basis_param() -> str:
    level, res = request.args.get("level"), request.args.get("res")
    bundle = current_bundle()
    if level and res:
        raise ParameterError("level/res", f"level={level}&res={res}", ["either level=… or res=…, not both"])
    if res is not None:
        allowed = [str(r) for r in bundle.manifest.h3_resolutions]
        if res not in allowed:
            raise ParameterError("res", res, allowed)
        return f"h3_{res}"
    if level is None:
        return bundle.finest_level.id
    allowed = [lvl.id for lvl in bundle.levels]
    if level not in allowed:
        raise ParameterError("level", level, allowed)
    return level


@dataclass(frozen=True)
class LayerAnswer:
    """A layer's published values as every read route gives them (API formats, OGC API – Features): one record per area
    with name, value, suppressed, residents, fallback and social context, and the metadata that goes with them."""

    spec: LayerSpec
    result: LayerResult
    meta: dict
    records: list[dict]
    context_dates: dict[str, str]


def layer_answer(query: LayerQuery, scenario: str | None = None, view: str = "baseline") -> LayerAnswer:
    """Compute (or take from the cache) the published values of `query`; `scenario`/`view` as the map shows them."""
    bundle, settings = current_bundle(), current_settings()
    result = view_result(query, scenario, view)
    spec = shown_spec(query, scenario, view)
    frame = result.values.copy()
    frame.index.name = "id"
    meta = {
        "layer": spec.id, "title": spec.title_de, "unit": spec.unit_de, "unit_en": spec.unit_en, "basis": result.basis.key,
        "period": result.period, "period_from": result.period_from, "compare_from": query.compare_from, "group": result.group,
        "interpolated_from": result.interpolated_from, "synthetic": bundle.manifest.synthetic,
        "residents_means": {"de": spec.persons_de, "en": spec.persons_en},
        "data_dates": dict(result.data_dates),  # inputs whose own date is not the Stichtag (e.g. MSS 2021: 2020-12-31)
        "inputs": _inputs(input_dates(layer_inputs(spec), bundle.sources, result)), "methods": methods_link(spec), "methods_url": _methods_url(spec),
        "sources": [bundle.sources[k].attribution for k in result.sources if k in bundle.sources],
        "licences": list(dict.fromkeys(bundle.sources[k].public_licence or f"see {bundle.sources[k].url or 'the source'}"
                                       for k in result.sources if k in bundle.sources)),
        "suppressed_note": (f"suppressed: fewer than {settings.min_cases} cases or {settings.min_residents} residents"
                            + ("; counts carry a small fixed noise of at most ±5 persons (cell-key method, see docs/methods.md)"
                               if settings.mode == "portal" else "")),
        "disclosure": disclosure_metadata(settings),
        **({"scenario": scenario, "view": view} if scenario else {}),
    }
    fallback = frame["fallback_from"] if "fallback_from" in frame else pd.Series("", index=frame.index)
    context, context_dates = (context_columns(bundle, result.basis, result.period) if about_migration(spec, result.group, bundle)
                              else (pd.DataFrame(index=frame.index), {}))
    if context_dates:  # no migration figure without its social context (BRIEF §6): every row carries it
        meta["social_context"] = {"columns": context_dates, "unit": "%", "interpolated_from": result.interpolated_from,
                                  "method": "resident-weighted mean of the finest units (docs/methods.md#social-situation)"}
    context = context.reindex(frame.index)
    if settings.mode == "portal":  # a hidden area shows nothing, its context neither
        context.loc[frame["suppressed"].to_numpy(dtype=bool)] = np.nan
    names = area_names(bundle, result.basis)
    records = [
        {"id": i, "name": names.get(i), "value": None if pd.isna(r.value) else round(float(r.value), 6), "suppressed": bool(r.suppressed),
         "residents": None if pd.isna(r.residents) else round(float(r.residents), 2), **({"fallback_from": f} if f else {}),
         **{c: (None if pd.isna(v) else float(v)) for c, v in ctx.items()}}
        for i, r, f, ctx in zip(frame.index, frame.itertuples(index=False), fallback.to_numpy(), context.to_dict("records"))
    ]
    return LayerAnswer(spec, result, meta, records, context_dates)


@api.get("/layers/<layer_id>")
def layer_values(layer_id: str) -> Response:
    """Values of one layer. Parameters: level | res, period (YYYY-MM-DD), group, period_from, compare_from, format.

    compare_from: the change of the layer's value since that period (as the map's "show change" switch).
    scenario (planner only): a scenario link parameter; view: baseline | scenario | difference (default scenario) —
    the values the map shows while it shows that scenario view."""
    bundle, settings = current_bundle(), current_settings()
    if layer_id not in visible_layers(settings):
        return error_answer(404, f"no layer {layer_id!r}", layers=visible_layers(settings))
    fmt = request.args.get("format", "json")
    try:
        unknown = sorted(set(request.args) - LAYER_PARAMETERS)
        if unknown:
            raise ParameterError(unknown[0], request.args[unknown[0]][:40], sorted(LAYER_PARAMETERS))
        if fmt not in FORMATS:
            raise ParameterError("format", fmt, list(FORMATS))
        query = check_query(bundle, settings, layer_id, _basis_param(), request.args.get("period"),
                            request.args.get("group"), request.args.get("period_from"), request.args.get("compare_from"))
        scenario, view = _scenario_params()
        if fmt == "xlsx" and len(bundle.ids(query.basis)) > MAX_XLSX_ROWS:
            raise ParameterError("format", f"xlsx for {len(bundle.ids(query.basis)):,} areas",
                                 [f"xlsx up to {MAX_XLSX_ROWS:,} areas; csv, csv-de, gpkg or parquet for more"])
    except ParameterError as exc:
        return error_answer(400, str(exc), parameter=exc.parameter, allowed=exc.allowed)
    answer = layer_answer(query, scenario, view)
    spec, result, meta, records, context_dates = answer.spec, answer.result, answer.meta, answer.records, answer.context_dates
    if fmt == "json":
        return json_answer({**meta, "values": records})
    if fmt in FILE_FORMATS:
        licences = "; ".join(meta["licences"])
        table = pd.DataFrame(records).assign(
            **({"scenario_view": view} if scenario else {}), layer=spec.id, unit=spec.unit_de, basis=result.basis.key,
            period=result.period, period_from=result.period_from,
            group=result.group, interpolated_from=result.interpolated_from, synthetic=bundle.manifest.synthetic,
            source="; ".join(meta["sources"]), licence=licences,
            **({"social_context_as_of": "; ".join(sorted(set(context_dates.values())))} if context_dates else {}))
        about = {"title": spec.title_de, "unit": spec.unit_de, "period": result.period, "basis": result.basis.key,
                 "group": result.group or "", "sources": "; ".join(meta["sources"]), "licence": licences,
                 "disclosure": meta["suppressed_note"], "synthetic": str(bundle.manifest.synthetic).lower(),
                 "made_with": "Quartiersatlas"}
        return file_answer(fmt, table, bundle, result.basis, spec.id, f"{spec.id}_{result.basis.key}_{result.period}", about)
    fc = orjson.loads(basis_geojson(bundle, result.basis))
    by_id = {r["id"]: r for r in records}
    for feature in fc["features"]:
        feature["properties"] = {**by_id.get(feature["id"], {}), "unit": spec.unit_de, "period": result.period,
                                 **({"scenario_view": view} if scenario else {})}
    fc["metadata"] = meta
    return json_answer(fc, mimetype=GEOJSON)
