"""Accommodation for refugees and other arriving people: sites, internal layers, distribution and site screening.

The public face of the topic; everything here is internal planning data (BRIEF §6) and never reaches the portal.
"""

from .distribution import Concentration, area_table, change_table, concentration
from .layers import LAYERS, SECTION, large_from
from .screening import COMPONENTS, Candidate, screen, suggest, weights
from .sites import TYPE_TITLES, has_sites, open_at, places_on, site_points, type_title

__all__ = ["LAYERS", "SECTION", "COMPONENTS", "TYPE_TITLES", "Candidate", "Concentration", "area_table", "change_table", "concentration",
           "has_sites", "large_from", "open_at", "places_on", "screen", "site_points", "suggest", "type_title", "weights"]
