"""Accommodation for refugees and other arriving people: sites, internal layers, distribution and site screening.

The public face of the topic; everything here is internal planning data (BRIEF §6) and never reaches the portal.
"""

from ..housing import evenness, has_stock, stock_date
from .distribution import Concentration, area_table, change_table, concentration
from .layers import LAYERS, SECTION, large_from
from .screening import COMPONENTS, Candidate, screen, suggest, weights
from .sites import TYPE_TITLES, has_sites, open_at, places_on, site_points, type_title
from .topic import ACCOMMODATION_AREAS, ACCOMMODATION_CHANGE, ACCOMMODATION_SCREENING, HOUSING_EVENNESS

__all__ = [
    "ACCOMMODATION_AREAS", "ACCOMMODATION_CHANGE", "ACCOMMODATION_SCREENING", "COMPONENTS", "Candidate",
    "Concentration", "HOUSING_EVENNESS", "LAYERS", "SECTION", "TYPE_TITLES", "area_table", "change_table",
    "concentration", "evenness", "has_sites", "has_stock", "large_from", "open_at", "places_on", "screen",
    "site_points", "stock_date", "suggest", "type_title", "weights"
]
