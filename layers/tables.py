"""Every side table the app publishes, declared once: which counts protect which columns (see `layers.publication`).

The routes and panels pass each table through `publish_table` with its spec here; the contract test checks that every
table route answers with a publication receipt.
"""

from __future__ import annotations

from .publication import TableSpec

ACCESS = TableSpec("infrastructure/access", residents={"residents": ("covered_pct", "mean_dist_m"),
                                                       "target": ("covered_target_pct", "unserved_need")})
FACILITIES = TableSpec("infrastructure/facilities")
SPACE_SUPPLY = TableSpec("public-space/supply", residents={"residents": ("green_m2_per_resident", "play_m2_per_resident",
                                                                        "green_pct_of_guideline", "play_pct_of_standard")})
SPACE_USE = TableSpec("public-space/use")
FUNDING_GAP = TableSpec("funding/gap", residents={"residents": ()}, area_name="name")
FUNDING_PROFILE = TableSpec("funding/profile", residents={"residents_need_not_funded": ()})
# Indices: computed on the published counts, at 3 decimals, only for areas of at least `portal_index_min_units` units;
# the district sums behind them stay internal (they are sums of published finest units, not published totals).
SEGREGATION_INDICES = TableSpec("segregation/indices", internal=("group_count", "comparison_total", "population"),
                                units_column="n_units", decimals=3)
SEGREGATION_CHANGE = TableSpec("segregation/change", internal=("group_count", "comparison_total", "population"),
                               units_column="n_units", decimals=3)
KITAS = TableSpec("education/kitas")
KITA_SUMMARY = TableSpec("education/summary")
CATCHMENTS = TableSpec("education/catchments", residents={"children_6_12": ("share_mig_pct", "children_per_100_pupils")},
                       cases={"mig_6_12": ("share_mig_pct",)}, area_name="name")
SERVING = TableSpec("education/serving")  # nearest first: facilities, not a ranking of areas
FACILITY_SEGREGATION = TableSpec("education/facilities")
SIMILAR = TableSpec("areas/similar", residents={"residents": ()}, area_name="name")  # portal: by name, no ranking
# Scenarios are planner-only (404 in the portal); their answers still pass the exit like every other.
SCENARIO_EFFECTS = TableSpec("scenarios/effects")
SCENARIO_SITES = TableSpec("scenarios/suggest")

# Accommodation and housing: internal planning tables (the portal refuses them at the exit and answers 404 before).
ACCOMMODATION_AREAS = TableSpec("accommodation/areas", planner_only=True)
ACCOMMODATION_CHANGE = TableSpec("accommodation/change", planner_only=True)
ACCOMMODATION_SCREENING = TableSpec("accommodation/screening", planner_only=True)
HOUSING_EVENNESS = TableSpec("housing/evenness", planner_only=True)

TABLES: tuple[TableSpec, ...] = (ACCESS, FACILITIES, SPACE_SUPPLY, SPACE_USE, FUNDING_GAP, FUNDING_PROFILE, SEGREGATION_INDICES,
                                 SEGREGATION_CHANGE, KITAS, KITA_SUMMARY, CATCHMENTS, SERVING, FACILITY_SEGREGATION, SCENARIO_EFFECTS,
                                 SCENARIO_SITES, SIMILAR, ACCOMMODATION_AREAS, ACCOMMODATION_CHANGE, ACCOMMODATION_SCREENING,
                                 HOUSING_EVENNESS)
