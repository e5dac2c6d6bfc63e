"""API /api/v1/segregation/…: city and district indices per basis, period and group, and their change with p-values
(table routes, served by `dashboard.table_routes`)."""

from __future__ import annotations

import pandas as pd
from flask import request

from layers import ParameterError, bases
from layers.segregation import (
    DEFAULT_ITERATIONS,
    DEFAULT_SEED,
    INDEX_DEFS,
    MAX_ITERATIONS,
    MULTI_INDICES,
    SEGREGATION_CHANGE,
    SEGREGATION_INDICES,
    SINGLE_INDICES,
    available_groups,
    change_table,
    index_table,
    multigroup_table,
    significance_table,
)
from layers.spatial import Basis

from .api import choice_param, format_param
from .context import cache, current_bundle, current_settings
from .table_routes import TableAnswer, TableRoute

CAVEAT = {"de": "Ein Index beschreibt ein Muster der Wohnverteilung; er ist keine Diagnose eines Problems.",
          "en": "An index describes a pattern of residential distribution; it is not a diagnosis of a problem."}


def _bundle_key() -> str:
    bundle = current_bundle()
    return f"{bundle.folder}:{bundle.manifest.built_at}"


@cache.memoize()
def indices_frame(bundle_key: str, basis: str, group: str) -> pd.DataFrame:
    """Single-group index table (all periods, city + districts) — the one function the panel and the API read."""
    return index_table(current_bundle(), basis, group)


@cache.memoize()
def multigroup_frame(bundle_key: str, basis: str) -> pd.DataFrame:
    return multigroup_table(current_bundle(), basis)


@cache.memoize()
def change_frame(bundle_key: str, basis: str, group: str, period_from: str, period: str, index: str, iterations: int, seed: int) -> pd.DataFrame:
    return change_table(current_bundle(), basis, group, period_from, period, index, iterations, seed)


@cache.memoize()
def significance_frame(bundle_key: str, basis: str, group: str, period: str, index: str, iterations: int, seed: int) -> pd.DataFrame:
    return significance_table(current_bundle(), basis, group, period, index, iterations, seed)


def _basis() -> str:
    bundle = current_bundle()
    given = {k: request.args[k] for k in ("basis", "level", "res") if k in request.args}
    if len(given) > 1:
        raise ParameterError("basis/level/res", given, ["one of basis=…, level=… or res=…"])
    if "res" in given:
        return "h3_" + choice_param("res", [str(r) for r in bundle.manifest.h3_resolutions], None)
    if "level" in given:
        return choice_param("level", [lvl.id for lvl in bundle.levels], None)
    return choice_param("basis", bases(bundle), bundle.finest_level.id)


def _common() -> dict:
    bundle = current_bundle()
    return {"basis": _basis(), "group": choice_param("group", [g.id for g in available_groups(bundle)], "mig_bg")}


def _district() -> str | None:
    bundle = current_bundle()
    value = request.args.get("district")
    if value in (None, "", "city"):
        return None
    allowed = list(bundle.units_of(bundle.levels[0].id).index)
    if value not in allowed:
        raise ParameterError("district", value, ["city", *allowed])
    return value


def _iterations() -> int:
    """Permutations of a p-value: a request parameter for planners (19 … MAX_ITERATIONS), fixed in the portal
    (`portal_permutations`), where an expensive computation must not be one request away."""
    settings = current_settings()
    if settings.mode == "portal":
        if "iterations" in request.args:
            raise ParameterError("iterations", request.args["iterations"], [f"(none: fixed at {settings.portal_permutations} in the portal)"])
        return int(settings.portal_permutations)
    raw = request.args.get("iterations", str(DEFAULT_ITERATIONS))
    if not raw.isdigit() or not 19 <= int(raw) <= MAX_ITERATIONS:
        raise ParameterError("iterations", raw, [f"an integer from 19 to {MAX_ITERATIONS}"])
    return int(raw)


def _meta(basis: str) -> dict:
    bundle = current_bundle()
    return {"city": bundle.manifest.title, "basis": basis, "synthetic": bundle.manifest.synthetic, "caveat": CAVEAT,
            "sources": [bundle.sources[k].attribution for k in ("population", "demo") if k in bundle.sources]}


def _answer(meta: dict, frame: pd.DataFrame, name: str, fmt: str) -> TableAnswer:
    return TableAnswer(frame, meta, name, fmt, {"basis": meta["basis"], "group": meta.get("group")})


def indices() -> TableAnswer:
    """Single-group and multigroup indices. Parameters: group, basis | level | res, period (default: all), district
    (default: city and every district), pvalues=1 (SingleValueTest for `index`), index, iterations, format=json|csv."""
    bundle = current_bundle()
    args = _common()
    period = request.args.get("period")
    if period is not None and period not in bundle.periods:
        raise ParameterError("period", period, bundle.periods)
    district = _district()
    fmt = format_param()
    index = choice_param("index", [d.id for d in SINGLE_INDICES], "dissim")
    pvalues = request.args.get("pvalues", "0") in ("1", "true")
    iterations = _iterations()
    if pvalues and current_settings().mode == "portal" and Basis.parse(args["basis"]).is_h3:
        raise ParameterError("pvalues", request.args.get("pvalues"), ["0 (p-values in the portal on unit levels only)"])
    key = _bundle_key()
    table = indices_frame(key, args["basis"], args["group"])
    multi = multigroup_frame(key, args["basis"])
    merged = table.merge(multi[["period", "area", *[d.id for d in MULTI_INDICES], "n_groups"]], on=["period", "area"], how="left")
    if period is not None:
        merged = merged[merged["period"] == period]
    if district is not None:
        merged = merged[merged["area"].isin(["city", district])]
    if pvalues:
        periods = [period] if period else bundle.periods
        sig = pd.concat([significance_frame(key, args["basis"], args["group"], p, index, iterations, DEFAULT_SEED).assign(period=p)
                         for p in periods])
        merged = merged.merge(sig[["period", "area", "p_value", "dissim_bc"]].rename(columns={"p_value": f"p_value_{index}"}),
                              on=["period", "area"], how="left")
    meta = {**_meta(args["basis"]), "group": args["group"], "group_title": {g.id: {"de": g.title_de, "en": g.title_en}
                                                                             for g in available_groups(bundle)}[args["group"]],
            "indices": {d.id: {"symbol": d.symbol, "title": {"de": d.title_de, "en": d.title_en}, "pysal": d.pysal,
                               "explanation": {"de": d.explain_de, "en": d.explain_en}} for d in INDEX_DEFS.values()},
            "multigroup_population": "pop_mig_bg (origin partition, see docs/methods.md)",
            **({"iterations": iterations, "seed": DEFAULT_SEED, "null": "systematic"} if pvalues else {})}
    return _answer(meta, merged, f"segregation_indices_{args['basis']}_{args['group']}", fmt)


def change() -> TableAnswer:
    """Change of one index between period_from and period for the city and each district, with TwoValueTest p-values."""
    bundle = current_bundle()
    args = _common()
    period_from = choice_param("period_from", bundle.periods, bundle.periods[0])
    period = choice_param("period", bundle.periods, bundle.periods[-1])
    index = choice_param("index", [d.id for d in SINGLE_INDICES], "dissim")
    district = _district()
    fmt = format_param()
    iterations = _iterations()
    if current_settings().mode == "portal" and Basis.parse(args["basis"]).is_h3:
        raise ParameterError("res", request.args.get("res") or args["basis"], ["a level (the change test runs on unit levels only in the portal)"])
    frame = change_frame(_bundle_key(), args["basis"], args["group"], period_from, period, index, iterations, DEFAULT_SEED)
    if district is not None:
        frame = frame[frame["area"].isin(["city", district])]
    meta = {**_meta(args["basis"]), "group": args["group"], "index": index, "period_from": period_from, "period": period,
            "iterations": iterations, "seed": DEFAULT_SEED, "null": "random_label (PySAL TwoValueTest)",
            "p_value_note": f"p_value_change = 0 means none of the {iterations} simulated differences was as large: p < {1 / iterations:.3f}"}
    return _answer(meta, frame, f"segregation_change_{args['basis']}_{args['group']}_{index}", fmt)


TABLE_ROUTES = (TableRoute(SEGREGATION_INDICES, indices), TableRoute(SEGREGATION_CHANGE, change))
