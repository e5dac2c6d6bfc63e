"""The dashboard's side of the topics (`layers.topics`): each topic's tab module, its table routes and its API blueprint,
loaded by the dotted path the topic declares (the domain names them without importing Dash or Flask)."""

from __future__ import annotations

from types import ModuleType

from flask import Blueprint

from layers import TOPICS, Settings, Topic, resolve

from .table_routes import TableRoute, table_blueprint

SECTIONS: tuple[ModuleType, ...] = tuple(resolve(topic.section) for topic in TOPICS if topic.section)


def sections_for(settings: Settings) -> tuple[ModuleType, ...]:
    """The tab modules this deployment shows, in topic order: none of a planner-only topic in the portal, and none whose
    own ``available(settings)`` says no."""
    portal = settings.mode == "portal"
    tabs = (resolve(topic.section) for topic in TOPICS if topic.section and not (topic.planner_only and portal))
    return tuple(tab for tab in tabs if getattr(tab, "available", lambda _settings: True)(settings))


def _served(settings: Settings) -> tuple[Topic, ...]:
    """The topics whose routes this deployment serves: a planner-only topic has none in the portal."""
    return tuple(topic for topic in TOPICS if not (topic.planner_only and settings.mode == "portal"))


def table_routes_for(settings: Settings) -> tuple[TableRoute, ...]:
    """The table routes this deployment serves, in topic order: in the portal none of a planner-only topic or table."""
    portal = settings.mode == "portal"
    return tuple(route for topic in _served(settings) if topic.table_routes for route in resolve(topic.table_routes)
                 if not (portal and route.spec.planner_only))


def blueprints_for(settings: Settings) -> tuple[Blueprint, ...]:
    """The topics' API blueprints this deployment serves, and the one blueprint of their table routes."""
    return (*(resolve(topic.api) for topic in _served(settings) if topic.api), table_blueprint(table_routes_for(settings)))
