"""Funding areas and the MSS (BRIEF §3.6): areas with special attention need, overlay GeoJSON, funding gaps."""

from .areas import funding_areas, funding_gap_table, funding_geojson, unit_overlap
from .mss import attention_need, mss_table

__all__ = ["attention_need", "funding_areas", "funding_gap_table", "funding_geojson", "mss_table", "unit_overlap"]
