"""One entry point from UI state or API parameters to disclosed layer values."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .bundle import Bundle
from .publication import computing_bundle, publish_result
from .registry import REGISTRY, get_layer
from .settings import Settings, using_settings
from .spatial.basis import Basis
from .spec import INTERNAL, LayerResult


class ParameterError(ValueError):
    """A request parameter has a value outside the allowed ones."""

    def __init__(self, parameter: str, value: object, allowed: list[str]):
        self.parameter, self.value, self.allowed = parameter, value, allowed
        shown = ", ".join(map(str, allowed[:40])) + (" …" if len(allowed) > 40 else "")
        super().__init__(f"parameter {parameter!r} has invalid value {value!r}; allowed: {shown}")


@dataclass(frozen=True)
class LayerQuery:
    """What to compute: layer, basis, period and, where the layer has them, group and start period."""

    layer_id: str
    basis: Basis
    period: str
    group: str | None = None
    period_from: str | None = None
    compare_from: str | None = None  # show the change of the layer's value since this period (any layer but classes)


def visible_layers(settings: Settings) -> list[str]:
    """Layer ids the deployment may show: internal layers never reach the portal."""
    return [lid for lid, spec in REGISTRY.items() if settings.mode != "portal" or spec.sensitivity != INTERNAL]


def bases(bundle: Bundle) -> list[str]:
    """Basis keys of a bundle: its levels (coarse → fine) then its H3 resolutions."""
    return [lvl.id for lvl in bundle.levels] + [f"h3_{r}" for r in bundle.manifest.h3_resolutions]


def check_query(bundle: Bundle, settings: Settings, layer_id: str, basis_key: str, period: str | None,
                group: str | None = None, period_from: str | None = None, compare_from: str | None = None) -> LayerQuery:
    """Validate raw parameters; raise ParameterError naming the parameter and the allowed values."""
    layers = visible_layers(settings)
    if layer_id not in layers:
        raise ParameterError("layer", layer_id, layers)
    allowed_bases = bases(bundle)
    if basis_key not in allowed_bases:
        raise ParameterError("basis", basis_key, allowed_bases)
    period = period or bundle.periods[-1]
    if period not in bundle.periods:
        raise ParameterError("period", period, bundle.periods)
    spec = get_layer(layer_id)
    groups = [g.id for g in spec.groups(bundle)]
    if groups:
        group = group or (settings.default_group if settings.default_group in groups else groups[0])
        if group not in groups:
            raise ParameterError("group", group, groups)
    if spec.needs_period_from:
        period_from = period_from or bundle.periods[0]
        if period_from not in bundle.periods:
            raise ParameterError("period_from", period_from, bundle.periods)
    else:
        period_from = None
    if compare_from is not None:
        if spec.needs_period_from or spec.categories:
            raise ParameterError("compare_from", compare_from, ["(none: this layer is a change or a classification already)"])
        if compare_from not in bundle.periods:
            raise ParameterError("compare_from", compare_from, bundle.periods)
    return LayerQuery(layer_id, Basis.parse(basis_key), period, group, period_from, compare_from)


def run_query(bundle: Bundle, settings: Settings, query: LayerQuery, scenario=None) -> LayerResult:
    """Compute a layer and pass it through the one exit (`layers.publication.publish_result`).

    In the portal the layer is computed on the published bundle (cell-key perturbed counts) and small values are hidden.
    With a `scenario` (layers.scenario.Scenario) the layer is computed on the bundle with the scenario applied
    (`with_scenario`); None or an empty scenario gives exactly the baseline. The portal never runs scenarios.
    """
    if scenario is not None:
        if settings.mode == "portal":
            raise ParameterError("scenario", "(a scenario)", ["(none: the public portal shows the baseline only)"])
        from .scenario import with_scenario

        with using_settings(settings):
            bundle = with_scenario(bundle, scenario, settings=settings)
    if query.compare_from is not None:
        return _comparison(run_query(bundle, settings, replace(query, compare_from=None)),
                           run_query(bundle, settings, replace(query, period=query.compare_from, compare_from=None)))
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
