"""The segregation topic: dissimilarity, isolation, entropy and local indices, with inference."""

from __future__ import annotations

from ..spec import TableSpec
from ..topic import Topic
from .layers import LAYERS

# Indices: computed on the published counts, at 3 decimals, only for areas of at least `portal_index_min_units` units;
# the district sums behind them stay internal (they are sums of published finest units, not published totals).
SEGREGATION_INDICES = TableSpec("segregation/indices", internal=("group_count", "comparison_total", "population"),
                                units_column="n_units", decimals=3)
SEGREGATION_CHANGE = TableSpec("segregation/change", internal=("group_count", "comparison_total", "population"),
                               units_column="n_units", decimals=3)

TOPIC = Topic(
    id="segregation",
    layers=LAYERS,
    tables=(SEGREGATION_INDICES, SEGREGATION_CHANGE),
    section="dashboard.sections.segregation",
    table_routes="dashboard.api_segregation:TABLE_ROUTES",
    benchmark="bench.segregation:bench_segregation",
    methods=(("segregation_", "Segregation", ("population", "demo")),),
)
