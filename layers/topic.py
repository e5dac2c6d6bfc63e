"""What a topic declares: its layers, tables, settings, importers, benchmark, and where its user interface lives.

A topic is a folder under ``layers/`` with a ``topic.py`` that defines ``TOPIC = Topic(...)`` (the overview, whose modules
sit at the top of ``layers/``, in ``layers/overview.py``); ``layers.topics`` lists the
topics once, and the layer registry, the published tables, the settings, the importers, the benchmarks, the dashboard's
tabs and its API are all built from that list. Adding a topic means writing its folder (and, when it has its own tab,
API or benchmark, one module each in ``dashboard/sections``, ``dashboard`` and ``bench``) plus one line in the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from .settings import Setting
from .sources.importer import Importer
from .spec import LayerSpec, TableSpec


@dataclass(frozen=True)
class Topic:
    """One topic of the atlas.

    Parameters
    ----------
    id : str
        Short id; the id of its dashboard tab and the prefix of its component ids (for most topics also the
        ``section`` of its layers; the overview's layers keep their sections, ``migration`` and ``social``).
    layers : tuple of LayerSpec
        Its layers, in the order the layer picker shows them.
    tables : tuple of TableSpec
        The side tables its routes and panels publish (each passes `layers.publication.publish_table`).
    settings : tuple of Setting
        Its rows of config.toml (documented in docs/settings.md).
    importers : tuple of Importer
        The kinds of user file `quartiersatlas import` reads for it.
    section : str or None
        Dotted path of its dashboard tab module (`dashboard.sections` contract); the domain names it without importing
        Dash.
    api : str or None
        ``module:attribute`` of its Flask blueprint of the routes that are not rows of a table (one-row profiles,
        GeoJSON of areas, saved scenarios and their validation).
    table_routes : str or None
        ``module:attribute`` of its tables' routes (``dashboard.table_routes.TableRoute``), served at
        ``/api/v1/<table name>`` by the app's one table handler.
    benchmark : str or None
        ``module:function`` of its benchmark, ``function(settings, berlin_bundle_folder) -> rows`` (the bundle lies in
        the benchmark's scratch folder); run by ``quartiersatlas bench --only <id>``.
    methods : tuple of (str, str, tuple of str)
        Where docs/methods.md describes its layers: (layer-id prefix, heading, bundle sources the layers read); the
        longest matching prefix wins, and a source a bundle does not have is left out (the demo city has one, "demo").
    planner_only : bool
        A planner's tool or internal planning data: the portal shows no tab of it, registers none of its routes, answers
        404 on the first path segment of each of its tables under /api/v1, and refuses Dash requests naming component ids
        that start with the topic's id (`dashboard.security.hidden`).
    """

    id: str
    layers: tuple[LayerSpec, ...] = ()
    tables: tuple[TableSpec, ...] = ()
    settings: tuple[Setting, ...] = ()
    importers: tuple[Importer, ...] = ()
    section: str | None = None
    api: str | None = None
    table_routes: str | None = None
    benchmark: str | None = None
    methods: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    planner_only: bool = False


def unique_by(items, key, what: str) -> dict:
    """`items` indexed by `key(item)`; ValueError naming the id when two items share one.

    >>> unique_by(["a", "b"], str.upper, "letter")
    {'A': 'a', 'B': 'b'}
    >>> unique_by(["a", "a"], str.upper, "letter")
    Traceback (most recent call last):
    ...
    ValueError: duplicate letter id 'A'
    """
    index: dict = {}
    for item in items:
        name = key(item)
        if name in index:
            raise ValueError(f"duplicate {what} id {name!r}")
        index[name] = item
    return index


def resolve(path: str):
    """The object a topic names by dotted path: ``package.module`` (the module) or ``package.module:attribute``.

    >>> resolve("layers.numbers:format_number").__name__
    'format_number'
    """
    module, _, attribute = path.partition(":")
    loaded = import_module(module)
    return getattr(loaded, attribute) if attribute else loaded
