"""Kita and school supply, demand and facility segregation (BRIEF §3.3).

Modules: `params` (settings the layers use), `kita` (demand × take-up rate against places), `fca` (two-step
floating catchment area on H3), `schools` (primary-school catchments, children 6–12, pupils, Startchancen),
`facility_segregation` (facility versus catchment composition), `import_compositions` (the CSV import of
facility compositions) and `layers` (the LayerSpecs of the registry).
"""

from .facility_segregation import KINDS
from .fca import fca_ratio, kernel
from .kita import access_on, serving_kitas, supply_demand
from .layers import KITA_FCA, KITA_RATIO
from .params import EducationParams, current_params
from .schools import catchments, school_catchment
from .topic import CATCHMENTS, FACILITY_SEGREGATION, KITA_SUMMARY, KITAS, SERVING
from .views import city_figures, compositions_visible, disclosed_catchments, facility_segregation_view, kita_table

__all__ = [
    "CATCHMENTS", "EducationParams", "FACILITY_SEGREGATION", "KINDS", "KITAS", "KITA_FCA", "KITA_RATIO", "KITA_SUMMARY",
    "SERVING", "access_on", "catchments", "city_figures", "compositions_visible", "current_params",
    "disclosed_catchments", "facility_segregation_view", "fca_ratio", "kernel", "kita_table", "school_catchment",
    "serving_kitas", "supply_demand"
]
