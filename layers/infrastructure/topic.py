"""The infrastructure topic: social infrastructure and access, public space and its use, funding areas."""

from __future__ import annotations

from ..funding import layers as funding
from ..funding.imports import read_funding_geojson
from ..public_space import layers as public_space
from ..public_space.use import read_space_use_csv
from ..settings import Setting
from ..sources.importer import Importer
from ..spec import TableSpec
from ..topic import Topic
from .layers import LAYERS as ACCESS_LAYERS

ACCESS = TableSpec("infrastructure/access", residents={"residents": ("covered_pct", "mean_dist_m"),
                                                       "target": ("covered_target_pct", "unserved_need")})
FACILITIES = TableSpec("infrastructure/facilities")
SPACE_SUPPLY = TableSpec("public-space/supply", residents={"residents": ("green_m2_per_resident", "play_m2_per_resident",
                                                                        "green_pct_of_guideline", "play_pct_of_standard")})
SPACE_USE = TableSpec("public-space/use")
FUNDING_GAP = TableSpec("funding/gap", residents={"residents": ()}, area_name="name")
FUNDING_PROFILE = TableSpec("funding/profile", residents={"residents_need_not_funded": ()})

TOPIC = Topic(
    id="infrastructure",
    layers=(*ACCESS_LAYERS, *public_space.LAYERS, *funding.LAYERS),
    tables=(ACCESS, FACILITIES, SPACE_SUPPLY, SPACE_USE, FUNDING_GAP, FUNDING_PROFILE),
    settings=(
    *(Setting(f"coverage_m_{kind}", int, metres, f"Coverage distance for {label}, walking metres: residents within it count as served. {why}")
      for kind, label, metres, why in (
          ("kita", "Kitas", 500, "Planning convention of short ways for under-6s (issue default)."),
          ("primary_school", "primary schools", 1000, "Convention 'kurze Beine, kurze Wege': a primary school within about 1 km."),
          ("secondary_school", "secondary schools", 2000, "Project convention (older pupils walk or cycle further)."),
          ("school_other", "other schools", 2000, "Project convention (vocational and special schools serve larger areas)."),
          ("youth_club", "youth clubs", 1000, "Project convention."),
          ("library", "libraries", 1500, "Project convention."),
          ("community_centre", "community and neighbourhood centres", 1000, "Project convention."),
          ("meeting_place", "meeting places", 1000, "Project convention."),
          ("place_of_worship", "places of worship", 1000, "Project convention."),
          ("sports", "sports centres", 1000, "Project convention."),
          ("playground", "playgrounds", 500, "Issue default; DIN 18034 names 200 m (under 6) to 400 m (6 to 12) for play spaces."),
          ("park", "parks", 500, "Berlin Landschaftsprogramm: wohnungsnahe Grünanlagen (from 0.5 ha) within 500 m."),
          ("health", "doctors and pharmacies", 1000, "Project convention."),
          ("transit_stop", "public-transport stops", 400, "Nahverkehrsplan Berlin 2019–2023: a stop within 300 m in dense and 400 m in "
           "other built-up areas."),
          ("shop", "shops for daily needs (supermarkets, markets)", 1000, "Project convention (Nahversorgung: about 10 minutes on foot)."),
      )),
    Setting("green_space_guideline_m2", float, 6.0,
            "Guideline of public green space per resident, m²: Berlin Landschaftsprogramm, 6 m² wohnungsnahe Grünanlagen per resident."),
    Setting("playground_standard_m2", float, 1.0, "Net play area per resident the standard asks for, m²: Berlin Kinderspielplatzgesetz, 1 m² per resident."),
    Setting("green_walking_distance_m", int, 500, "Walking distance (m) within which residents count towards the usage pressure of a green space."),
    Setting("funding_min_overlap", float, 0.5, "Share of a unit's area (0–1) that must lie in funding areas for the unit to count as funded."),
    ),
    importers=(
        Importer("space_use", "space_use", (".csv",), read_space_use_csv,
                 "Observed use of public spaces (counters, observation surveys): space_id, timestamp, count, method", append=True),
        Importer("funding_areas", "funding_areas", (".geojson", ".json", ".gpkg"), read_funding_geojson,
                 "Funding areas (e.g. Quartiersmanagement): area_id, programme, name, start_year, end_year, budget_eur, status",
                 append=True),
    ),
    section="dashboard.sections.infrastructure",
    api="dashboard.api_infrastructure:api_infrastructure",
    table_routes="dashboard.api_infrastructure:TABLE_ROUTES",
    benchmark="bench.infrastructure:bench_infrastructure",
    methods=(("infra_", "Walking distance and coverage", ("kitas", "schools", "youth", "osm", "population", "demo")),
             ("infra_gap", "Walking distance and coverage", ("kitas", "schools", "youth", "osm", "mss", "population", "demo")),
             ("public_ej_", "Public space", ("umweltgerechtigkeit", "population", "demo")),
             ("public_", "Public space", ("green_spaces", "population", "demo")),
             ("funding_need_", "Funding areas and the MSS", ("mss", "erhaltungsgebiete", "population", "demo")),
             ("funding_", "Funding areas and the MSS", ("mss", "population", "demo"))),
)
