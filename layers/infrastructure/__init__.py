"""Social infrastructure (BRIEF §3.4): walking access to facilities per H3 cell and unit."""

from .access import access, cell_distances, facility_points, facility_types, nearest_by_type
from .params import Params, current_params

__all__ = ["Params", "access", "cell_distances", "current_params", "facility_points", "facility_types", "nearest_by_type"]
