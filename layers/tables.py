"""Every side table the app publishes, as the topics declare them (`layers.topics`): which counts protect which columns
(see `layers.publication`).

The routes and panels pass each table through `publish_table` with its spec; the contract test checks that every table
route answers with a publication receipt.
"""

from __future__ import annotations

from .accommodation.topic import ACCOMMODATION_AREAS, ACCOMMODATION_CHANGE, ACCOMMODATION_SCREENING, HOUSING_EVENNESS
from .education.topic import CATCHMENTS, FACILITY_SEGREGATION, KITA_SUMMARY, KITAS, SERVING
from .infrastructure.topic import ACCESS, FACILITIES, FUNDING_GAP, FUNDING_PROFILE, SPACE_SUPPLY, SPACE_USE
from .overview import SIMILAR
from .scenario.topic import SCENARIO_EFFECTS, SCENARIO_SITES
from .segregation.topic import SEGREGATION_CHANGE, SEGREGATION_INDICES
from .topics import TABLES

__all__ = ["ACCESS", "ACCOMMODATION_AREAS", "ACCOMMODATION_CHANGE", "ACCOMMODATION_SCREENING", "CATCHMENTS", "FACILITIES",
           "FACILITY_SEGREGATION", "FUNDING_GAP", "FUNDING_PROFILE", "HOUSING_EVENNESS", "KITAS", "KITA_SUMMARY", "SCENARIO_EFFECTS",
           "SCENARIO_SITES", "SEGREGATION_CHANGE", "SEGREGATION_INDICES", "SERVING", "SIMILAR", "SPACE_SUPPLY", "SPACE_USE", "TABLES"]
