"""Education data API /api/v1/education: Kita supply, catchments, facilities serving an area, facility segregation.

The same `layers.education` functions as the dashboard section. Facility-level compositions are internal: in the
portal they answer 404 unless the setting `publish_facility_compositions` says the authority publishes them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from flask import Blueprint, Response, request

from layers import ParameterError, publish_table
from layers.education import (
    CATCHMENTS,
    FACILITY_SEGREGATION,
    KINDS,
    KITA_SUMMARY,
    KITAS,
    SERVING,
    EducationParams,
    city_figures,
    compositions_visible,
    disclosed_catchments,
    facility_segregation_view,
    kita_table,
    serving_kitas,
)
from layers.spatial import Basis

from .answers import error_answer, json_answer
from .api import format_param, period_param
from .context import current_bundle, current_settings
from .table_routes import TABLE_FORMATS, TableAnswer, TableRoute

api_education = Blueprint("api_v1_education", __name__, url_prefix="/api/v1/education")
IMPORT_HELP = ("quartiersatlas import facility_composition <file.csv>  "
               "(columns facility_id, period, children_total, children_mig_bg; see docs/bundle-format.md)")


def _params() -> EducationParams:
    return EducationParams.from_settings(current_settings())


def _answer(frame: pd.DataFrame, meta: dict, fmt: str, name: str) -> TableAnswer:
    """A table indexed by its id column; a CSV carries the period and whether the city is synthetic in every row."""
    return TableAnswer(frame.reset_index(), meta, name, fmt, {"period": meta.get("period"), "synthetic": meta.get("synthetic")})


def _meta(period: str, *keys: str) -> dict:
    bundle = current_bundle()
    return {"city": bundle.manifest.city, "period": period, "synthetic": bundle.manifest.synthetic,
            "sources": [bundle.sources[k].attribution for k in (*keys, "demo") if k in bundle.sources]
            + ([s.attribution for k, s in bundle.sources.items() if k.startswith("import_facility_composition")]
               if "import_facility_composition" in keys else [])}


@api_education.get("/summary")
def summary() -> Response:
    """City figures of Kita supply and demand; what choice adds (D) where compositions exist and may be shown."""
    bundle, settings = current_bundle(), current_settings()
    period = period_param()
    figures = publish_table(pd.DataFrame([city_figures(bundle, period, _params())]), KITA_SUMMARY, settings)
    body = {**_meta(period, "kitas", "population"), "kita": {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                                                             for k, v in figures.iloc[0].to_dict().items()}}
    if compositions_visible(settings):
        views = {k: facility_segregation_view(bundle, settings, period, _params(), k) for k in KINDS}
        body["facility_segregation"] = {k: v["summary"] for k, v in views.items() if v["available"]}
        if not any(v["available"] for v in views.values()):
            body["facility_segregation_note"] = views[KINDS[0]]["note"]
            body["how_to_import"] = IMPORT_HELP
    return json_answer(body)


def kitas() -> TableAnswer:
    """Every Kita with its places, the weighted children in demand within its reach and its supply ratio (2SFCA step 1)."""
    period, fmt = period_param(), format_param(TABLE_FORMATS)
    table = kita_table(current_bundle(), period, _params())
    table.index.name = "facility_id"
    return _answer(table, {**_meta(period, "kitas", "population"), "unit": "places; children in demand (persons)"}, fmt, f"kitas_{period}")


def catchments() -> TableAnswer:
    """Primary-school catchments: children 6–12 (interpolated), composition, schools, pupils, Startchancen (minimum-count rule)."""
    bundle, settings = current_bundle(), current_settings()
    period, fmt = period_param(), format_param(TABLE_FORMATS)
    table = disclosed_catchments(bundle, settings, period).copy()
    table["school_ids"] = table["school_ids"].apply(lambda v: " ".join(v) if isinstance(v, list) else "")
    table.index.name = "catchment_id"
    meta = {**_meta(period, "catchments", "population", "schools"), "interpolated_from": bundle.finest_level.id,
            "assumption": "children 6-12 = 6/9 of the 6-15 band; share with migration background = that of 6-15"}
    return _answer(table, meta, fmt, f"catchments_{period}")


def serving() -> TableAnswer:
    """Kitas within the walking radius of a unit (level=…&id=…) or cell (res=…&id=…), nearest first."""
    bundle = current_bundle()
    period, fmt = period_param(), format_param(TABLE_FORMATS)
    level, res, uid = request.args.get("level"), request.args.get("res"), request.args.get("id")
    if res is not None:
        allowed = [str(r) for r in bundle.manifest.h3_resolutions]
        if res not in allowed:
            raise ParameterError("res", res, allowed)
        basis = Basis(res=int(res))
    else:
        allowed = [lvl.id for lvl in bundle.levels]
        level = level or bundle.finest_level.id
        if level not in allowed:
            raise ParameterError("level", level, allowed)
        basis = Basis(level=level)
    if uid is None or uid not in set(bundle.ids(basis)):
        raise ParameterError("id", uid, [str(i) for i in bundle.ids(basis)[:40]])
    table = serving_kitas(bundle, basis, uid, period, _params())
    names = kita_table(bundle, period, _params())["name"]
    table = table.assign(name=names.reindex(table.index), dist_m=table["dist_m"].round(0)).drop(columns=["x", "y"])
    table.index.name = "facility_id"
    return _answer(table, {**_meta(period, "kitas"), "basis": basis.key, "id": uid, "radius_m": _params().radius_m}, fmt,
                   f"kitas_serving_{uid}")


def facilities() -> TableAnswer | Response:
    """Facility segregation per facility (kind=primary_school|kita): deviation (pp), ratio, z-score. Internal in the portal."""
    bundle, settings = current_bundle(), current_settings()
    if not compositions_visible(settings):
        return error_answer(404, "facility-level compositions are not published in the portal")
    kind = request.args.get("kind", "primary_school")
    if kind not in KINDS:
        raise ParameterError("kind", kind, list(KINDS))
    period, fmt = period_param(), format_param(TABLE_FORMATS)
    view = facility_segregation_view(bundle, settings, period, _params(), kind)
    if not view["available"]:  # no rows to publish: the note says why, in JSON whatever the format asked for
        return TableAnswer(pd.DataFrame(), {**_meta(period), "available": False, "note": view["note"], "how_to_import": IMPORT_HELP},
                           f"facility_segregation_{kind}_{period}", "json")
    table = view["table"].copy()
    table.index.name = "facility_id"
    meta = {**_meta(period, "population", "import_facility_composition"), "available": True, "kind": kind, "summary": view["summary"],
            "unit": "deviation in percentage points; z: binomial z-score"}
    return _answer(table, meta, fmt, f"facility_segregation_{kind}_{period}")


TABLE_ROUTES = (TableRoute(KITAS, kitas), TableRoute(CATCHMENTS, catchments), TableRoute(SERVING, serving),
                TableRoute(FACILITY_SEGREGATION, facilities))
