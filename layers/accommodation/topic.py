"""The accommodation and housing topic: internal planning data (BRIEF §6) that never reaches the portal."""

from __future__ import annotations

from ..housing import layers as housing
from ..housing.imports import read_housing
from ..settings import Setting
from ..sources.importer import Importer
from ..spec import TableSpec
from ..topic import Topic
from .imports import read_accommodation
from .layers import LAYERS as ACCOMMODATION_LAYERS

# Internal planning tables (the portal refuses them at the exit and answers 404 before).
ACCOMMODATION_AREAS = TableSpec("accommodation/areas", planner_only=True)
ACCOMMODATION_CHANGE = TableSpec("accommodation/change", planner_only=True)
ACCOMMODATION_SCREENING = TableSpec("accommodation/screening", planner_only=True)
HOUSING_EVENNESS = TableSpec("housing/evenness", planner_only=True)

TOPIC = Topic(
    id="accommodation",
    layers=(*ACCOMMODATION_LAYERS, *housing.LAYERS),
    tables=(ACCOMMODATION_AREAS, ACCOMMODATION_CHANGE, ACCOMMODATION_SCREENING, HOUSING_EVENNESS),
    settings=(
    Setting("accommodation_large_site_places", int, 100,
            "Accommodation: a site with at least this many places counts as large in the share of places in large sites (persons)."),
    Setting("accommodation_age_mix", list, [0.12, 0.16, 0.05, 0.20, 0.30, 0.09, 0.05, 0.03],
            "Age mix of residents of a new accommodation site: shares of the eight age bands 0–6, 6–15, 15–18, 18–27, 27–45, 45–55, "
            "55–65, 65+ (sum 1). Assumption after the BAMF asylum statistics (first applications 2023: about 28 % under 16); see "
            "docs/methods.md."),
    Setting("accommodation_occupancy", float, 0.9,
            "Share of a new site's places assumed occupied in the accommodation scenario (0–1; low/high: ∓ scenario_persons_spread)."),
    Setting("accommodation_nearby_m", int, 1000,
            "Site screening: existing accommodation places within this walking distance (m) of a candidate count as nearby."),
    Setting("screening_weights", str,
            '{"kita": 0.2, "school": 0.2, "health": 0.1, "transit": 0.15, "meeting": 0.1, "shop": 0.1, "social": 0.05, "dispersal": 0.1}',
            "Site screening: JSON object of component → weight (normalised to sum 1; 0 leaves a component out). Components: Kita and "
            "primary-school places with free capacity, primary care, public transport, meeting places, shops, social context, "
            "existing accommodation nearby."),
    ),
    importers=(
        Importer("accommodation", "accommodation", (".csv", ".geojson", ".json", ".gpkg"), read_accommodation,
                 "Accommodation sites (internal): site_id, type, name, capacity, occupancy, opened, closed, provider; lon/lat or points"),
        Importer("housing", "housing", (".csv",), read_housing,
                 "Housing stock per finest unit: unit_id, period, dwellings, social_dwellings, rent_eur_m2, wohnlage"),
    ),
    section="dashboard.sections.accommodation",
    table_routes="dashboard.api_accommodation:TABLE_ROUTES",
    benchmark="bench.accommodation:bench_accommodation",
    planner_only=True,
    methods=(("accommodation_", "Accommodation places", ("accommodation", "population", "demo")),
             ("housing_", "Housing stock", ("housing", "population", "demo"))),
)
