"""The scenario topic: new housing, facilities and meeting places, and what they change (planner only)."""

from __future__ import annotations

from ..settings import Setting
from ..spec import TableSpec
from ..topic import Topic

# Scenarios are planner-only (the portal has no tab and answers 404 on the routes); their answers still pass the exit
# like every other.
SCENARIO_EFFECTS = TableSpec("scenarios/effects", planner_only=True)
SCENARIO_SITES = TableSpec("scenarios/suggest", planner_only=True)
SCENARIO_COMPARE = TableSpec("scenarios/compare", planner_only=True)  # per area: baseline, scenario, difference

TOPIC = Topic(
    id="scenario",
    tables=(SCENARIO_EFFECTS, SCENARIO_SITES, SCENARIO_COMPARE),
    settings=(
    Setting("scenario_dir", str, "data/scenarios", "Folder where planners' saved scenarios are stored as JSON files (one file per scenario).", is_path=True),
    Setting("scenario_max_dwellings", int, 5000, "Largest number of dwellings one housing intervention may add (larger counts are refused as implausible)."),
    Setting("scenario_persons_min", float, 1.0, "Smallest plausible persons per dwelling a housing intervention may state."),
    Setting("scenario_persons_max", float, 5.0, "Largest plausible persons per dwelling a housing intervention may state."),
    Setting("scenario_persons_spread", float, 0.15,
            "Low–high range of persons per dwelling: low = value × (1 − spread), high = value × (1 + spread) (assumption)."),
    Setting("scenario_child_spread", float, 0.25,
            "Low–high range of the mix: the shares of residents under 18 × (1 ∓ spread), the other age bands rescaled (assumption)."),
    Setting("scenario_mix_new_build", list, [0.09, 0.10, 0.03, 0.10, 0.36, 0.13, 0.09, 0.10],
            "Age mix of new-build housing: shares of the eight age bands 0–6, 6–15, 15–18, 18–27, 27–45, 45–55, 55–65, 65+ (sum 1; assumption)."),
    Setting("scenario_mix_subsidised", list, [0.10, 0.13, 0.04, 0.10, 0.30, 0.12, 0.10, 0.11],
            "Age mix of subsidised (WBS) housing, same eight age bands (sum 1; assumption)."),
    Setting("scenario_reference_min_residents", int, 500,
            "A reference area with fewer residents than this is replaced by its parent unit for the resident mix (small areas give erratic mixes)."),
    Setting("scenario_max_interventions", int, 50, "Largest number of interventions one scenario may hold."),
    Setting("scenario_max_capacity", float, 10000.0, "Largest capacity (places, pupils or visitors) a new or changed facility may state."),
    Setting("suggest_k", int, 5, "Default number of sites the site suggestion proposes."),
    Setting("suggest_resolution", int, 9, "H3 resolution of the candidate sites and demand cells of the site suggestion."),
    ),
    section="dashboard.sections.scenario",
    api="dashboard.api_scenario:api_scenario",
    table_routes="dashboard.api_scenario:TABLE_ROUTES",
    benchmark="bench.scenario:bench_scenario",
    planner_only=True,
)
