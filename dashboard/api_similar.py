"""API /api/v1/areas/<id>/similar: areas like mine on chosen indicators (with weights), and the area's arrival profile."""

from __future__ import annotations

from flask import request

from layers import SIMILAR, ParameterError, arrival_profile, available_indicators, similar_areas

from .api import choice_param, period_param
from .context import current_bundle, current_settings
from .i18n import not_shown
from .table_routes import TableAnswer, TableRoute

MAX_K = 20


def _weights(raw: str | None, available: dict) -> dict[str, float] | None:
    """`indicators=a,b` (weight 1 each) or `weights=a:2,b:1`; None: every available indicator, weight 1."""
    if not raw:
        return None
    out = {}
    for part in raw.split(","):
        name, _, w = part.partition(":")
        if name not in available:
            raise ParameterError("indicators", name, list(available))
        try:
            out[name] = float(w) if w else 1.0
        except ValueError:
            raise ParameterError("weights", part, ["indicator:number, e.g. mss_unemployment_pct:2"]) from None
        if not 0 <= out[name] <= 10:
            raise ParameterError("weights", part, ["weights from 0 to 10"])
    return out


def similar(unit_id: str) -> TableAnswer:
    """The k areas of the same level most like `unit_id` (standardised weighted distance), nearest first; k, indicators
    or weights, period, lang. In the portal areas are listed by name (no ranking) and small areas are not shown."""
    bundle, settings = current_bundle(), current_settings()
    if unit_id not in set(bundle.units["unit_id"]):
        raise ParameterError("unit_id", unit_id, ["… a unit id of the bundle"])
    available = available_indicators(bundle)
    k_raw = request.args.get("k", "5")
    if not k_raw.isdigit() or not 1 <= int(k_raw) <= MAX_K:
        raise ParameterError("k", k_raw, [f"1 … {MAX_K}"])
    weights = _weights(request.args.get("weights") or request.args.get("indicators"), available)
    period, lang = period_param(), choice_param("lang", ["de", "en"], "de")
    rows = similar_areas(bundle, unit_id, period, weights, int(k_raw))
    if settings.mode == "portal":  # names and distances only: no shares of small groups, no small areas
        rows = rows.loc[rows["residents"] >= settings.min_residents, ["unit_id", "name", "distance", "residents"]]
        rows = rows.assign(distance=rows["distance"].round(2))
    meta = {"area": unit_id, "period": period, "k": int(k_raw),
            "indicators": {n: {"title": {"de": de, "en": en}, "weight": (weights or {}).get(n, 1.0) if weights else 1.0}
                           for n, (de, en) in available.items() if not weights or n in weights},
            "method": "standardised weighted Euclidean distance over the areas of the same level (docs/methods.md#areas-like-mine)",
            "arrival": _arrival(unit_id, period, lang)}
    return TableAnswer(rows, meta, f"similar_{unit_id}")


def _arrival(unit_id: str, period: str, lang: str) -> dict:
    """The area's arrival profile; in the portal none for an area with fewer than `min_residents` residents, whose values
    the map does not show either."""
    settings = current_settings()
    portal = settings.mode == "portal"
    profile = arrival_profile(current_bundle(), unit_id, period, lang, settings.min_residents if portal else None)
    if profile.pop("shown", True):
        return profile
    return {**profile, "note": not_shown(settings, lang)}  # why there is none, in the portal's one wording


TABLE_ROUTES = (TableRoute(SIMILAR, similar, rule="/areas/<unit_id>/similar", rows_key="areas"),)
