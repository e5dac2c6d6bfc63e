"""OpenAPI 3.1 description of the read API (/api/v1 and /geo) at /api/v1/openapi.json, built from the app's own URL map:
every route has an entry in DESCRIBED (a route without one fails tests/dashboard/test_openapi.py), and the allowed values
(layers, levels, resolutions, Stichtage, groups, formats) come from the served bundle and registry at request time. In the
portal the document leaves out what the portal refuses (PORTAL_HIDDEN_PATHS, planner-only parameters, internal layers).
The OGC API – Features has its own definition at /ogc/api."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from flask import Blueprint, Response, current_app

from layers import bases, visible_layers
from layers.education import compositions_visible
from layers.segregation import SINGLE_INDICES, available_groups

from .answers import GEOJSON, JSON, json_answer
from .api import FORMATS
from .context import current_bundle, current_settings
from .guards import public_link
from .security import PORTAL_HIDDEN_PATHS

openapi = Blueprint("openapi", __name__, url_prefix="/api/v1")

CSV = "text/csv"
FACILITY_COMPOSITIONS = "/api/v1/education/facilities"  # 404 in the portal unless `publish_facility_compositions`
ERROR = {"description": "the parameter or value named in `parameter` is not allowed; `allowed` lists what is",
         "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}}
NOT_FOUND = {"description": "no such layer, area or resource", "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _p(name: str, description: str, schema: dict | None = None, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required or where == "path", "description": description,
            "schema": schema or {"type": "string"}}


def _enum(values, default=None) -> dict:
    return {"type": "string", "enum": list(values), **({"default": default} if default is not None else {})}


def _answers(*media: str) -> dict:
    return {"200": {"description": "the answer", "content": {m: {"schema": {"type": "object" if m != CSV else "string"}} for m in media}},
            "400": ERROR, "404": NOT_FOUND}


def _described(portal: bool) -> dict[tuple[str, str], dict]:
    """(rule, method) → OpenAPI operation for every route of the read API."""
    bundle, settings = current_bundle(), current_settings()
    periods, levels = bundle.periods, [lvl.id for lvl in bundle.levels]
    res = [str(r) for r in bundle.manifest.h3_resolutions]
    period = _p("period", "Stichtag (ISO date)", _enum(periods, periods[-1]))
    level = _p("level", "administrative level (or `res`)", _enum(levels))
    resolution = _p("res", "H3 resolution (or `level`)", _enum(res))
    table_fmt = _p("format", "answer format", _enum(("json", "csv"), "json"))
    unit = _p("unit", "one unit id: the answer for that area only")
    seg_groups = [g.id for g in available_groups(bundle)]
    indices = [d.id for d in SINGLE_INDICES]
    seg_basis = [level, resolution, _p("group", "population group", _enum(seg_groups, "mig_bg")),
                 _p("district", "restrict to one district (top-level unit id)")]
    layer_params = [
        _p("layer_id", "layer id (`GET /api/v1/layers` lists them with title, unit and groups)", _enum(visible_layers(settings)), "path"),
        level, resolution, period, _p("group", "population group of grouped layers (default: the layer's)"),
        _p("period_from", "start Stichtag of change layers", _enum(periods)),
        _p("compare_from", "show the change since this Stichtag", _enum(periods)),
        _p("format", "answer format (`csv-de`: German Excel; gpkg/fgb/parquet: GIS files with geometry)", _enum(FORMATS, "json")),
    ]
    if not portal:
        layer_params += [_p("scenario", "planner only: a scenario link parameter; the values the map shows for it"),
                         _p("view", "with a scenario", _enum(("baseline", "scenario", "difference"), "scenario"))]
    ops: dict[tuple[str, str], dict] = {
        ("/api/v1/layers", "GET"): {"summary": "layers, levels, Stichtage, sources and disclosure rules", "responses": _answers(JSON)},
        ("/api/v1/layers/<layer_id>", "GET"): {"summary": "values of one layer per area (published values; hidden ones empty)",
                                               "parameters": layer_params,
                                               "responses": _answers(JSON, CSV, GEOJSON, "application/geopackage+sqlite3",
                                                                     "application/flatgeobuf", "application/vnd.apache.parquet",
                                                                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
        ("/api/v1/openapi.json", "GET"): {"summary": "this description", "responses": _answers(JSON)},
        ("/api/v1/catalog", "GET"): {"summary": "DCAT-AP.de catalogue of the published datasets (JSON-LD)",
                                     "responses": _answers("application/ld+json")},
        ("/geo/<basis_key>.json", "GET"): {"summary": "geometry of a basis (unit outlines or H3 cells) for the map",
                                           "parameters": [_p("basis_key", "level id or h3_<res>", _enum(bases(bundle)), "path")],
                                           "responses": _answers(JSON)},
        ("/api/v1/segregation/indices", "GET"): {
            "summary": "segregation indices (D, Gini, isolation, …) of the city and its districts per Stichtag",
            "parameters": [*seg_basis, period, _p("index", "index of the significance test", _enum(indices, "dissim")),
                           _p("pvalues", "1: permutation p-values (portal: unit levels only)", _enum(("0", "1"), "0")),
                           *([] if portal else [_p("iterations", "permutations (19–9999)", {"type": "integer"})]), table_fmt],
            "responses": _answers(JSON, CSV)},
        ("/api/v1/segregation/change", "GET"): {
            "summary": "change of an index between two Stichtage with a permutation test",
            "parameters": [*seg_basis, _p("period_from", "first Stichtag", _enum(periods, periods[0])), period,
                           _p("index", "index", _enum(indices, "dissim")),
                           *([] if portal else [_p("iterations", "permutations (19–9999)", {"type": "integer"})]), table_fmt],
            "responses": _answers(JSON, CSV)},
        ("/api/v1/education/summary", "GET"): {"summary": "Kita places and children per district", "parameters": [period],
                                               "responses": _answers(JSON)},
        ("/api/v1/education/kitas", "GET"): {"summary": "Kitas with places and demand", "parameters": [period, table_fmt],
                                             "responses": _answers(JSON, CSV)},
        ("/api/v1/education/catchments", "GET"): {"summary": "school catchments with children and shares", "parameters": [period, table_fmt],
                                                  "responses": _answers(JSON, CSV)},
        ("/api/v1/education/serving", "GET"): {"summary": "which Kitas serve an area", "parameters": [
            period, level, resolution, _p("id", "area id", required=True), table_fmt], "responses": _answers(JSON, CSV)},
        ("/api/v1/education/facilities", "GET"): {"summary": "facility segregation per school or Kita (internal in the portal)",
                                                  "parameters": [_p("kind", "facility kind", _enum(("primary_school", "kita"), "primary_school")),
                                                                 period, table_fmt], "responses": _answers(JSON, CSV)},
        ("/api/v1/infrastructure/facilities", "GET"): {"summary": "facilities as points",
                                                       "parameters": [_p("type", "facility types, comma-separated"),
                                                                      _p("format", "answer format", _enum(("json", "csv", "geojson"), "json"))],
                                                       "responses": _answers(JSON, CSV, GEOJSON)},
        ("/api/v1/infrastructure/access", "GET"): {"summary": "walking distance and coverage per facility type",
                                                   "parameters": [period, unit, table_fmt], "responses": _answers(JSON, CSV)},
        ("/api/v1/public-space/supply", "GET"): {"summary": "green and play space per resident", "parameters": [period, unit],
                                                 "responses": _answers(JSON)},
        ("/api/v1/public-space/use", "GET"): {"summary": "counted use of public spaces", "parameters": [
            _p("space_id", "one space"), table_fmt], "responses": _answers(JSON, CSV)},
        ("/api/v1/funding/areas", "GET"): {"summary": "funding and protection areas (GeoJSON)", "parameters": [
            _p("instrument", "funding or protection", _enum(("funding", "protection")))], "responses": _answers(GEOJSON)},
        ("/api/v1/funding/gap", "GET"): {"summary": "need and funding per area", "parameters": [
            period, _p("within", "restrict to areas within a district"), table_fmt], "responses": _answers(JSON, CSV)},
        ("/api/v1/funding/profile", "GET"): {"summary": "funding status of one area", "parameters": [period, unit],
                                             "responses": _answers(JSON)},
        ("/api/v1/areas/<unit_id>/similar", "GET"): {"summary": "areas with a similar social situation", "parameters": [
            _p("unit_id", "unit id", where="path"), _p("k", "how many (default 5)", {"type": "integer"}),
            _p("weights", "indicators and weights, e.g. mss_child_poverty_pct:2,mss_transfer_pct:1"), period,
            _p("lang", "language of the labels", _enum(("de", "en"), "de"))], "responses": _answers(JSON)},
    }
    if not portal:
        body = {"content": {JSON: {"schema": {"type": "object"}}}}
        ops.update({
            ("/api/v1/scenarios", "GET"): {"summary": "saved scenarios (planner)", "responses": _answers(JSON)},
            ("/api/v1/scenarios", "POST"): {"summary": "save a scenario (planner)", "requestBody": body, "responses": _answers(JSON)},
            ("/api/v1/scenarios/<slug>", "GET"): {"summary": "one saved scenario", "parameters": [_p("slug", "scenario", where="path")],
                                                  "responses": _answers(JSON)},
            ("/api/v1/scenarios/<slug>", "DELETE"): {"summary": "delete a saved scenario", "parameters": [_p("slug", "scenario", where="path")],
                                                     "responses": _answers(JSON)},
            ("/api/v1/scenarios/validate", "POST"): {"summary": "check a scenario", "requestBody": body, "responses": _answers(JSON)},
            ("/api/v1/scenarios/effects", "POST"): {"summary": "key effects of a scenario", "requestBody": body,
                                                    "responses": _answers(JSON, CSV)},
            ("/api/v1/scenarios/compare", "POST"): {"summary": "baseline, scenario and difference per area", "requestBody": body,
                                                    "responses": _answers(JSON, CSV)},
            ("/api/v1/scenarios/suggest", "GET"): {"summary": "suggested sites for a facility type", "parameters": [
                _p("type", "facility type"), _p("k", "how many", {"type": "integer"}), _p("res", "H3 resolution", {"type": "integer"})],
                                                   "responses": _answers(JSON)},
            ("/api/v1/scenarios/suggest", "POST"): {"summary": "suggested sites (with weights or a scenario)", "requestBody": body,
                                                    "responses": _answers(JSON)},
            ("/api/v1/accommodation/areas", "GET"): {"summary": "accommodation places per area with social context and Kita/school "
                                                                "supply (planner; internal)", "parameters": [level, period, table_fmt],
                                                     "responses": _answers(JSON, CSV)},
            ("/api/v1/accommodation/change", "GET"): {"summary": "accommodation places and their concentration per Stichtag (planner)",
                                                      "parameters": [level, table_fmt], "responses": _answers(JSON, CSV)},
            ("/api/v1/accommodation/screening", "GET"): {"summary": "screening of candidate sites for accommodation (planner)", "parameters": [
                _p("lon", "longitude of a candidate (repeatable)", {"type": "number"}), _p("lat", "latitude of a candidate (repeatable)",
                                                                                          {"type": "number"}),
                _p("suggest", "suggest this many sites (1–10)", {"type": "integer"}), _p("district", "suggest within this district"),
                period, table_fmt], "responses": _answers(JSON, CSV)},
            ("/api/v1/housing/evenness", "GET"): {"summary": "evenness of subsidised housing (dissimilarity, Gini; planner)",
                                                  "parameters": [period, table_fmt], "responses": _answers(JSON, CSV)},
        })
    return ops


def api_rules(portal: bool) -> list[tuple[str, str]]:
    """(rule, method) of every route of the read API this app answers (the URL map, portal refusals left out)."""
    out = []
    hidden = PORTAL_HIDDEN_PATHS + (() if compositions_visible(current_settings()) else (FACILITY_COMPOSITIONS,))
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1/", "/geo/")) or (portal and rule.rule.startswith(hidden)):
            continue
        out += [(rule.rule, m) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(set(out))


def _openapi_path(rule: str) -> str:
    return rule.replace("<", "{").replace(">", "}")


def document() -> dict:
    portal = current_settings().mode == "portal"
    described = _described(portal)
    paths: dict[str, dict] = {}
    for rule, method in api_rules(portal):
        if (rule, method) not in described:  # the test fails on it; a running server leaves the route out and says so
            logging.getLogger("quartiersatlas").warning("openapi: no description of %s %s", method, rule)
            continue
        paths.setdefault(_openapi_path(rule), {})[method.lower()] = described[(rule, method)]
    try:
        release = version("quartiersatlas")
    except PackageNotFoundError:
        release = "0"
    bundle = current_bundle()
    return {
        "openapi": "3.1.0",
        "info": {"title": f"Quartiersatlas API – {bundle.manifest.title}", "version": release,
                 "description": ("Read API of the Quartiersatlas" + (" (public portal: published values only)" if portal else "")
                                 + ". Every answer names its sources and licences; see docs/api.md."),
                 "license": {"name": "data: see the sources and licences of each answer (`sources`, `licence`)"}},
        "servers": [{"url": public_link(current_settings(), "").rstrip("/")}],
        "paths": paths,
        "components": {"schemas": {"Error": {"type": "object", "required": ["error"], "properties": {
            "error": {"type": "string"}, "parameter": {"type": "string"}, "allowed": {"type": "array"}}}}},
    }


@openapi.get("/openapi.json")
def openapi_json() -> Response:
    return json_answer(document())
