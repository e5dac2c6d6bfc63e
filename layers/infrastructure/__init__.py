"""Social infrastructure (BRIEF §3.4): walking access to facilities per H3 cell and unit."""

from ..funding.areas import GAP_NEED, funding_gap_table, funding_geojson_bytes, has_funding_programmes, programme_title
from ..public_space.supply import green_spaces
from ..public_space.use import use_series, use_summary
from ..standards import Params, current_params  # the settings of this topic and of those it draws on
from .access import access, cell_distances, facility_points, facility_types, nearest_by_type, type_title
from .profile import access_profile, funding_profile, space_profile
from .topic import ACCESS, FACILITIES, FUNDING_GAP, FUNDING_PROFILE, SPACE_SUPPLY, SPACE_USE

__all__ = [
    "ACCESS", "FACILITIES", "FUNDING_GAP", "FUNDING_PROFILE", "GAP_NEED", "Params", "SPACE_SUPPLY", "SPACE_USE",
    "access", "access_profile", "cell_distances", "current_params", "facility_points", "facility_types",
    "funding_gap_table", "funding_geojson_bytes", "funding_profile", "green_spaces", "has_funding_programmes",
    "nearest_by_type", "programme_title", "space_profile", "type_title", "use_series", "use_summary"
]
