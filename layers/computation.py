"""A layer query computed on a given bundle (the baseline or one with a scenario applied) and passed through the one exit.

`layers.query.run_query` applies a scenario first; `layers.scenario.compare` computes its baseline and scenario bundles
here directly, so the scenario package does not depend on `layers.query`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .bundle import Bundle
from .publication import computing_bundle, publish_result
from .registry import get_layer
from .request import LayerQuery
from .settings import Settings, using_settings
from .spatial.basis import Basis
from .spec import LayerResult


def compute_query(bundle: Bundle, settings: Settings, query: LayerQuery) -> LayerResult:
    """Compute a layer on `bundle` and pass it through the one exit (`layers.publication.publish_result`).

    In the portal the layer is computed on the published bundle (cell-key perturbed counts) and small values are hidden.
    """
    if query.compare_from is not None:
        return _comparison(compute_query(bundle, settings, replace(query, compare_from=None)),
                           compute_query(bundle, settings, replace(query, period=query.compare_from, compare_from=None)))
    spec = get_layer(query.layer_id)
    bundle = computing_bundle(bundle, settings)  # the portal computes on published (cell-key perturbed) counts only
    with using_settings(settings):
        result = spec.compute(bundle, query.basis, query.period, getattr(bundle, "scenario", None), group=query.group, period_from=query.period_from)

    def elsewhere(basis: Basis, period: str, period_from: str | None, layer=spec) -> LayerResult:  # the layer on another basis or date
        with using_settings(settings):
            return layer.compute(bundle, basis, period, None, group=query.group, period_from=period_from)

    def truth(basis: Basis, period: str, period_from: str | None, layer=spec) -> LayerResult:  # true counts: only to decide what to hide
        with using_settings(settings):
            return layer.compute(bundle.base, basis, period, None, group=query.group, period_from=period_from)

    return publish_result(bundle, settings, spec, result, elsewhere, truth if settings.mode == "portal" else None)


def _comparison(now: LayerResult, before: LayerResult) -> LayerResult:
    """Value now minus value before, per area. Both inputs are already disclosed: an area suppressed in either
    period stays suppressed (its difference would reveal the hidden value), and its counts are the smaller of the two."""
    a, b = now.values, before.values.reindex(now.values.index)
    v = a.copy()
    v["value"] = a["value"] - b["value"]
    for col in ("numerator", "denominator", "residents"):
        v[col] = np.fmin(a[col], b[col]).where(a[col].notna() & b[col].notna())
    v["suppressed"] = a["suppressed"].to_numpy(dtype=bool) | b["suppressed"].fillna(True).to_numpy(dtype=bool)
    if "fallback_from" in v:  # a parent's change is not this area's change
        borrowed = a["fallback_from"].ne("").to_numpy() | b["fallback_from"].reindex(a.index).fillna("").ne("").to_numpy()
        v.loc[borrowed, ["value", "numerator", "denominator", "residents"]] = np.nan
        v["suppressed"] = v["suppressed"].to_numpy(dtype=bool) | borrowed
        v["fallback_from"] = ""
    return replace(now, values=v, period_from=before.period)
