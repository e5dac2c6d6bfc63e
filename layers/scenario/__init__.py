"""Scenarios: interventions (housing, facilities) on top of a baseline bundle, and what they change in every layer.

No Dash here: the dashboard panel and the API call these functions.

The names below are loaded on first use (PEP 562): the topic registry (`layers.topics`) reads this package's
``topic`` module while the layer registry is being built, and `compare` needs that registry, so importing it eagerly
here would close a cycle.
"""

from __future__ import annotations

from importlib import import_module

_PUBLIC = {
    "compare": ("ScenarioComparison", "compare_layer", "difference", "difference_spec", "result_for_view"),
    "effects": ("Effect", "Effects", "scenario_effects"),
    "model": ("FacilityChange", "Housing", "NewAccommodation", "NewFacility", "Scenario", "ScenarioError", "Site"),
    "overlay": ("ScenarioBundle", "planner_only", "scenario_bundle", "with_scenario"),
    "sites": ("place_site",),
    "store": ("ScenarioInfo", "ScenarioStore", "scenarios_touching", "slugify", "store_for"),
    "suggest": ("SiteProposal", "default_need_weights", "need_weight_keys", "suggest_sites"),
    "validate": ("facility_type_choices", "validate_scenario"),
}
_MODULE_OF = {name: module for module, names in _PUBLIC.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    """The public name `name`, imported from its module on first use."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_MODULE_OF[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
