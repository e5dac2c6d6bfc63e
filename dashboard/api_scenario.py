"""API /api/v1/scenarios (planner mode only): saved scenarios and their validation (this module's blueprint), and the
scenario topic's tables: effects, the per-area comparison and site suggestions (`TABLE_ROUTES`, served by
`dashboard.table_routes`).

Every number comes from `layers.scenario` (the same functions the scenario panel calls). The portal registers none of
these routes and refuses their paths (`dashboard.security.hidden`); the blueprint's own guard answers 404 as well, and the
exit refuses the scenario tables there.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from flask import Blueprint, Response, request

from layers import ParameterError, check_query, get_layer
from layers.scenario import (
    SCENARIO_COMPARE,
    SCENARIO_EFFECTS,
    SCENARIO_SITES,
    Scenario,
    ScenarioError,
    compare_layer,
    difference_spec,
    need_weight_keys,
    scenario_effects,
    store_for,
    suggest_sites,
    validate_scenario,
)

from .answers import error_answer, json_answer
from .context import cache, current_bundle, current_settings, settings_key
from .table_routes import TableAnswer, TableRoute

api_scenario = Blueprint("api_scenario", __name__, url_prefix="/api/v1/scenarios")
MAX_K = 20


@api_scenario.before_request
def _planner_only():
    if current_settings().mode == "portal":
        return error_answer(404, "not found")
    return None


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ScenarioError("the request body must be a JSON object", source="request")
    return data


def _scenario_from(data: dict | None) -> Scenario:
    """The scenario of a request: body key ``scenario`` (a scenario dict or a link parameter), or query parameter ``scenario``."""
    raw = (data or {}).get("scenario", request.args.get("scenario"))
    if raw is None:
        raise ParameterError("scenario", None, ["a scenario object {name, interventions}, or a scenario link parameter"])
    scenario = Scenario.from_url_param(raw) if isinstance(raw, str) else Scenario.from_dict(raw, "request")
    validate_scenario(current_bundle(), scenario, current_settings(), source="request")
    return scenario


def _param(data: dict | None, name: str, default=None):
    if data and name in data:
        return data[name]
    return request.args.get(name, default)


def _bundle_key() -> str:
    bundle = current_bundle()
    return f"{bundle.folder}:{bundle.manifest.built_at}"


# --- saved scenarios ----------------------------------------------------------------------------------

@api_scenario.get("")
def list_scenarios() -> Response:
    store = store_for(current_settings())
    return json_answer({"city": current_bundle().manifest.city, "scenarios": [i.to_dict() for i in store.list()]})


@api_scenario.get("/<slug>")
def get_scenario(slug: str) -> Response:
    store = store_for(current_settings())
    try:
        scenario = store.load(slug)
    except ScenarioError as exc:
        if exc.detail == "no saved scenario of this name" or "is not a scenario name" in exc.detail:
            return error_answer(404, str(exc))
        raise
    return json_answer({"slug": slug, **scenario.to_dict(), "url_param": scenario.to_url_param(), "fingerprint": scenario.fingerprint()})


@api_scenario.post("")
def save_scenario() -> Response:
    scenario = Scenario.from_dict(_body(), "request")
    info = store_for(current_settings()).save(scenario, current_bundle())
    return json_answer({**info.to_dict(), "url_param": scenario.to_url_param()}, 201)


@api_scenario.delete("/<slug>")
def delete_scenario(slug: str) -> Response:
    try:
        store_for(current_settings()).delete(slug)
    except ScenarioError as exc:
        return error_answer(404, str(exc))
    return json_answer({"deleted": slug})


@api_scenario.post("/validate")
def validate() -> Response:
    scenario = _scenario_from(_body())
    return json_answer({"valid": True, "n_interventions": len(scenario), "url_param": scenario.to_url_param()})


# --- effects -------------------------------------------------------------------------------------------

@cache.memoize()
def effects_dict(bundle_key: str, settings_key_: str, scenario_json: str, period: str) -> dict:
    """Effects of a scenario (cached per bundle, settings, scenario and period) — what the panel's cards and this API show."""
    scenario = Scenario.from_json(scenario_json)
    return scenario_effects(current_bundle(), current_settings(), scenario, period).to_dict()


def effects() -> TableAnswer:
    data = _body()
    scenario = _scenario_from(data)
    bundle, settings = current_bundle(), current_settings()
    period = _param(data, "period") or bundle.periods[-1]
    if period not in bundle.periods:
        raise ParameterError("period", period, bundle.periods)
    fmt = _param(data, "format", "json")
    if fmt not in ("json", "csv"):
        raise ParameterError("format", fmt, ["json", "csv"])
    body = effects_dict(_bundle_key(), settings_key(settings), scenario.to_json(indent=None), period)
    meta = {"city": bundle.manifest.city, "synthetic": bundle.manifest.synthetic, "scenario": scenario.name,
            **{k: v for k, v in body.items() if k != "rows"}}
    return TableAnswer(body["rows"], meta, f"scenario_effects_{period}", fmt)


# --- compare -------------------------------------------------------------------------------------------

def compare() -> TableAnswer:
    """Per area: baseline, scenario, difference (and low/high where inputs are guessed) of one layer query."""
    data = _body()
    scenario = _scenario_from(data)
    bundle, settings = current_bundle(), current_settings()
    basis = _param(data, "basis", bundle.finest_level.id)
    query = check_query(bundle, settings, str(_param(data, "layer", settings.default_layer)), str(basis), _param(data, "period"),
                        _param(data, "group"), _param(data, "period_from"))
    c = compare_layer(bundle, settings, query, scenario)
    spec = get_layer(query.layer_id)
    frame = pd.DataFrame({"baseline": c.baseline.values["value"], "scenario": c.scenario.values["value"],
                          "difference": c.difference.values["value"], "suppressed": c.difference.values["suppressed"].astype(bool)})
    if c.low is not None:
        frame["low"] = c.low.values["value"].reindex(frame.index)
        frame["high"] = c.high.values["value"].reindex(frame.index)
    changed = frame["difference"].fillna(0).ne(0)
    if str(_param(data, "changed_only", "false")).lower() in ("1", "true", "yes"):
        frame = frame[changed]
    fmt = _param(data, "format", "json")
    if fmt not in ("json", "csv"):
        raise ParameterError("format", fmt, ["json", "csv"])
    meta = {"layer": spec.id, "title": {"de": spec.title_de, "en": spec.title_en}, "unit": {"de": spec.unit_de, "en": spec.unit_en},
            "difference_unit": {"de": difference_spec(spec).unit_de, "en": difference_spec(spec).unit_en},
            "basis": query.basis.key, "period": query.period, "group": query.group, "interpolated_from": c.scenario.interpolated_from,
            "sources": [bundle.sources[k].attribution for k in c.baseline.sources if k in bundle.sources] + ["Szenario (Annahme)"],
            "n_changed": int(changed.sum()), "synthetic": bundle.manifest.synthetic}
    floats = [column for column in frame.columns if column != "suppressed"]
    rows = frame.astype({column: float for column in floats}).round(6).rename_axis("id").reset_index()  # 6 decimals in JSON and CSV
    rows["id"] = rows["id"].astype(str)
    return TableAnswer(rows, meta, f"scenario_{spec.id}_{query.basis.key}_{query.period}", fmt,
                       {"layer": spec.id, "unit": spec.unit_de, "basis": query.basis.key, "period": query.period})


# --- suggest -------------------------------------------------------------------------------------------

def _weights(raw) -> dict[str, float] | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raw = dict(part.split(":", 1) for part in raw.split(",") if ":" in part)
    if not isinstance(raw, dict):
        raise ParameterError("weights", raw, ["a JSON object {key: weight}"])
    keys = need_weight_keys(current_bundle())
    out = {}
    for k, v in raw.items():
        if k not in keys:
            raise ParameterError("weights", k, keys)
        try:
            out[k] = float(v)
        except (TypeError, ValueError):
            raise ParameterError("weights", f"{k}={v}", ["numbers ≥ 0"]) from None
        if not np.isfinite(out[k]) or out[k] < 0:
            raise ParameterError("weights", f"{k}={v}", ["numbers ≥ 0"])
    return out


@cache.memoize()
def suggestions(bundle_key: str, settings_key_: str, facility_type: str, k: int, weights_json: str, res: int, scenario_json: str) -> list[dict]:
    """Site proposals (cached) — what the panel's suggestion list and this API show."""
    scenario = Scenario.from_json(scenario_json) if scenario_json else None
    weights = json.loads(weights_json) if weights_json else None
    return [p.to_dict() for p in suggest_sites(current_bundle(), current_settings(), facility_type, k, weights, res, scenario)]


def suggest() -> TableAnswer:
    """The k best sites for a new facility: type, k, res, weights ({key: weight}), scenario (optional)."""
    data = request.get_json(silent=True) if request.method == "POST" else None
    data = data if isinstance(data, dict) else None
    bundle, settings = current_bundle(), current_settings()
    types = sorted(k.removeprefix("coverage_m_") for k in settings.values if k.startswith("coverage_m_"))
    facility_type = _param(data, "type", "meeting_place")
    if facility_type not in types:
        raise ParameterError("type", facility_type, types)
    k_raw = _param(data, "k", settings.suggest_k)
    if not str(k_raw).isdigit() or not 1 <= int(k_raw) <= MAX_K:
        raise ParameterError("k", k_raw, [f"1 … {MAX_K}"])
    res_raw = _param(data, "res", settings.suggest_resolution)
    allowed_res = [str(r) for r in bundle.manifest.h3_resolutions if r <= 9]
    if str(res_raw) not in allowed_res:
        raise ParameterError("res", res_raw, allowed_res)
    weights = _weights(_param(data, "weights"))
    scenario = _scenario_from(data) if (data and "scenario" in data) or request.args.get("scenario") else None
    rows = suggestions(_bundle_key(), settings_key(settings), facility_type, int(k_raw), json.dumps(weights, sort_keys=True) if weights else "",
                       int(res_raw), scenario.to_json(indent=None) if scenario else "")
    meta = {"type": facility_type, "k": int(k_raw), "res": int(res_raw), "weights": weights,
            "coverage_m": settings.values[f"coverage_m_{facility_type}"], "need_weight_keys": need_weight_keys(bundle)}
    return TableAnswer(rows, meta, f"scenario_sites_{facility_type}")


TABLE_ROUTES = (TableRoute(SCENARIO_EFFECTS, effects, methods=("POST",)),
                TableRoute(SCENARIO_COMPARE, compare, methods=("POST",), rows_key="values"),
                TableRoute(SCENARIO_SITES, suggest, methods=("GET", "POST"), rows_key="proposals"))

