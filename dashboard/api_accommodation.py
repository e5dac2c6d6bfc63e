"""Data API of accommodation and housing (planner only; the portal has none of these routes and answers 404):
/api/v1/accommodation/areas, /accommodation/change, /accommodation/screening, /housing/evenness.

The same `layers.accommodation` and `layers.housing` functions as the dashboard section; every table passes the one exit
(`publish_table` with a planner-only spec, which the portal refuses).
"""

from __future__ import annotations

from flask import Response, request

from layers import ParameterError
from layers.accommodation import (
    ACCOMMODATION_AREAS,
    ACCOMMODATION_CHANGE,
    ACCOMMODATION_SCREENING,
    HOUSING_EVENNESS,
    Candidate,
    area_table,
    change_table,
    evenness,
    has_sites,
    has_stock,
    large_from,
    screen,
    suggest,
)
from layers.infrastructure import current_params

from .answers import error_answer
from .api import choice_param, format_param, period_param
from .context import current_bundle, current_settings
from .table_routes import TableAnswer, TableRoute, table_meta

MAX_CANDIDATES = 50
MAX_SUGGEST = 10


def _level() -> str:
    bundle = current_bundle()
    levels = [lv.id for lv in bundle.levels]
    return choice_param("level", levels, levels[min(1, len(levels) - 1)])


def _no_sites() -> Response | None:
    bundle = current_bundle()
    if has_sites(bundle):
        return None
    note = bundle.manifest.notes.get("accommodation", "the bundle has no accommodation sites; import them with kind `accommodation`")
    return _missing("no accommodation sites", note)


def _missing(error: str, note: str) -> Response:
    """404 for a bundle without the data a route needs, saying why (e.g. Berlin's missing open list)."""
    return error_answer(404, error, note=note)


def areas() -> TableAnswer | Response:
    """Accommodation places per area beside social context and Kita/school supply. Parameters: level, period, format (json, csv)."""
    fmt, level, period = format_param(), _level(), period_param()
    missing = _no_sites()
    if missing is not None:
        return missing
    df = area_table(current_bundle(), level, period, current_params(), large_from()).reset_index(names="unit_id")
    return TableAnswer(df, {**table_meta(period), "level": level}, f"accommodation-{level}-{period}", fmt)


def change() -> TableAnswer | Response:
    """Places, sites and their concentration (Gini across units of `level`) at every Stichtag. Parameters: level, format."""
    fmt, level = format_param(), _level()
    missing = _no_sites()
    if missing is not None:
        return missing
    df = change_table(current_bundle(), level, large_from()).reset_index()
    return TableAnswer(df, {**table_meta(), "level": level}, f"accommodation-change-{level}", fmt)


def _candidates() -> list[Candidate]:
    lons, lats = request.args.getlist("lon"), request.args.getlist("lat")
    if len(lons) != len(lats):
        raise ParameterError("lat", f"{len(lats)} values", [f"as many as lon ({len(lons)})"])
    if len(lons) > MAX_CANDIDATES:
        raise ParameterError("lon", f"{len(lons)} values", [f"at most {MAX_CANDIDATES}"])
    out = []
    bounds = current_bundle().units.total_bounds
    for n, (lo, la) in enumerate(zip(lons, lats), start=1):
        try:
            lon, lat = float(lo), float(la)
        except ValueError:
            raise ParameterError("lon", f"{lo},{la}", ["WGS84 degrees, e.g. lon=13.4&lat=52.5"]) from None
        if not (bounds[0] <= lon <= bounds[2] and bounds[1] <= lat <= bounds[3]):
            raise ParameterError("lon", f"{lon},{lat}", [f"a point in the city (lon {bounds[0]:.3f}–{bounds[2]:.3f}, "
                                                         f"lat {bounds[1]:.3f}–{bounds[3]:.3f})"])
        out.append(Candidate(lon, lat, f"Standort {n}", "given"))
    return out


def screening() -> TableAnswer:
    """Screen candidate sites (lon, lat; repeatable) or suggest `suggest` sites (1–10, optionally in `district`). Parameters:
    lon, lat, suggest, district, period, format (json, csv). One row per site and component with value, score and weight."""
    fmt, period = format_param(), period_param()
    bundle, settings = current_bundle(), current_settings()
    candidates = _candidates()
    k = request.args.get("suggest")
    if k is not None:
        if k not in {str(i) for i in range(1, MAX_SUGGEST + 1)}:
            raise ParameterError("suggest", k, [f"1 … {MAX_SUGGEST}"])
        district = request.args.get("district") or None
        top = [lv.id for lv in bundle.levels][0]
        if district is not None and district not in bundle.units_of(top).index:
            raise ParameterError("district", district, list(bundle.units_of(top).index))
        candidates += suggest(bundle, period, settings, int(k), district)
    if not candidates:
        raise ParameterError("lon", "(none)", ["lon=…&lat=… (repeatable) or suggest=1…10"])
    sites, components = screen(bundle, candidates, period, settings)
    merged = components.merge(sites.drop(columns=["origin"]).reset_index(names="candidate"), on="candidate", suffixes=("", "_site"))
    merged = merged.rename(columns={"score_site": "site_score"})
    return TableAnswer(merged, table_meta(period), f"screening-{period}", fmt)


def housing_evenness() -> TableAnswer | Response:
    """How evenly subsidised dwellings are spread: dissimilarity and Gini for the city and each district. Parameters: period, format."""
    fmt, period = format_param(), period_param()
    bundle = current_bundle()
    if not has_stock(bundle):
        note = bundle.manifest.notes.get("housing", "the bundle has no housing stock; import it with kind `housing`")
        return _missing("no housing stock", note)
    return TableAnswer(evenness(bundle, period), table_meta(period), f"housing-evenness-{period}", fmt)


TABLE_ROUTES = (TableRoute(ACCOMMODATION_AREAS, areas), TableRoute(ACCOMMODATION_CHANGE, change),
                TableRoute(ACCOMMODATION_SCREENING, screening), TableRoute(HOUSING_EVENNESS, housing_evenness))
