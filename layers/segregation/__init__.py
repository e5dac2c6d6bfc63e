"""Segregation analytics (BRIEF §3.2): city and district indices, inference, and local measures as map layers."""

from .groups import SEG_GROUPS, SegGroup, available_groups, origin_partition, partition_frame
from .indices import CITY, INDEX_DEFS, MULTI_INDICES, SINGLE_INDICES, index_table, multigroup_table
from .inference import DEFAULT_ITERATIONS, DEFAULT_SEED, MAX_ITERATIONS, change_table, significance_table
from .topic import SEGREGATION_CHANGE, SEGREGATION_INDICES

__all__ = [
    "CITY", "DEFAULT_ITERATIONS", "DEFAULT_SEED", "INDEX_DEFS", "MAX_ITERATIONS", "MULTI_INDICES", "SEGREGATION_CHANGE",
    "SEGREGATION_INDICES", "SEG_GROUPS", "SINGLE_INDICES", "SegGroup", "available_groups", "change_table",
    "index_table", "multigroup_table", "origin_partition", "partition_frame", "significance_table"
]
