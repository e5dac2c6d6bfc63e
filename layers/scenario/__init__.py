"""Scenarios: interventions (housing, facilities) on top of a baseline bundle, and what they change in every layer.

No Dash here: the dashboard panel and the API call these functions.

The names below are loaded on first use (PEP 562): the topic registry (`layers.topics`) reads this package's
``topic`` module while the layer registry is being built, and `compare` needs that registry, so importing it eagerly
here would close a cycle.
"""

from __future__ import annotations

from ..lazy import attach

_PUBLIC = {
    "compare": ("ScenarioComparison", "compare_layer", "difference", "difference_spec", "result_for_view"),
    "effects": ("Effect", "Effects", "scenario_effects"),
    "model": ("FacilityChange", "Housing", "NewAccommodation", "NewFacility", "Scenario", "ScenarioError", "Site"),
    "overlay": ("ScenarioBundle", "planner_only", "scenario_bundle", "with_scenario"),
    "sites": ("place_site",),
    "store": ("ScenarioInfo", "ScenarioStore", "scenarios_touching", "slugify", "store_for"),
    "topic": ("SCENARIO_COMPARE", "SCENARIO_EFFECTS", "SCENARIO_SITES"),
    "suggest": ("SiteProposal", "default_need_weights", "need_weight_keys", "suggest_sites"),
    "validate": ("facility_type_choices", "validate_scenario"),
}
__getattr__, __dir__, __all__ = attach(__name__, _PUBLIC)
