"""The overview topic: migrant concentration, always with the social situation beside it, and areas like mine.

Its tab is the dashboard's overview (histogram, ranked table, detail), built by the dashboard itself.
"""

from __future__ import annotations

from . import migrant_concentration, social
from .spec import TableSpec
from .topic import Topic

SIMILAR = TableSpec("areas/similar", residents={"residents": ()}, area_name="name")  # portal: by name, no ranking

TOPIC = Topic(
    id="overview",
    layers=(migrant_concentration.SHARE, migrant_concentration.COUNT, migrant_concentration.LOCATION_QUOTIENT,
            migrant_concentration.CHANGE, *social.LAYERS),
    tables=(SIMILAR,),
    table_routes="dashboard.api_similar:TABLE_ROUTES",
    methods=(("migration_", "Migrant concentration", ("population", "demo")),
             ("social_", "Social situation", ("mss", "population", "demo"))),
)
