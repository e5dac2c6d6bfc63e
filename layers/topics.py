"""The topics of the atlas, listed once. The layer registry, the published tables, the settings, the importers, the
benchmarks and the dashboard's tabs and API routes are all built from `TOPICS`; two topics that declare the same layer,
table, setting or importer id fail at import.

Adding a topic: write its folder under ``layers/`` with a ``topic.py`` (see `layers.topic.Topic`) and add one line here.
"""

from __future__ import annotations

from . import overview
from .accommodation import topic as accommodation  # internal planning data: never in the portal
from .education import topic as education
from .infrastructure import topic as infrastructure
from .scenario import topic as scenario
from .segregation import topic as segregation
from .settings import CORE_SETTINGS, Setting
from .sources.importer import Importer
from .spec import METHODS_DOC, LayerSpec, TableSpec, heading_anchor
from .topic import Topic, unique_by

TOPICS: tuple[Topic, ...] = (
    overview.TOPIC,
    segregation.TOPIC,
    education.TOPIC,
    infrastructure.TOPIC,
    accommodation.TOPIC,
    scenario.TOPIC,
)



def check_topics(topics: tuple[Topic, ...]) -> tuple[Topic, ...]:
    """`topics`, once no two of them declare the same topic, layer, table, setting or importer id (ValueError naming it)."""
    unique_by(topics, lambda topic: topic.id, "topic")
    unique_by((spec for topic in topics for spec in topic.layers), lambda spec: spec.id, "layer")
    unique_by((spec for topic in topics for spec in topic.tables), lambda spec: spec.name, "table")
    unique_by(CORE_SETTINGS + tuple(row for topic in topics for row in topic.settings), lambda row: row.name, "setting")
    unique_by((imp for topic in topics for imp in topic.importers), lambda imp: imp.kind, "importer")
    return topics


check_topics(TOPICS)
TOPICS_BY_ID: dict[str, Topic] = {topic.id: topic for topic in TOPICS}
LAYERS: tuple[LayerSpec, ...] = tuple(spec for topic in TOPICS for spec in topic.layers)
TABLES: tuple[TableSpec, ...] = tuple(spec for topic in TOPICS for spec in topic.tables)
SETTINGS: tuple[Setting, ...] = CORE_SETTINGS + tuple(row for topic in TOPICS for row in topic.settings)
IMPORTERS: dict[str, Importer] = {imp.kind: imp for topic in TOPICS for imp in topic.importers}
METHODS: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(entry for topic in TOPICS for entry in topic.methods)


def _method_entry(layer_id: str) -> tuple[str, tuple[str, ...]]:
    """(heading, inputs) of the longest `METHODS` prefix of `layer_id`; ("", ()) when no topic describes it."""
    matches = [entry for entry in METHODS if layer_id.startswith(entry[0])]
    if not matches:
        return "", ()
    _, heading, inputs = max(matches, key=lambda entry: len(entry[0]))
    return heading, inputs


def methods_heading(spec: LayerSpec) -> str:
    """The heading of docs/methods.md that gives the layer's formula ("" when its topic names none)."""
    return _method_entry(spec.id)[0]


def methods_link(spec: LayerSpec) -> str:
    """``docs/methods.md#<anchor>`` of `methods_heading`, e.g. ``docs/methods.md#migrant-concentration``."""
    return f"{METHODS_DOC}#{heading_anchor(methods_heading(spec))}"


def layer_inputs(spec: LayerSpec) -> tuple[str, ...]:
    """The bundle sources (manifest keys) the layer may read, as its topic declares them."""
    return _method_entry(spec.id)[1]
