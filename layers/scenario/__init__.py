"""Scenarios: interventions (housing, facilities) on top of a baseline bundle, and what they change in every layer.

No Dash here: the dashboard panel and the API call these functions.
"""

from .compare import ScenarioComparison, compare_layer, difference, result_for_view
from .effects import Effect, Effects, scenario_effects
from .model import FacilityChange, Housing, NewAccommodation, NewFacility, Scenario, ScenarioError, Site
from .overlay import ScenarioBundle, planner_only, scenario_bundle, with_scenario
from .sites import place_site
from .store import ScenarioInfo, ScenarioStore, scenarios_touching, store_for
from .suggest import SiteProposal, need_weight_keys, suggest_sites
from .validate import facility_type_choices, validate_scenario

__all__ = [
    "Effect", "Effects", "FacilityChange", "Housing", "NewAccommodation", "NewFacility", "Scenario", "ScenarioBundle",
    "ScenarioComparison", "ScenarioError", "ScenarioInfo", "ScenarioStore", "Site", "SiteProposal", "compare_layer",
    "difference", "facility_type_choices", "need_weight_keys", "place_site", "planner_only", "result_for_view",
    "scenario_bundle", "scenario_effects", "scenarios_touching", "store_for", "suggest_sites", "validate_scenario",
    "with_scenario",
]
