"""The one exit: every value that leaves the server passes through `publish_result` or `publish_table` (BRIEF §6).

Planner mode publishes everything as computed (small values flagged). The public portal protects people by the
**cell-key method** of the German statistical offices (`layers.cellkey`): it computes every layer, side table and index
on the published bundle (`computing_bundle`), whose person counts carry a secret, fixed noise of at most ±5, and then
hides what rests on too few people (`layers.disclosure`). Because every figure is derived from the same perturbed counts,
no combination of outputs — layers, groups and their sums, counts and shares, periods, levels, H3 resolutions, tables,
indices — gives a true count with certainty; the same count always shows the same value, so asking again or from another
angle gains nothing.

Each call records a receipt in the running request (`start_receipts` / `receipts`), so the app can check that a
response carried only published values (the contract test enumerates every route).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import replace
from typing import Callable

import numpy as np
import pandas as pd

from . import cellkey
from .bundle import Bundle
from .disclosure import disclose, rules_from
from .published_bundle import PublishedBundle, public_sources, published_bundle
from .spec import INTERNAL, LayerResult, LayerSpec, TableSpec

PORTAL = "portal"


class InternalRefused(PermissionError):
    """An internal layer or table was about to leave the server in the portal (the routes answer 404 before this)."""


METHOD = "cell-key"
VALUE_DECIMALS = 3  # values of layers in the portal (shares in % to 0.001 pp); counts are whole persons
_RECEIPTS: ContextVar[list[str] | None] = ContextVar("quartiersatlas_receipts", default=None)


def is_portal(settings) -> bool:
    return settings.mode == PORTAL


def computing_bundle(bundle: Bundle, settings) -> Bundle:
    """The bundle an audience's figures are computed on: the baseline for planners, the published one in the portal."""
    if not is_portal(settings):
        return bundle
    return published_bundle(bundle, cellkey.load_secret(settings.path("cell_key_secret_file")))


def sources_for(bundle: Bundle, settings) -> list:
    """The sources an audience may see named: all for planners; in the portal without the imported files behind internal
    tables (accommodation sites, housing stock)."""
    return public_sources(bundle.manifest) if is_portal(settings) else list(bundle.manifest.sources)


# --- receipts --------------------------------------------------------------------------------------------------------

def start_receipts() -> None:
    """Begin collecting receipts for one request (the app calls this before every request)."""
    _RECEIPTS.set([])


def receipts() -> list[str]:
    """What the running request published so far (names of results and tables)."""
    return list(_RECEIPTS.get() or [])


def replay(names: list[str]) -> None:
    """Record the receipts of an answer built and published by an earlier request (the portal's answer cache)."""
    for name in names:
        _receipt(name)


def _receipt(name: str) -> None:
    got = _RECEIPTS.get()
    if got is not None:
        got.append(name)


def record(result: LayerResult) -> LayerResult:
    """Record a result that was published before (a cached one) in the running request; refuse one that was not."""
    if not result.published:
        raise ValueError(f"layer result {result.layer_id!r} did not pass the publication step")
    _receipt(f"layer:{result.layer_id}")
    return result


# --- layer results ---------------------------------------------------------------------------------------------------

def publish_result(bundle: Bundle, settings, spec: LayerSpec, result: LayerResult,
                   compute: Callable[..., LayerResult], truth: Callable[..., LayerResult] | None = None) -> LayerResult:
    """A layer result as the audience may see it.

    `bundle` and `result` must come from `computing_bundle(…, settings)`; `compute(basis, period, period_from, spec)`
    gives the same layer elsewhere on that bundle (for hidden H3 cells, change layers and the parent fallback); `truth` the
    same on the baseline (true counts), used only to hide what rests on too few people in truth.
    Portal: disclosure rules (`layers.disclosure.disclose`), values to `VALUE_DECIMALS`, counts to whole persons, and
    ``fallback_from`` on every row (empty unless the parent fallback filled it).
    """
    if is_portal(settings) and not isinstance(bundle, PublishedBundle):
        raise ValueError("the portal publishes only figures computed on the published bundle (computing_bundle)")
    if is_portal(settings) and spec.sensitivity == INTERNAL:
        raise InternalRefused(f"layer {spec.id!r} is internal and never leaves the server in the portal")
    out = disclose(bundle, settings, spec, result, compute, truth)
    if is_portal(settings):
        v = out.values.copy()
        if "fallback_from" not in v:
            v["fallback_from"] = ""
        v["value"] = v["value"].astype(float).round(0 if spec.aggregate == "sum" and not result.basis.is_h3 else VALUE_DECIMALS)
        for col in ("numerator", "denominator", "residents"):
            v[col] = v[col].astype(float).round(0 if not result.basis.is_h3 else 2)
        out = out.with_values(v)
    out = replace(out, published=True)
    _receipt(f"layer:{spec.id}")
    return out


# --- side tables -----------------------------------------------------------------------------------------------------

def publish_table(frame: pd.DataFrame, spec: TableSpec, settings) -> pd.DataFrame:
    """A side table as the audience may see it.

    Planner: unchanged. Portal (the table must be computed on `computing_bundle`): a count below its minimum (a positive
    number of residents below `min_residents`, or 1 … `min_cases`−1 cases) and every column computed from it become NaN
    ("not shown", never 0); rows resting on fewer than `portal_index_min_units` units lose their values; internal columns
    are dropped; floats rounded to `spec.decimals`; rows of areas ordered by name (no ranking of quarters).
    """
    if not is_portal(settings):
        _receipt(f"table:{spec.name}")
        return frame
    if spec.planner_only:
        raise InternalRefused(f"table {spec.name!r} is internal and never leaves the server in the portal")
    rules = rules_from(settings)
    out = frame.drop(columns=[c for c in spec.internal if c in frame.columns]).copy()
    for rules_of, small in ((spec.residents, lambda x: (x > 0) & (x < rules.min_residents)),
                            (spec.cases, lambda x: (x > 0) & (x < rules.min_cases))):
        for count, derived in rules_of.items():
            if count not in out.columns:
                continue
            hit = small(pd.to_numeric(out[count], errors="coerce").astype(float).fillna(0.0).to_numpy())
            cols = [c for c in (count, *derived) if c in out.columns]
            out[cols] = out[cols].astype(float)
            out.loc[hit, cols] = np.nan
    if spec.units_column and spec.units_column in out.columns:
        few = pd.to_numeric(out[spec.units_column], errors="coerce").fillna(0).to_numpy() < int(settings.values.get("portal_index_min_units", 10))
        values = [c for c in out.columns if c != spec.units_column and pd.api.types.is_numeric_dtype(out[c])]
        out[values] = out[values].astype(float)
        out.loc[few, values] = np.nan
    floats = [c for c in out.columns if pd.api.types.is_float_dtype(out[c])]
    out[floats] = out[floats].round(spec.decimals)
    if spec.area_name and spec.area_name in out.columns:
        out = out.sort_values(spec.area_name, kind="stable", key=lambda s: s.astype(str).str.casefold()).reset_index(drop=True)
    _receipt(f"table:{spec.name}")
    return out


def publish_records(records: list[dict], spec: TableSpec, settings) -> list[dict]:
    """`publish_table` for answers built as a list of records (planner: the same records, with a receipt)."""
    if not is_portal(settings):
        _receipt(f"table:{spec.name}")
        return records
    frame = publish_table(pd.DataFrame(records), spec, settings)
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()} for r in frame.to_dict("records")]


def disclosure_metadata(settings) -> dict:
    """What the deployment publishes about its protection (API and docs): method, noise bound, thresholds."""
    rules = rules_from(settings)
    if not is_portal(settings):
        return {"method": "none (planner: exact values, small ones flagged)", "min_cases": rules.min_cases, "min_residents": rules.min_residents}
    return {"method": METHOD, "max_noise": cellkey.MAX_NOISE, "noise_variance": round(cellkey.noise_variance(), 3),
            "round_counts_to": 1, "min_cases": rules.min_cases, "min_residents": rules.min_residents,
            "fallback": rules.fallback, "group_min_level": dict(rules.group_levels)}
