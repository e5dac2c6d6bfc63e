"""Public space (BRIEF §3.5): green and play space per resident, usage pressure and observed use."""

from .supply import per_resident, pressure_on_basis, supply, unit_areas
from .use import read_space_use_csv, use_series, use_summary

__all__ = [
    "per_resident", "pressure_on_basis", "read_space_use_csv", "supply", "unit_areas", "use_series", "use_summary"
]
