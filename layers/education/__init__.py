"""Kita and school supply, demand and facility segregation (BRIEF §3.3).

Modules: `params` (settings the layers use), `kita` (demand × take-up rate against places), `fca` (two-step
floating catchment area on H3), `schools` (primary-school catchments, children 6–12, pupils, Startchancen),
`facility_segregation` (facility versus catchment composition), `import_compositions` (the CSV import of
facility compositions) and `layers` (the LayerSpecs of the registry).
"""

from .fca import fca_ratio, kernel
from .params import EducationParams, current_params

__all__ = ["EducationParams", "current_params", "fca_ratio", "kernel"]
