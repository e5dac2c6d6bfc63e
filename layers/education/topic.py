"""The education topic: Kita supply and access, primary-school catchments, facility segregation."""

from __future__ import annotations

from ..settings import Setting
from ..sources.importer import Importer
from ..spec import TableSpec
from ..topic import Topic
from .import_compositions import read_compositions
from .layers import CATCHMENT_CHILDREN, CATCHMENT_SHARE, KITA_FCA, KITA_RATIO, KITA_UNSERVED

KITAS = TableSpec("education/kitas")
KITA_SUMMARY = TableSpec("education/summary")
CATCHMENTS = TableSpec("education/catchments", residents={"children_6_12": ("share_mig_pct", "children_per_100_pupils")},
                       cases={"mig_6_12": ("share_mig_pct",)}, area_name="name")
SERVING = TableSpec("education/serving")  # nearest first: facilities, not a ranking of areas
FACILITY_SEGREGATION = TableSpec("education/facilities")

TOPIC = Topic(
    id="education",
    layers=(KITA_RATIO, KITA_FCA, KITA_UNSERVED, CATCHMENT_SHARE, CATCHMENT_CHILDREN),
    tables=(KITAS, KITA_SUMMARY, CATCHMENTS, SERVING, FACILITY_SEGREGATION),
    settings=(
    Setting("kita_take_up_under_3", float, 0.466, "Share of children under 3 who attend a Kita (0–1); Berlin 46.6 % (AfS Berlin-Brandenburg, 1 March 2022)."),
    Setting("kita_take_up_3_6", float, 0.921, "Share of children from 3 to school age in a Kita (0–1); Berlin 92.1 % (AfS Berlin-Brandenburg, 1 March 2023)."),
    Setting("kita_fca_radius_m", float, 1000.0, "Walking radius of the Kita 2SFCA and of Kita catchments, in walking metres."),
    Setting("kita_fca_decay", str, "gaussian", "Distance decay of the Kita 2SFCA: `step` (classic 2SFCA), `linear`, `gaussian` or `exponential`.",
            ("step", "linear", "gaussian", "exponential")),
    Setting("kita_fca_decay_param", float, 1.0, "β of the `exponential` distance decay, per walking kilometre (weight exp(−β·d))."),
    Setting("publish_facility_compositions", bool, False, "The authority publishes facility-level compositions; only then may they reach the public portal."),
    ),
    importers=(
        Importer("facility_composition", "facility_composition", (".csv",), read_compositions,
                 "Facility compositions (children/pupils, of whom with migration background or ndH)"),
    ),
    section="dashboard.sections.education",
    api="dashboard.api_education:api_education",
    table_routes="dashboard.api_education:TABLE_ROUTES",
    benchmark="bench.education:bench_education",
    methods=(("education_kita_ratio", "Kita demand and supply per area", ("kitas", "population", "demo")),
             ("education_kita_", "Two-step floating catchment area (2SFCA)", ("kitas", "population", "demo")),
             ("education_catchment_", "Primary-school catchments", ("catchments", "schools", "population", "demo"))),
)
