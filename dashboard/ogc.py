"""OGC API – Features, Part 1 Core with GeoJSON, at /ogc/: every layer the mode shows on every basis as a collection,
read by QGIS, ArcGIS, Masterportal and GDAL (`ogrinfo OAPIF:http://host/ogc/`).

Why not pygeoapi: pygeoapi reads one global YAML configuration when it is imported and serves one module-level Flask
app, while this app is built per settings by a factory (several apps with different settings live in one process in the
tests and the portal must compute every value through its own publication step); a pygeoapi provider would have had to
call back into this app for every value and its configuration would have duplicated the layer registry. Part 1 Core is
small (landing page, conformance, collections, items with limit/offset/bbox/datetime, one item), so it is written here
on the same `layer_answer` the data API uses: the same published values, receipts and disclosure as the map.

A collection is one layer on one basis: `<layer>.<basis>` (e.g. `migration_share.planungsraum`, `kita_fca.h3_9`).
Its features are the areas with the value of one Stichtag — the latest unless `datetime=YYYY-MM-DD` names another — and
one population group (`group`, the layer's default otherwise).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlencode

import numpy as np
import shapely
from flask import Blueprint, Response, request

from layers import LayerQuery, LayerResult, ParameterError, bases, basis_name, check_query, get_layer, record, visible_layers
from layers.bundle import Bundle
from layers.spatial import Basis, basis_bounds, basis_geometries

from .answers import GEOJSON, JSON, json_answer, json_bytes
from .api import layer_answer
from .context import bundle_key, current_bundle, current_settings, settings_key
from .guards import public_link

ogc = Blueprint("ogc", __name__, url_prefix="/ogc")

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
DEFAULT_LIMIT, MAX_LIMIT = 1000, 10000
ITEM_PARAMETERS = {"limit", "offset", "bbox", "datetime", "group", "f"}


class OgcError(Exception):
    """An answer in the standard's exception shape ({"code", "description"}) with an HTTP status."""

    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


@ogc.errorhandler(OgcError)
def _ogc_error(exc: OgcError) -> Response:
    return json_answer({"code": exc.code, "description": exc.description}, status=exc.status)


def _url(path: str, **params) -> str:
    """Absolute link (from `public_base_url`, never the request's Host header: answers are cached and shared)."""
    query = urlencode({k: v for k, v in params.items() if v is not None}, safe=",:")
    return public_link(current_settings(), f"ogc/{path}" + (f"?{query}" if query else ""))


def _answer(body: dict, mimetype: str = JSON) -> Response:
    return json_answer(body, mimetype=mimetype)


def collection_ids() -> list[str]:
    """`<layer>.<basis>` for every layer the mode shows (internal ones only for planners) and every basis."""
    bundle = current_bundle()
    return [f"{layer}.{basis}" for layer in visible_layers(current_settings()) for basis in bases(bundle)]


def _split(collection_id: str) -> tuple[str, str]:
    if collection_id not in collection_ids():
        raise OgcError(404, "NotFound", f"no collection {collection_id[:80]!r}; the list is at /ogc/collections")
    layer, basis = collection_id.rsplit(".", 1)
    return layer, basis


def _bbox(bundle: Bundle, basis: Basis) -> list[float]:
    return [round(v, 6) for v in basis_bounds(bundle, basis)]


def _instant(period: str) -> str:
    return f"{period}T00:00:00Z"


def _collection(collection_id: str) -> dict:
    bundle = current_bundle()
    layer, basis_key = collection_id.rsplit(".", 1)
    spec, basis = get_layer(layer), Basis.parse(basis_key)
    groups = [g.id for g in spec.groups(bundle)]
    return {
        "id": collection_id,
        "title": f"{spec.title_de} – {basis_name(bundle, basis, 'de')}",
        "description": (f"{spec.description_de} Einheit: {spec.unit_de}. Stichtag wählbar mit datetime=YYYY-MM-DD "
                        f"({', '.join(bundle.periods)}; voreingestellt {bundle.periods[-1]})"
                        + (f"; Gruppe mit group= ({', '.join(groups)})." if groups else ".")),
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [_bbox(bundle, basis)], "crs": CRS84},
                   "temporal": {"interval": [[_instant(bundle.periods[0]), _instant(bundle.periods[-1])]],
                                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}},
        "links": [
            {"href": _url(f"collections/{collection_id}"), "rel": "self", "type": JSON, "title": "this collection"},
            {"href": _url(f"collections/{collection_id}/items"), "rel": "items", "type": GEOJSON, "title": "features"},
            {"href": public_link(current_settings(), f"api/v1/layers/{layer}"), "rel": "alternate", "type": JSON,
             "title": "the same values from the data API"},
        ],
    }


@ogc.get("/")
def landing_page() -> Response:
    bundle = current_bundle()
    return _answer({
        "title": f"Quartiersatlas – {bundle.manifest.title}",
        "description": "Layers of the Quartiersatlas as OGC API – Features (Part 1 Core, GeoJSON)"
                       + (" – synthetic data" if bundle.manifest.synthetic else ""),
        "links": [
            {"href": _url(""), "rel": "self", "type": JSON, "title": "this document"},
            {"href": _url("conformance"), "rel": "conformance", "type": JSON, "title": "conformance classes"},
            {"href": _url("collections"), "rel": "data", "type": JSON, "title": "collections"},
            {"href": _url("api"), "rel": "service-desc", "type": OPENAPI, "title": "API definition (OpenAPI 3.0)"},
            {"href": public_link(current_settings(), "api/v1/layers"), "rel": "service-doc", "type": JSON,
             "title": "layer metadata of the data API"},
        ],
    })


def _parameter(name: str, where: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "schema": schema, "description": description}


@ogc.get("/api")
def api_definition() -> Response:
    """OpenAPI 3.0 of these endpoints; clients read the page size from `limit` (GDAL uses its maximum)."""
    bundle = current_bundle()
    collection_id = _parameter("collectionId", "path", {"type": "string", "enum": collection_ids()},
                               "`<layer>.<basis>`", required=True)
    fc = {"description": "GeoJSON", "content": {GEOJSON: {"schema": {"type": "object"}}}}
    doc = {"description": "JSON", "content": {JSON: {"schema": {"type": "object"}}}}
    error = {"description": "exception {code, description}", "content": {JSON: {"schema": {"type": "object"}}}}
    items_params = [
        _parameter("limit", "query", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                   "features per page"),
        _parameter("offset", "query", {"type": "integer", "minimum": 0, "default": 0}, "features to skip (the `next` link sets it)"),
        _parameter("bbox", "query", {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
                   "minLon,minLat,maxLon,maxLat (CRS84): areas that intersect it"),
        _parameter("datetime", "query", {"type": "string", "enum": bundle.periods}, f"Stichtag (default {bundle.periods[-1]})"),
        _parameter("group", "query", {"type": "string"}, "population group (layers with groups; default: the layer's default)"),
    ]
    return json_answer({
        "openapi": "3.0.3",
        "info": {"title": f"Quartiersatlas OGC API – Features ({bundle.manifest.title})", "version": "1.0.0"},
        "servers": [{"url": _url("").rstrip("/")}],
        "paths": {
            "/": {"get": {"summary": "landing page", "operationId": "getLandingPage", "responses": {"200": doc}}},
            "/conformance": {"get": {"summary": "conformance classes", "operationId": "getConformance", "responses": {"200": doc}}},
            "/collections": {"get": {"summary": "collections", "operationId": "getCollections", "responses": {"200": doc}}},
            "/collections/{collectionId}": {"get": {"summary": "one collection", "operationId": "describeCollection",
                                                    "parameters": [collection_id], "responses": {"200": doc, "404": error}}},
            "/collections/{collectionId}/items": {"get": {"summary": "features", "operationId": "getFeatures",
                                                          "parameters": [collection_id, *items_params],
                                                          "responses": {"200": fc, "400": error, "404": error}}},
            "/collections/{collectionId}/items/{featureId}": {"get": {
                "summary": "one feature", "operationId": "getFeature",
                "parameters": [collection_id, _parameter("featureId", "path", {"type": "string"}, "unit id or H3 cell", True),
                               *items_params[3:]],
                "responses": {"200": fc, "404": error}}},
        },
    }, mimetype=OPENAPI)


@ogc.get("/conformance")
def conformance() -> Response:
    return _answer({"conformsTo": CONFORMANCE})


@ogc.get("/collections")
def collections() -> Response:
    return _answer({"links": [{"href": _url("collections"), "rel": "self", "type": JSON, "title": "this document"}],
                    "collections": [_collection(cid) for cid in collection_ids()]})


@ogc.get("/collections/<collection_id>")
def collection(collection_id: str) -> Response:
    _split(collection_id)
    return _answer(_collection(collection_id))


def _int_param(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise OgcError(400, "InvalidParameterValue", f"{name}={raw[:40]!r}: an integer from {low} to {high}") from None
    if not low <= value <= high:
        raise OgcError(400, "InvalidParameterValue", f"{name}={value}: an integer from {low} to {high}")
    return value


def _bbox_param() -> tuple[float, float, float, float] | None:
    raw = request.args.get("bbox")
    if raw is None:
        return None
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        values = []
    if len(values) != 4 or not (values[0] <= values[2] and values[1] <= values[3]) or not np.isfinite(values).all():
        raise OgcError(400, "InvalidParameterValue", f"bbox={raw[:80]!r}: four numbers minLon,minLat,maxLon,maxLat (CRS84)")
    return values[0], values[1], values[2], values[3]


def _period_param(bundle: Bundle) -> str:
    raw = request.args.get("datetime")
    if raw is None:
        return bundle.periods[-1]
    day = raw[:10]
    if raw not in (day, f"{day}T00:00:00Z") or day not in bundle.periods:
        raise OgcError(400, "InvalidParameterValue", f"datetime={raw[:40]!r}: one Stichtag of {', '.join(bundle.periods)} "
                                                     "(an instant YYYY-MM-DD; intervals are not offered)")
    return day


def _features(collection_id: str) -> tuple[list[str], np.ndarray, list[dict]]:
    """Ids, exact geometries (shapely) and properties of a collection's features for the request's Stichtag and group."""
    layer, basis_key = _split(collection_id)
    unknown = sorted(set(request.args) - ITEM_PARAMETERS)
    if unknown:
        raise OgcError(400, "InvalidParameterValue", f"unknown parameter {unknown[0]!r}; known: {', '.join(sorted(ITEM_PARAMETERS))}")
    if request.args.get("f", "json") not in ("json", "geojson"):
        raise OgcError(400, "InvalidParameterValue", "f: json or geojson")
    bundle, settings = current_bundle(), current_settings()
    try:
        query = check_query(bundle, settings, layer, basis_key, _period_param(bundle), request.args.get("group"))
    except ParameterError as exc:
        raise OgcError(400, "InvalidParameterValue", str(exc)) from None
    ids, shapes, properties, result = _collection_features(bundle_key(bundle), settings_key(settings), query)
    record(result)  # taken from this process's cache: the receipt of the published result goes with it
    return ids, shapes, properties


@lru_cache(maxsize=4)  # a client pages through one collection at a time; an H3 res 10 one holds ~67,000 records
def _collection_features(bundle_id: str, settings_id: str, query: LayerQuery) -> tuple[list[str], np.ndarray, list[dict], LayerResult]:
    """The features of one collection, Stichtag and group, kept while a client pages through them (GDAL asks for
    pages of 10 before 3.8); keyed by bundle and settings, so another app or a rebuilt bundle never meets them."""
    answer = layer_answer(query)
    shared = {"layer": answer.spec.id, "unit": answer.spec.unit_de, "period": answer.result.period, "group": answer.result.group,
              "interpolated_from": answer.result.interpolated_from, "source": "; ".join(answer.meta["sources"]),
              "licence": "; ".join(answer.meta["licences"])}
    all_ids, geoms = basis_geometries(current_bundle(), query.basis, display=False)
    position = {fid: i for i, fid in enumerate(all_ids)}
    keep = [r for r in answer.records if r["id"] in position]
    return ([r["id"] for r in keep], geoms[[position[r["id"]] for r in keep]], [{**r, **shared} for r in keep], answer.result)


def _feature(fid: str, geometry: str, properties: dict) -> str:
    return f'{{"type":"Feature","id":{json_bytes(fid).decode()},"geometry":{geometry},"properties":{json_bytes(properties).decode()}}}'


@ogc.get("/collections/<collection_id>/items")
def items(collection_id: str) -> Response:
    limit = _int_param("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int_param("offset", 0, 0, 10**9)
    bbox = _bbox_param()
    ids, shapes, properties = _features(collection_id)
    chosen = np.arange(len(ids))
    if bbox is not None:
        chosen = chosen[shapely.intersects(shapes, shapely.box(*bbox))]
    page = chosen[offset:offset + limit]
    params = {k: request.args[k] for k in ("bbox", "datetime", "group") if k in request.args}
    links = [{"href": _url(f"collections/{collection_id}/items", limit=limit, offset=offset, **params), "rel": "self",
              "type": GEOJSON, "title": "this page"},
             {"href": _url(f"collections/{collection_id}"), "rel": "collection", "type": JSON, "title": "the collection"}]
    if offset + limit < len(chosen):
        links.append({"href": _url(f"collections/{collection_id}/items", limit=limit, offset=offset + limit, **params),
                      "rel": "next", "type": GEOJSON, "title": "next page"})
    if offset > 0:
        links.append({"href": _url(f"collections/{collection_id}/items", limit=limit, offset=max(0, offset - limit), **params),
                      "rel": "prev", "type": GEOJSON, "title": "previous page"})
    features = ",".join(_feature(ids[i], g, properties[i]) for i, g in zip(page, shapely.to_geojson(shapes[page])))
    head = json_bytes({"type": "FeatureCollection", "numberMatched": int(len(chosen)), "numberReturned": int(len(page)),
                         "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "links": links}).decode()
    return Response(head[:-1] + f',"features":[{features}]}}', mimetype=GEOJSON)


@ogc.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str) -> Response:
    ids, shapes, properties = _features(collection_id)
    if feature_id not in ids:
        raise OgcError(404, "NotFound", f"no feature {feature_id[:40]!r} in {collection_id}")
    i = ids.index(feature_id)
    body = _feature(ids[i], shapely.to_geojson(shapes[i]), properties[i])
    links = json_bytes([{"href": _url(f"collections/{collection_id}/items/{feature_id}"), "rel": "self", "type": GEOJSON},
                          {"href": _url(f"collections/{collection_id}"), "rel": "collection", "type": JSON}]).decode()
    return Response(body[:-1] + f',"links":{links}}}', mimetype=GEOJSON)
