"""One entry point from UI state or API parameters to disclosed layer values."""

from __future__ import annotations

from .bundle import Bundle
from .computation import compute_query
from .registry import REGISTRY, get_layer
from .request import LayerQuery, ParameterError
from .scenario import Scenario, scenario_bundle
from .settings import Settings
from .spatial.basis import Basis
from .spec import INTERNAL, LayerResult

__all__ = ["LayerQuery", "ParameterError", "bases", "check_query", "run_query", "visible_layers"]


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


def run_query(bundle: Bundle, settings: Settings, query: LayerQuery, scenario: Scenario | None = None) -> LayerResult:
    """Compute a layer and pass it through the one exit (`layers.computation.compute_query`).

    In the portal the layer is computed on the published bundle (cell-key perturbed counts) and small values are hidden.
    With a `scenario` (layers.scenario.Scenario) the layer is computed on the bundle with the scenario applied
    (`with_scenario`); None or an empty scenario gives exactly the baseline. The portal never runs scenarios.
    """
    if scenario is not None:
        bundle = scenario_bundle(bundle, settings, scenario)
    return compute_query(bundle, settings, query)
